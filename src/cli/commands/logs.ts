import { Option, type Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { printTable } from '../output.ts';

/** `switchboard logs`: the message log (conversations, notifications, deliveries, errors, policy drops). */
export function registerLogsCommand(program: Command, client: () => ApiClient): void {
  program
    .command('logs')
    .description('show the message log, newest first')
    .addOption(new Option('--type <type>', 'only one kind').choices(['user_message', 'agent_response', 'notification', 'delivery', 'error', 'policy']))
    .option('--thread <id>', 'only one thread')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'print JSON')
    .action(async (o: { type?: string; thread?: string; limit: string; json?: boolean }) => {
      const q = new URLSearchParams({ limit: o.limit });
      if (o.type) q.set('type', o.type);
      if (o.thread) q.set('thread', o.thread);
      const r = await client().request('GET', `/v1/messages?${q}`);
      const rows = r.messages.map((m: any) =>
        m.type === 'delivery'
          ? { at: m.created_at, type: 'delivery', thread: m.thread_id ?? '', text: `${m.channel} #${m.id} ${m.status} (attempts ${m.attempts})${m.last_error ? `: ${m.last_error}` : ''}` }
          : { at: m.created_at, type: m.type, thread: m.thread_id ?? '', text: oneLine(m.text) },
      );
      printTable(rows, ['at', 'type', 'thread', 'text'], !!o.json, r);
    });
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}
