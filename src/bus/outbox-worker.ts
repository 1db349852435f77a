import { EventEmitter } from 'node:events';
import type { ChannelAdapter, Logger, OutboundMessage } from '../channel/index.ts';
import { isChannelError } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { DeliveryRow } from '../store/outbox.ts';
import { nextDelay } from './backoff.ts';
import { LeaseSweeper } from './lease-sweeper.ts';
import { Wakeup } from './wakeup.ts';

/** Events the outbox worker emits: `delivery.sent`, `delivery.failed` (refused or dead-lettered). */
export type OutboxEvents = EventEmitter;

/**
 * Sends outbox rows through their adapters. Claims due rows (one per chat at a time), sends with the
 * row's idempotency key, retries with backoff that honours retry-after, dead-letters after the last
 * attempt, and on stop waits for the sends in flight.
 */
export class OutboxWorker {
  readonly events: OutboxEvents = new EventEmitter();
  private readonly wakeup = new Wakeup();
  private readonly sweeper: LeaseSweeper;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly adapters: ReadonlyMap<string, ChannelAdapter>,
    private readonly tuning: BusTuning,
    private readonly log: Logger,
    /** Group commit for the per-send bookkeeping. */
    private readonly commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T> = (fn) => store.transaction(fn),
  ) {
    this.sweeper = new LeaseSweeper('outbox', () => store.outbox.recoverExpired(), tuning.leaseMs, log);
  }

  /** Starts the loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Wakes the loop: new rows were enqueued. */
  wake(): void {
    this.wakeup.wake();
  }

  /** Stops claiming, then waits up to `graceMs` for sends in flight. Rows still in flight are recovered later by lease expiry. */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs))]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sweeper.maybeSweep();
      let claimed: DeliveryRow[] = [];
      const room = this.tuning.outboxConcurrency - this.inFlight.size;
      if (room > 0) {
        try {
          claimed = await this.store.outbox.claim(room, this.tuning.leaseMs);
        } catch (e) {
          this.log.error({ err: e }, 'outbox claim failed');
        }
      }
      for (const row of claimed) {
        const p = this.deliver(row).finally(() => {
          this.inFlight.delete(p);
          this.wakeup.wake();
        });
        this.inFlight.add(p);
      }
      // Fewer rows than room means nothing else is due: enqueues, finished sends and the due-time timer wake us.
      if (claimed.length < room || room <= 0) await this.wakeup.wait(await this.idleWait());
    }
  }

  private async idleWait(): Promise<number> {
    const poll = this.tuning.pollIntervalMs;
    try {
      const due = await this.store.outbox.nextDueAt();
      if (due !== undefined) return Math.max(1, Math.min(poll, due - Date.now()));
    } catch {
      /* fall back to the poll interval */
    }
    return poll;
  }

  private async deliver(row: DeliveryRow): Promise<void> {
    const adapter = this.adapters.get(row.channel);
    const integration = row.integration_id ? await this.store.integrations.byId(row.integration_id) : null;
    if (!adapter) return this.fail(row, 'failed', `no adapter for channel ${row.channel}`);
    if (row.integration_id && !integration) return this.fail(row, 'failed', 'the integration was disconnected');
    const message = JSON.parse(row.payload) as OutboundMessage;
    try {
      const result = await adapter.send(message, { integration: integration ?? null, idempotencyKey: row.idempotency_key, attempt: row.attempts });
      const claim = row.notification_id && message.data?.claim === true && row.integration_id && result.claimKeys?.length;
      const n = claim ? await this.store.notifications.byId(row.notification_id!) : undefined;
      await this.commit(async (tx) => {
        if (n) await tx.claims.record(row.integration_id!, result.claimKeys!, { notificationId: n.id, profileId: n.profile_id, userId: n.user_id });
        await tx.outbox.markSent(row.id, result);
      });
      this.events.emit('delivery.sent', row, result);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (isChannelError(e) && e.kind === 'refused') {
        if ('unhealthy' in e && e.unhealthy && row.integration_id) {
          await this.store.integrations.setStatus(row.integration_id, 'unhealthy', reason);
        }
        return this.fail(row, 'failed', reason);
      }
      if (!isChannelError(e)) this.log.error({ err: e, delivery: row.id }, 'adapter threw an unexpected error; retrying');
      if (row.attempts >= row.max_attempts) return this.fail(row, 'dead', `gave up after ${row.attempts} attempts: ${reason}`);
      const delay = nextDelay(row.attempts, {
        baseMs: this.tuning.retryBaseMs,
        maxMs: this.tuning.retryMaxMs,
        schedule: adapter.capabilities.retrySchedule?.map((d) => d * this.tuning.retryScheduleScale),
        retryAfterMs: isChannelError(e) && e.kind === 'retry_after' ? (e as { retryAfterMs?: number }).retryAfterMs : undefined,
      });
      await this.store.outbox.reschedule(row.id, Date.now() + delay, reason);
      this.log.warn({ delivery: row.id, channel: row.channel, attempt: row.attempts, retryInMs: delay, reason }, 'delivery will be retried');
    }
  }

  private async fail(row: DeliveryRow, status: 'failed' | 'dead', reason: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.outbox.markFailed(row.id, status, reason);
      await tx.messages.add({
        userId: row.user_id,
        threadId: row.thread_id,
        type: 'error',
        direction: 'system',
        text: `Delivery ${row.id} on ${row.channel} ${status === 'dead' ? 'dead-lettered' : 'failed'}: ${reason}`,
        meta: { delivery_id: row.id, channel: row.channel, integration_id: row.integration_id, notification_id: row.notification_id, status },
      });
    });
    this.log.warn({ delivery: row.id, channel: row.channel, status, reason }, 'delivery ended without success');
    this.events.emit('delivery.failed', { ...row, status, last_error: reason });
  }
}
