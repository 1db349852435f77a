/**
 * The Vercel Chat SDK peer: `chat` with `@chat-adapter/telegram` and the in-memory state
 * (`@chat-adapter/state-memory`), an echo bot on a `node:http` server. Its webhook answers 200 at
 * once and handles the message in the background (the SDK's design); replies go to the Bot API at
 * BOT_API_ROOT through the adapter's own `fetch`. The SDK's default per-thread lock is kept
 * (`concurrency: 'drop'`): a message that arrives while its chat's previous one is still being
 * handled is dropped (LockError), so under load a few replies never come (the table shows them).
 *
 * Env: BOT_API_ROOT, BOT_TOKEN, WEBHOOK_SECRET. Prints `READY <port>` once listening on 127.0.0.1.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Chat, type StateAdapter } from 'chat';
import { createTelegramAdapter } from '@chat-adapter/telegram';
import { createMemoryState } from '@chat-adapter/state-memory';

const bot = new Chat({
  userName: 'bench_bot',
  adapters: {
    telegram: createTelegramAdapter({ botToken: process.env.BOT_TOKEN!, secretToken: process.env.WEBHOOK_SECRET!, apiUrl: process.env.BOT_API_ROOT!, mode: 'webhook', userName: 'bench_bot' }),
  },
  // state-memory 4.41.0 pins chat 4.41.0 (its own copy): same shape, separate declarations.
  state: createMemoryState() as unknown as StateAdapter,
  logger: 'error',
});
bot.onDirectMessage(async (thread, message) => {
  await thread.post(`echo: ${message.text}`);
});
await bot.initialize();

const background = new Set<Promise<unknown>>();
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
    const request = new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
    const response = await bot.webhooks.telegram(request, {
      waitUntil: (task) => {
        background.add(task);
        void task.finally(() => background.delete(task));
      },
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY ${(server.address() as AddressInfo).port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
