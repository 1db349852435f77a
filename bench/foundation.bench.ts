import type { BenchResult } from './run.ts';
import { percentile, pool } from './stats.ts';
import { startTestHub } from '../test/helpers/hub.ts';
import type { ChannelAdapter } from '../src/channel/index.ts';

const CHATS = Number(process.env.BENCH_CHATS ?? 2000);
const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 10000);

/** A channel that accepts every send at once: measures the outbox itself, not a platform. */
const nullChannel: ChannelAdapter = {
  name: 'null',
  capabilities: { category: 'notification', inbound: false, maxTextLength: 10_000, threads: false, multiRow: false, authMethods: ['none'] },
  async send() {
    return { messageIds: ['n'] };
  },
};

/** Console round trips through the whole bus, and outbox throughput, on SQLite. */
export async function bench(): Promise<BenchResult[]> {
  const t = await startTestHub({ dialect: 'sqlite', extraAdapters: { null: () => nullChannel }, bus: { pollIntervalMs: 200 } });
  try {
    const profile = (await t.api('GET', '/v1/profiles')).body.profiles[0].id;
    for (let i = 0; i < 50; i++) await t.api('POST', `/v1/profiles/${profile}/chat`, { text: 'warm', thread: `w${i % 4}` });
    const concurrency = 32;
    const t0 = performance.now();
    const lat = await pool(CHATS, concurrency, async (i) => {
      const r = await t.api('POST', `/v1/profiles/${profile}/chat`, { text: `hi ${i}`, thread: `c${i % concurrency}` });
      if (r.body.reply !== `echo: hi ${i}`) throw new Error(`unexpected reply ${JSON.stringify(r.body)}`);
    });
    const secs = (performance.now() - t0) / 1000;

    const user = (await t.hub.store.users.byEmail('admin@localhost'))!.id;
    const batch = 500;
    for (let i = 0; i < DELIVERIES; i += batch) {
      await t.hub.store.outbox.enqueue(
        Array.from({ length: Math.min(batch, DELIVERIES - i) }, (_, j) => ({
          idempotencyKey: `bench-${i + j}`,
          userId: user,
          channel: 'null',
          integrationId: null,
          orderingKey: `bench-${i + j}`,
          payload: { text: 'x', target: {} },
          maxAttempts: 3,
          notBefore: Date.now() + 3_600_000,
        })),
      );
    }
    await t.hub.db.kysely.updateTable('outbox').set({ next_attempt_at: Date.now() }).where('channel', '=', 'null').execute();
    const o0 = performance.now();
    t.hub.bus.outboxWorker.wake();
    for (;;) {
      const counts = await t.hub.store.counts.all('outbox');
      if ((counts.pending ?? 0) + (counts.sending ?? 0) === 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const osecs = (performance.now() - o0) / 1000;
    return [
      { name: `console round trips (${CHATS}, 32 concurrent)`, value: CHATS / secs, unit: 'round trips/s' },
      { name: 'console round trip p50', value: percentile(lat, 50), unit: 'ms' },
      { name: 'console round trip p99', value: percentile(lat, 99), unit: 'ms' },
      { name: `outbox throughput (${DELIVERIES} deliveries, no-op channel)`, value: DELIVERIES / osecs, unit: 'deliveries/s' },
    ];
  } finally {
    await t.close();
  }
}
