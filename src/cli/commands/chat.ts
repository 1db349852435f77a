import type { Command } from 'commander';
import { CliError, type ApiClient } from '../client.ts';
import { printJson } from '../output.ts';
import { confirmOrForce } from '../tty.ts';

interface ChatOptions {
  profile: string;
  message?: string;
  thread?: string | boolean;
  clear?: boolean;
  clearThread?: boolean;
  json?: boolean;
}

/** The answer of `POST /v1/profiles/:id/chat`. */
interface ChatAnswer {
  reply: string | null;
  thread: { id: string; key: string } | null;
  agent_failed?: boolean;
}

const FAILED = 'the agent failed (the reply above is the apology the person was sent); see `switchboard logs --type error`';

/** `switchboard chat` and `chat clear`: talk to a profile's agent through the console channel. */
export function registerChatCommand(program: Command, client: () => ApiClient): void {
  const chat = program
    .command('chat')
    .description('chat with an agent through the built-in console channel (interactive without -m); exits 1 when the agent failed')
    .option('-p, --profile <profile>', 'profile id or name', 'default')
    .option('-m, --message <text>', 'send one message and print the reply')
    .option('-t, --thread [thread]', 'use a separate conversation (a new one, whose name is printed, when no name is given)')
    .option('--clear', 'clear the conversation after the reply (interactive: when leaving)')
    .option('--clear-thread', 'same as --clear')
    .option('--json', 'print the raw JSON answer')
    .action(async (o: ChatOptions) => {
      const api = client();
      const thread = o.thread === true ? `t-${(await import('node:crypto')).randomBytes(4).toString('hex')}` : (o.thread as string | undefined);
      // A new conversation's name is printed in every mode (stderr, so stdout stays the reply).
      if (o.thread === true) console.error(`Thread: ${thread} (continue it with -t ${thread})`);
      const clearAfter = o.clear || o.clearThread;
      if (o.message !== undefined) {
        const failed = await say(api, o, thread, o.message);
        if (clearAfter) await clear(api, o.profile, thread);
        if (failed) throw new CliError(FAILED);
        return;
      }
      if (!process.stdin.isTTY) {
        if (clearAfter) return clear(api, o.profile, thread);
        throw new CliError('No message: pass -m "text", or run in a terminal for an interactive chat', 2);
      }
      await interactive(api, o, thread);
      if (clearAfter) await clear(api, o.profile, thread);
    });
  chat
    .command('clear')
    .description('forget the history of a conversation (the log keeps it); asks on a terminal, --force otherwise')
    .option('-p, --profile <profile>', 'profile id or name', 'default')
    .option('-t, --thread <thread>', 'conversation name', 'default')
    .option('--force', 'do not ask')
    .action(async (o: { profile: string; thread: string; force?: boolean }) => {
      // `chat clear -t x`: commander may hand -t/-p to the parent `chat`; take them from there too.
      const parent = chat.opts<ChatOptions>();
      const thread = typeof parent.thread === 'string' ? parent.thread : o.thread;
      const profile = chat.getOptionValueSource('profile') === 'cli' ? parent.profile : o.profile;
      if (!(await confirmOrForce(`Clear conversation ${thread} of ${profile}? The agent forgets it; the log keeps it.`, o.force, 'switchboard chat clear'))) return;
      await clear(client(), profile, thread);
    });
}

async function clear(api: ApiClient, profile: string, thread?: string): Promise<void> {
  await api.request('POST', `/v1/profiles/${encodeURIComponent(profile)}/chat/clear`, { thread });
  console.error(`Cleared conversation ${thread ?? 'default'}.`);
}

/** Sends one line and prints the reply; resolves true when the agent failed. */
async function say(api: ApiClient, o: ChatOptions, thread: string | undefined, text: string): Promise<boolean> {
  const r = await api.request<ChatAnswer>('POST', `/v1/profiles/${encodeURIComponent(o.profile)}/chat`, { text, thread });
  if (o.json) printJson(r);
  else console.log(r.reply ?? '(no reply yet: the agent will answer later; see `switchboard logs`)');
  return r.agent_failed === true;
}

async function interactive(api: ApiClient, o: ChatOptions, thread: string | undefined): Promise<void> {
  const { default: readline } = await import('node:readline/promises');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  console.log(`Chatting with ${o.profile}${thread ? ` (thread ${thread})` : ''}. /clear forgets the history, /exit leaves.`);
  try {
    for (;;) {
      const line = (await rl.question('you> ').catch(() => '/exit')).trim();
      if (line === '/exit' || line === '/quit') break;
      if (line === '') continue;
      if (line === '/clear') {
        await clear(api, o.profile, thread);
        continue;
      }
      try {
        process.stdout.write('agent> ');
        if (await say(api, { ...o, json: false }, thread, line)) {
          console.error(`error: ${FAILED}`);
          process.exitCode = 1;
        }
      } catch (e) {
        console.error(`error: ${(e as Error).message}`);
      }
    }
  } finally {
    rl.close();
  }
}
