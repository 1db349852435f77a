import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { createTelegramAdapter, DEFAULT_PACING, NO_PACING } from '../adapters/telegram/index.ts';
import { startTestHub } from '../test/helpers/hub.ts';
import type { BenchResult } from './run.ts';
import { percentile } from './stats.ts';
import { BENCH_BOT } from './telegram-bot.ts';

/**
 * Telegram echo, end to end: N updates posted at concurrency 32 over 200 chats to one bot's webhook;
 * each is committed to the inbox before its 200, handled by the echo agent, and sent back through
 * grammY to a fake Bot API, where replies are counted. The fake Bot API and the load generator run in
 * another process (bench/telegram-peer.ts), as Telegram's side would; the hub has this one.
 *
 * Env: BENCH_TELEGRAM_N (default 10000), BENCH_TELEGRAM_PACING=on to keep Telegram's real pacing
 * (≈1 msg/s per chat caps 200 chats at 200 replies/s, so by default pacing is off: this measures the hub);
 * BENCH_TELEGRAM_DB=postgres (with TEST_DATABASE_URL) to run on PostgreSQL.
 */
export async function bench(): Promise<BenchResult[]> {
  const n = Number(process.env.BENCH_TELEGRAM_N ?? 10000);
  const chats = Number(process.env.BENCH_TELEGRAM_CHATS ?? 200);
  const pacing = process.env.BENCH_TELEGRAM_PACING === 'on' ? DEFAULT_PACING : NO_PACING;
  const peer = spawn(process.execPath, ['--import', 'tsx', 'bench/telegram-peer.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: peer.stdout! })[Symbol.asyncIterator]();
  const fakeUrl = String((await lines.next()).value).replace(/^READY /, '');
  const t = await startTestHub({
    dialect: process.env.TEST_DATABASE_URL && process.env.BENCH_TELEGRAM_DB === 'postgres' ? 'postgres' : 'sqlite',
    env: { TELEGRAM_API_ROOT: fakeUrl, PUBLIC_URL: 'http://127.0.0.1:9' },
    bus: { pollIntervalMs: 200, retryBaseMs: 1000, retryMaxMs: 60_000, leaseMs: 120_000, maxAttempts: 8, agentTimeoutMs: 30_000, typingDelayMs: 250 },
    extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing }) },
  });
  try {
    const user = await t.api('POST', '/v1/users', { email: 'bench@example.com' });
    const key = user.body.api_key;
    const profileId = (await t.api('GET', '/v1/profiles', undefined, key)).body.profiles[0].id;
    const id = (await t.api('POST', '/v1/integrations', { type: 'telegram', token: BENCH_BOT.token }, key)).body.integration.id;
    await t.api('PUT', `/v1/profiles/${profileId}/grants/${id}`, undefined, key);
    await t.api('PATCH', `/v1/integrations/${id}`, { dm_policy: 'open' }, key);
    peer.stdin!.write(JSON.stringify({ url: `${t.url}/api/telegram/${id}/webhook`, n, chats, concurrency: 32 }) + '\n');
    const r = JSON.parse(String((await lines.next()).value)) as { latencies: number[]; non200: number; sent: number; postSecs: number; totalSecs: number };
    return [
      { name: `updates posted (pacing ${pacing === NO_PACING ? 'off' : 'on'})`, value: n, unit: 'updates' },
      { name: 'webhook non-200 answers', value: r.non200, unit: 'answers' },
      { name: 'webhook accept rate (durable before 200)', value: n / r.postSecs, unit: 'updates/s' },
      { name: 'webhook p50 latency', value: percentile(r.latencies, 50), unit: 'ms' },
      { name: 'webhook p99 latency', value: percentile(r.latencies, 99), unit: 'ms' },
      { name: 'replies received at the fake Bot API', value: r.sent, unit: 'replies' },
      { name: 'end-to-end echo replies/s', value: r.sent / r.totalSecs, unit: 'replies/s' },
    ];
  } finally {
    peer.kill();
    await t.close();
  }
}
