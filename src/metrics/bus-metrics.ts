import { Counter, Histogram } from 'prom-client';
import { processRegistry } from './registry.ts';

/** How a send attempt ended: `sent`, `retried` (another attempt is scheduled), `failed` (refused for good), `dead` (out of attempts). */
export type DeliveryOutcome = 'sent' | 'retried' | 'failed' | 'dead';

/** Send attempts of outbox rows by channel and outcome (`switchboard_deliveries_total`). */
export const deliveries = new Counter({
  name: 'switchboard_deliveries_total',
  help: 'Outbox send attempts by channel and outcome (sent, retried, failed, dead)',
  labelNames: ['channel', 'outcome'] as const,
  registers: [processRegistry],
});

/** Agent turns by agent kind and outcome, in seconds (`switchboard_agent_turn_duration_seconds`). */
export const agentTurns = new Histogram({
  name: 'switchboard_agent_turn_duration_seconds',
  help: 'Time an agent took to answer one inbound message, by agent kind (echo, http, llm) and outcome (ok, error)',
  labelNames: ['kind', 'outcome'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [processRegistry],
});

/** Rows a worker took back from an expired lease (a stopped or crashed holder), by table (`switchboard_lease_takeovers_total`). */
export const leaseTakeovers = new Counter({
  name: 'switchboard_lease_takeovers_total',
  help: 'Rows taken back after their lease expired (the holder stopped or crashed), by table',
  labelNames: ['table'] as const,
  registers: [processRegistry],
});

/** Finished rows the retention job deleted, by table (`switchboard_retention_pruned_total`). */
export const retentionPruned = new Counter({
  name: 'switchboard_retention_pruned_total',
  help: 'Finished rows deleted by retention (RETENTION_DAYS), by table',
  labelNames: ['table'] as const,
  registers: [processRegistry],
});

// Series that exist from the start, at 0, so dashboards and alerts see them before the first event.
for (const table of ['inbox', 'outbox']) leaseTakeovers.inc({ table }, 0);
for (const table of ['inbox', 'outbox', 'link_codes']) retentionPruned.inc({ table }, 0);

/** Counts one send attempt's outcome on a channel. */
export function countDelivery(channel: string, outcome: DeliveryOutcome): void {
  deliveries.inc({ channel, outcome });
}

/** Counts `n` rows of `table` (`inbox`, `outbox`) taken back from expired leases; 0 does nothing. */
export function countLeaseTakeovers(table: string, n: number): void {
  if (n > 0) leaseTakeovers.inc({ table }, n);
}

/**
 * Runs one agent turn and records its duration under the agent's kind, with outcome `ok` or
 * `error` (the promise rejected; the error is rethrown unchanged).
 */
export async function timeTurn<T>(kind: string, run: () => Promise<T>): Promise<T> {
  const end = agentTurns.startTimer({ kind });
  try {
    const out = await run();
    end({ outcome: 'ok' });
    return out;
  } catch (e) {
    end({ outcome: 'error' });
    throw e;
  }
}

/** What the outbox worker emits that {@link watchDeliveries} listens to. */
interface DeliveryEvents {
  on(event: 'delivery.sent' | 'delivery.failed', listener: (row: { channel: string; status?: string }) => void): unknown;
}

/**
 * Counts final outcomes from the outbox worker's events: `delivery.sent` as `sent`,
 * `delivery.failed` as `failed` or `dead` by the row's status. Retries are counted where they are
 * scheduled ({@link countDelivery} with `retried`).
 */
export function watchDeliveries(events: DeliveryEvents): void {
  events.on('delivery.sent', (row) => countDelivery(row.channel, 'sent'));
  events.on('delivery.failed', (row) => countDelivery(row.channel, row.status === 'dead' ? 'dead' : 'failed'));
}
