import { randomBytes } from 'node:crypto';
import readline from 'node:readline/promises';
import type { Command } from 'commander';
import { ApiClient, CliError, type ClientOptions } from '../client.ts';

interface ChatOptions {
  profile: string;
  message?: string;
  thread?: string | boolean;
  clear?: boolean;
  json?: boolean;
}

/** `switchboard chat`: talk to a profile's agent through the console channel. */
export function registerChatCommand(program: Command, client: () => ApiClient): void {
  const chat = program
    .command('chat')
    .description('chat with an agent through the built-in console channel (interactive without -m)')
    .option('-p, --profile <profile>', 'profile id or name', 'default')
    .option('-m, --message <text>', 'send one message and print the reply')
    .option('-t, --thread [thread]', 'use a separate conversation (a new one when no name is given)')
    .option('--clear', 'forget the conversation history first')
    .option('--json', 'print the raw JSON answer')
    .action(async (o: ChatOptions) => {
      const api = client();
      const thread = o.thread === true ? `t-${randomBytes(4).toString('hex')}` : (o.thread as string | undefined);
      if (o.clear) await clear(api, o.profile, thread);
      if (o.message !== undefined) return void (await say(api, o, thread, o.message));
      if (!process.stdin.isTTY) {
        if (o.clear) return;
        throw new CliError('No message: pass -m "text", or run in a terminal for an interactive chat.');
      }
      await interactive(api, o, thread);
    });
  chat
    .command('clear')
    .description('forget the history of a conversation (the log keeps it)')
    .option('-p, --profile <profile>', 'profile id or name', 'default')
    .option('-t, --thread <thread>', 'conversation name', 'default')
    .action(async (o: { profile: string; thread: string }) => {
      // `chat clear -t x`: commander may hand -t/-p to the parent `chat`; take them from there too.
      const parent = chat.opts<ChatOptions>();
      const thread = typeof parent.thread === 'string' ? parent.thread : o.thread;
      const profile = chat.getOptionValueSource('profile') === 'cli' ? parent.profile : o.profile;
      await clear(client(), profile, thread);
    });
}

async function clear(api: ApiClient, profile: string, thread?: string): Promise<void> {
  await api.request('POST', `/v1/profiles/${encodeURIComponent(profile)}/chat/clear`, { thread });
  console.error(`Cleared conversation ${thread ?? 'default'}.`);
}

async function say(api: ApiClient, o: ChatOptions, thread: string | undefined, text: string): Promise<void> {
  const r = await api.request<{ reply: string | null; thread: { id: string } | null }>('POST', `/v1/profiles/${encodeURIComponent(o.profile)}/chat`, { text, thread });
  if (o.json) return void console.log(JSON.stringify(r, null, 2));
  console.log(r.reply ?? '(no reply yet: the agent will answer later; see `switchboard logs`)');
}

async function interactive(api: ApiClient, o: ChatOptions, thread: string | undefined): Promise<void> {
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
        await say(api, { ...o, json: false }, thread, line);
      } catch (e) {
        console.error(`error: ${(e as Error).message}`);
      }
    }
  } finally {
    rl.close();
  }
}

export type { ClientOptions };
