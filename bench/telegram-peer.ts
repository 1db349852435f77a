/**
 * The platform side of the Telegram benchmark, in its own process as Telegram is in reality: a fake
 * Bot API (where replies are counted) and the load generator that posts updates to the hub's webhook.
 * Prints `READY <url>`, then reads one JSON line `{url, n, chats, concurrency}` and prints a JSON result.
 */
import readline from 'node:readline';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { BENCH_BOT } from './telegram-bot.ts';


const fake = await new FakeTelegram().start();
fake.countOnly = true;
fake.addBot(BENCH_BOT);
process.stdout.write(`READY ${fake.url}\n`);

const line = await new Promise<string>((resolve) => readline.createInterface({ input: process.stdin }).once('line', resolve));
const { url, n, chats, concurrency } = JSON.parse(line) as { url: string; n: number; chats: number; concurrency: number };
const secret = fake.webhooks.get(BENCH_BOT.token)!.secret_token!;
const bodies = Array.from({ length: n }, (_, i) => {
  const chat = 8_000_000 + (i % chats);
  return JSON.stringify({
    update_id: 1 + i,
    message: { message_id: 1 + i, from: { id: chat, is_bot: false, first_name: 'B' }, chat: { id: chat, type: 'private' }, date: 1763900000, text: `bench ${i}` },
  });
});
const latencies: number[] = [];
let next = 0;
let non200 = 0;
const start = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const body = bodies[next++];
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (res.status !== 200) non200++;
    }
  }),
);
const posted = performance.now();
const deadline = Date.now() + 120_000;
while (fake.sentCount < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
const done = performance.now();
process.stdout.write(JSON.stringify({ latencies, non200, sent: fake.sentCount, postSecs: (posted - start) / 1000, totalSecs: (done - start) / 1000 }) + '\n');
await fake.close();
process.exit(0);
