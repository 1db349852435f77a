import { startWebhookReceiver } from '../test/fakes/webhook-receiver.ts';
import { startTestHub } from '../test/helpers/hub.ts';
import type { BenchResult } from './run.ts';

const RATE_PER_S = 200;
const LATENCY_CALLS = Number(process.env.BENCH_NOTIFY_CALLS ?? 1000);
const THROUGHPUT_DELIVERIES = Number(process.env.BENCH_NOTIFY_DELIVERIES ?? 1000);
const CONCURRENCY = 32;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/**
 * `POST /v1/notify` enqueue latency (p50/p99) at a steady 200 calls/s, and outbox throughput to a
 * local signed-webhook receiver (deliveries/s, end to end: API call → delivered). SQLite, one process.
 */
export async function bench(): Promise<BenchResult[]> {
  const rx = await startWebhookReceiver();
  const t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { outboxConcurrency: 64 } });
  try {
    const key = (await t.api('POST', '/v1/users', { email: 'bench@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'bench' }, key);
    const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url, secret: true }, key);
    await t.api('PUT', `/v1/profiles/${p.body.profile.id}/grants/${hook.body.integration.id}`, undefined, key);
    const notify = async (i: number) => {
      const res = await fetch(`${t.url}/v1/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${p.body.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ channel: 'webhook', message: `bench message ${i}`, idempotency_key: `b-${i}` }),
      });
      if (res.status !== 202) throw new Error(`notify answered ${res.status}`);
      await res.arrayBuffer();
    };

    // 1. Latency at a steady rate.
    const latencies: number[] = [];
    const calls: Promise<void>[] = [];
    const start = performance.now();
    for (let i = 0; i < LATENCY_CALLS; i++) {
      const due = start + (i * 1000) / RATE_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const t0 = performance.now();
      calls.push(notify(i).then(() => void latencies.push(performance.now() - t0)));
    }
    await Promise.all(calls);
    while (rx.received.length < LATENCY_CALLS) await new Promise((r) => setTimeout(r, 20));
    latencies.sort((a, b) => a - b);

    // 2. Throughput: queue a backlog with the outbox worker stopped, then time the drain.
    const base = rx.received.length;
    await t.hub.bus.outboxWorker.stop();
    let next = LATENCY_CALLS;
    const end = LATENCY_CALLS + THROUGHPUT_DELIVERIES;
    const te = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < end) await notify(next++);
      }),
    );
    const enqueueRate = THROUGHPUT_DELIVERIES / ((performance.now() - te) / 1000);
    const t1 = performance.now();
    t.hub.bus.outboxWorker.start();
    while (rx.received.length - base < THROUGHPUT_DELIVERIES) await new Promise((r) => setTimeout(r, 5));
    const seconds = (performance.now() - t1) / 1000;

    return [
      { name: `notify enqueue p50 @ ${RATE_PER_S}/s`, value: pct(latencies, 50), unit: 'ms' },
      { name: `notify enqueue p99 @ ${RATE_PER_S}/s`, value: pct(latencies, 99), unit: 'ms' },
      { name: `notify enqueue rate (${CONCURRENCY} concurrent)`, value: enqueueRate, unit: 'calls/s' },
      { name: `outbox drain → signed webhook (${THROUGHPUT_DELIVERIES} queued)`, value: THROUGHPUT_DELIVERIES / seconds, unit: 'deliveries/s' },
    ];
  } finally {
    await t.close();
    await rx.close();
  }
}
