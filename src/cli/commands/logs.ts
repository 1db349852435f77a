import { Option, type Command } from 'commander';
import { CliError, type ApiClient } from '../client.ts';
import { oneLine, printTable } from '../output.ts';

const TYPES = ['all', 'user_message', 'agent_response', 'notification', 'delivery', 'error', 'policy'];

interface LogsOptions {
  type: string;
  thread?: string;
  profile?: string;
  limit: string;
  json?: boolean;
}

/** `switchboard logs`: the message log (conversations, notifications, deliveries, errors, policy drops). */
export function registerLogsCommand(program: Command, client: () => ApiClient): void {
  program
    .command('logs')
    .description('show the message log, newest first')
    .addOption(new Option('--type <type>', 'one kind, or all').choices(TYPES).default('all'))
    .option('--thread <nameOrId>', 'one conversation: its id (thr_…) or its name (as in chat -t)')
    .option('-p, --profile <profile>', 'only this profile\'s messages (id or name)')
    .option('--limit <n>', 'how many (1-500)', '20')
    .option('--json', 'print JSON')
    .action(async (o: LogsOptions) => {
      const api = client();
      const q = new URLSearchParams({ limit: o.limit });
      if (o.type !== 'all') q.set('type', o.type);
      const profileId = o.profile ? (await api.request<{ profile: { id: string } }>('GET', `/v1/profiles/${encodeURIComponent(o.profile)}`)).profile.id : undefined;
      if (profileId) q.set('profile', profileId);
      if (o.thread) q.set('thread', await threadId(api, o.thread, profileId));
      const r = await api.request('GET', `/v1/messages?${q}`);
      const rows = r.messages.map((m: any) =>
        m.type === 'delivery'
          ? { at: m.created_at, type: 'delivery', thread: m.thread_id ?? '', text: `${m.channel} #${m.id} ${m.status} (attempts ${m.attempts})${m.last_error ? `: ${m.last_error}` : ''}` }
          : { at: m.created_at, type: m.type, thread: m.thread_id ?? '', text: oneLine(m.text) },
      );
      printTable(rows, ['at', 'type', 'thread', 'text'], !!o.json, r);
    });
}

/** A thread id from an id or a conversation name (of the profile, when one is given). */
async function threadId(api: ApiClient, nameOrId: string, profileId: string | undefined): Promise<string> {
  const { threads } = await api.request<{ threads: { id: string; key: string; profile_id: string | null; channel: string }[] }>('GET', '/v1/threads');
  if (threads.some((t) => t.id === nameOrId)) return nameOrId;
  const named = threads.filter((t) => t.key === nameOrId && (!profileId || t.profile_id === profileId));
  if (named.length === 1) return named[0].id;
  if (named.length > 1) throw new CliError(`${named.length} conversations are named ${nameOrId} (one per profile); add --profile <profile>`);
  throw new CliError(`No conversation ${nameOrId}${profileId ? ' for that profile' : ''}; \`switchboard logs --json\` shows the thread ids`);
}
