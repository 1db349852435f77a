import { createTelegramAdapter, DEFAULT_PACING, NO_PACING } from '../adapters/telegram/index.ts';
import { FakeTelegram } from '../test/fakes/telegram-api.ts';
import { startTestHub } from '../test/helpers/hub.ts';
import type { BenchResult } from './run.ts';

/**
 * Telegram echo, end to end: N updates posted at concurrency 32 over 200 chats to one bot's webhook;
 * each is committed to the inbox before its 200, handled by the echo agent, and sent back through
 * grammY to a local fake Bot API, where replies are counted.
 *
 * Env: BENCH_TELEGRAM_N (default 6000), BENCH_TELEGRAM_PACING=on to keep Telegram's real pacing
 * (≈1 msg/s per chat caps 200 chats at 200 replies/s, so by default pacing is off: this measures the hub);
 * BENCH_TELEGRAM_DB=postgres (with TEST_DATABASE_URL) to run on PostgreSQL; BENCH_TELEGRAM_ACCEPT_ONLY=1
 * to measure only the webhook (workers stopped).
 */
export async function bench(): Promise<BenchResult[]> {
  const n = Number(process.env.BENCH_TELEGRAM_N ?? 6000);
  const chats = Number(process.env.BENCH_TELEGRAM_CHATS ?? 200);
  const concurrency = 32;
  const pacing = process.env.BENCH_TELEGRAM_PACING === 'on' ? DEFAULT_PACING : NO_PACING;
  const fake = await new FakeTelegram().start();
  fake.countOnly = true;
  const bot = fake.addBot({ token: '7999999999:BENCHbenchBENCHbenchBENCHbench_xx', id: 7999999999, username: 'bench_bot' });
  const t = await startTestHub({
    dialect: process.env.TEST_DATABASE_URL && process.env.BENCH_TELEGRAM_DB === 'postgres' ? 'postgres' : 'sqlite',
    env: { TELEGRAM_API_ROOT: fake.url, PUBLIC_URL: 'http://127.0.0.1:9' },
    bus: { pollIntervalMs: 200, retryBaseMs: 1000, retryMaxMs: 60_000, leaseMs: 120_000, maxAttempts: 8, agentTimeoutMs: 30_000 },
    extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing }) },
  });
  try {
    const user = await t.api('POST', '/v1/users', { email: 'bench@example.com' });
    const key = user.body.api_key;
    const profileId = (await t.api('GET', '/v1/profiles', undefined, key)).body.profiles[0].id;
    const c = await t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, key);
    const id = c.body.integration.id;
    await t.api('PUT', `/v1/profiles/${profileId}/grants/${id}`, undefined, key);
    await t.api('PATCH', `/v1/integrations/${id}`, { dm_policy: 'open' }, key);
    const secret = fake.webhooks.get(bot.token)!.secret_token!;
    const url = `${t.url}/api/telegram/${id}/webhook`;
    const bodies = Array.from({ length: n }, (_, i) => {
      const chat = 8_000_000 + (i % chats);
      return JSON.stringify({
        update_id: 1 + i,
        message: { message_id: 1 + i, from: { id: chat, is_bot: false, first_name: 'B' }, chat: { id: chat, type: 'private' }, date: 1763900000, text: `bench ${i}` },
      });
    });
    if (process.env.BENCH_TELEGRAM_ACCEPT_ONLY === '1') {
      await t.hub.bus.inboxWorker.stop(0);
      await t.hub.bus.outboxWorker.stop(0);
    }
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
    const deadline = Date.now() + (process.env.BENCH_TELEGRAM_ACCEPT_ONLY === '1' ? 0 : 120_000);
    while (fake.sentCount < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const done = performance.now();
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    return [
      { name: `updates posted (pacing ${pacing === NO_PACING ? 'off' : 'on'})`, value: n, unit: 'updates' },
      { name: 'webhook non-200 answers', value: non200, unit: 'answers' },
      { name: 'webhook accept rate (durable before 200)', value: n / ((posted - start) / 1000), unit: 'updates/s' },
      { name: 'webhook p50 latency', value: pct(50), unit: 'ms' },
      { name: 'webhook p99 latency', value: pct(99), unit: 'ms' },
      { name: 'replies received at the fake Bot API', value: fake.sentCount, unit: 'replies' },
      { name: 'end-to-end echo replies/s', value: fake.sentCount / ((done - start) / 1000), unit: 'replies/s' },
    ];
  } finally {
    await t.close();
    await fake.close();
  }
}
