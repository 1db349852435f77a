import { EventEmitter } from 'node:events';
import type { ChannelAdapter, IntegrationInfo, Logger, OutboundMessage, SendResult } from '../channel/index.ts';
import { isChannelError } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { SharedWrite } from '../store/group-commit.ts';
import type { Store } from '../store/index.ts';
import type { DeliveryRow } from '../store/outbox.ts';
import type { Integration } from '../store/integrations.ts';
import type { NotificationRow } from '../store/notifications.ts';
import { nextDelay } from './backoff.ts';
import { retryBookkeeping } from './bookkeeping.ts';
import { countDelivery } from '../metrics/index.ts';
import { WorkerLoop, type TickResult } from '../channel/worker-loop.ts';
import { SENT_MARKS } from './shared-writes.ts';
import { LeaseRoom, sendSlot, type SendSlot } from './lease-room.ts';

/**
 * Events the outbox worker emits: `delivery.sent`, `delivery.failed` (refused or dead-lettered),
 * `integration.unhealthy` (the integration before the change, the reason) when a refusal marks it so.
 */
export type OutboxEvents = EventEmitter;

/**
 * Work the outbox worker commits in the same transaction as a failure (the triggers' firings), so a
 * crash right after the commit loses none of it. A hook that throws rolls the failure back too, and
 * the write is retried as bookkeeping. Default: none.
 */
export interface OutboxFailureHooks {
  /** The row as it ends (`status` failed or dead, `last_error` the reason), inside the dead-letter's transaction. */
  deliveryFailed(tx: Store, row: DeliveryRow): Promise<void>;
  /** An integration a refusal just turned unhealthy (`before`: the row as it was), inside the status change's transaction. */
  integrationUnhealthy(tx: Store, before: IntegrationInfo, reason: string): Promise<void>;
  /** Called after such a commit: wake whoever runs the firings. */
  committed(): void;
}

/**
 * Sends outbox rows through their adapters. Claims due rows (one per chat at a time), or on SQLite is
 * handed replies queued already leased ({@link reserve}); sends with the row's idempotency key, retries
 * with backoff that honours retry-after, dead-letters after the last attempt, and on stop waits for the sends in flight.
 */
export class OutboxWorker {
  readonly events: OutboxEvents = new EventEmitter();
  /** Set by the triggers ({@link OutboxFailureHooks}); undefined: failures fire nothing. */
  failureHooks: OutboxFailureHooks | undefined;
  private readonly loop: WorkerLoop;
  private readonly room: LeaseRoom;
  /** Rows this process sent whose "sent" mark is not stored yet: recorded again, never sent again. */
  private readonly sentUnrecorded = new Map<number, AcceptedSend>();

  constructor(
    private readonly store: Store,
    private readonly adapters: ReadonlyMap<string, ChannelAdapter>,
    private readonly tuning: BusTuning,
    private readonly log: Logger,
    /** This process's lease owner id. */
    private readonly owner: string,
    /** Group commit for the claims and the per-send bookkeeping. */
    private readonly commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T> = (fn) => store.transaction(fn),
    /** Adds an item to a write shared by the group commit's batch (the sent marks). Default: a transaction of its own. */
    private readonly share: <I>(write: SharedWrite<I>, item: I) => Promise<void> = (write, item) => store.transaction(async (tx) => void (await write.writeAll(tx, [item]))),
  ) {
    this.loop = new WorkerLoop({ name: 'outbox', pollMs: tuning.pollIntervalMs, log, tick: () => this.tick() });
    this.room = new LeaseRoom({
      capacity: tuning.outboxConcurrency,
      running: () => this.loop.running,
      singleProcess: store.dialect === 'sqlite',
      wakeLoop: () => this.loop.wake(),
      look: () => this.loop.wake(),
    });
  }

  /** Starts the loop. */
  start(): void {
    this.loop.start();
  }

  /** Wakes the loop: new rows were enqueued. */
  wake(): void {
    this.room.woken();
    this.loop.wake();
  }

  /**
   * Stops claiming, then waits up to `graceMs` for sends in flight. A send still in flight after that
   * keeps its row leased; a restart (SQLite) or another replica after the lease (PostgreSQL) takes it back.
   */
  async stop(graceMs = 10_000): Promise<void> {
    await this.loop.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.room.inFlight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /**
   * Holds a place among the sends in flight for a reply about to be queued already leased to this
   * process (SQLite, see ReplyLease): after its commit the reply is handed over with
   * {@link SendSlot.adopt} and sent at once, with no claim (see {@link LeaseRoom.hold}).
   */
  reserve(): SendSlot | undefined {
    return sendSlot(this.room, (row, since) => this.startDelivery(row, since));
  }

  /** One tick: claim what there is room for and start the sends; when nothing else is due, sleep until the next due row. */
  private async tick(): Promise<TickResult> {
    const room = this.room.free();
    if (room <= 0) {
      this.room.owed = true;
      return false;
    }
    // The claim shares the group commit's transaction (and its fsync) with the writes around it.
    const claimed = await this.commit((tx) => tx.outbox.claim(room, this.tuning.leaseMs, this.owner));
    for (const row of claimed) this.startDelivery(row);
    this.room.owed = claimed.length === room;
    // A full batch: more may be due. Otherwise enqueues, finished sends (LeaseRoom.track) and the due-time timer wake us.
    return this.room.owed ? true : this.idleWait();
  }

  /** Sends a row leased to this process, counted among the sends in flight. */
  private startDelivery(row: DeliveryRow, since?: number): void {
    const sent = this.deliver(row).then(
      (recorded) => recorded === true,
      (e) => {
        this.log.error({ err: e, delivery: row.id }, 'delivery failed unexpectedly; the row stays leased until its lease expires');
        return false;
      },
    );
    this.room.track(row.ordering_key, sent, since);
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

  /**
   * Sends one claimed row. "The send failed" (retried or failed by the rules) is kept apart from
   * "the bookkeeping failed" (a database write around the send, retried as such): a row the
   * platform accepted is never sent again by this process, whatever the database does.
   */
  private async deliver(row: DeliveryRow): Promise<boolean | void> {
    const unrecorded = this.sentUnrecorded.get(row.id);
    // Sent already by this process (its lease ran out while the database was away): only record it.
    if (unrecorded) return this.recordSent(row, unrecorded);
    const adapter = this.adapters.get(row.channel);
    let job: SendJob;
    try {
      const prepared = await this.prepare(row, adapter);
      if (typeof prepared === 'string') return this.fail(row, 'failed', prepared);
      job = prepared;
    } catch (e) {
      this.log.error({ err: e, delivery: row.id, channel: row.channel }, 'could not prepare delivery (a database read failed); it will be retried');
      return this.retryLater(row, adapter, e);
    }
    let result: SendResult;
    try {
      result = await job.adapter.send(job.message, { integration: job.integration, idempotencyKey: row.idempotency_key, attempt: row.attempts });
    } catch (e) {
      return this.sendFailed(row, job.adapter, e);
    }
    return this.recordSent(row, { result, notification: job.notification });
  }

  /** Reads what a send needs. Returns the reason when the row can never be sent. */
  private async prepare(row: DeliveryRow, adapter: ChannelAdapter | undefined): Promise<SendJob | string> {
    if (!adapter) return `no adapter for channel ${row.channel}`;
    const integration = row.integration_id ? await this.store.integrations.byId(row.integration_id) : null;
    if (row.integration_id && !integration) return 'the integration was disconnected';
    let message: OutboundMessage;
    try {
      message = JSON.parse(row.payload) as OutboundMessage;
    } catch {
      return 'the stored message is not valid JSON';
    }
    const claim = row.notification_id && message.data?.claim === true && row.integration_id;
    const notification = claim ? await this.store.notifications.byId(row.notification_id!) : undefined;
    return { adapter, integration: integration ?? null, message, notification };
  }

  /**
   * Records an accepted send (and its claim keys). If that write fails, the row stays leased and
   * only the write is retried with backoff; the send is remembered so that a re-claim of the row
   * (after its lease ran out) records it instead of sending it again.
   */
  private async recordSent(row: DeliveryRow, sent: AcceptedSend): Promise<boolean> {
    const n = sent.notification;
    const keys = n && sent.result.claimKeys?.length ? sent.result.claimKeys : undefined;
    const write = () =>
      n && keys
        ? this.commit(async (tx) => {
            await tx.claims.record(row.integration_id!, keys, { notificationId: n.id, profileId: n.profile_id, userId: n.user_id });
            await tx.outbox.markSent(row.id, sent.result);
          })
        : this.share(SENT_MARKS, { id: row.id, result: sent.result });
    try {
      await write();
    } catch (e) {
      this.sentUnrecorded.set(row.id, sent);
      this.log.error({ err: e, delivery: row.id, channel: row.channel }, 'recording a sent delivery failed; the platform has it, so only the record is retried');
      if (!(await this.keep(`mark delivery ${row.id} sent`, write))) return false;
    }
    this.sentUnrecorded.delete(row.id);
    this.events.emit('delivery.sent', row, sent.result);
    return true;
  }

  /** The platform refused or could not be reached: fail for good, or schedule the next attempt. */
  private async sendFailed(row: DeliveryRow, adapter: ChannelAdapter, e: unknown): Promise<void> {
    const reason = e instanceof Error ? e.message : String(e);
    if (isChannelError(e) && e.kind === 'refused') {
      if ('unhealthy' in e && e.unhealthy && row.integration_id) {
        let turned: IntegrationInfo | undefined;
        const written = await this.keep(`mark integration ${row.integration_id} unhealthy`, () =>
          this.store.transaction(async (tx) => {
            const before = await tx.integrations.byId(row.integration_id!);
            await tx.integrations.setStatus(row.integration_id!, 'unhealthy', reason);
            turned = before && before.status !== 'unhealthy' ? before : undefined;
            // The `integration.unhealthy` firings commit with the status change.
            if (turned) await this.failureHooks?.integrationUnhealthy(tx, turned, reason);
          }),
        );
        if (written && turned) {
          this.failureHooks?.committed();
          this.events.emit('integration.unhealthy', turned, reason);
        }
      }
      return this.fail(row, 'failed', reason);
    }
    if (!isChannelError(e)) this.log.error({ err: e, delivery: row.id }, 'adapter threw an unexpected error; retrying');
    return this.retryLater(row, adapter, e);
  }

  /** Puts a row that was not sent back for another attempt, or dead-letters it after the last one. */
  private async retryLater(row: DeliveryRow, adapter: ChannelAdapter | undefined, e: unknown): Promise<void> {
    const reason = e instanceof Error ? e.message : String(e);
    if (row.attempts >= row.max_attempts) return this.fail(row, 'dead', `gave up after ${row.attempts} attempts: ${reason}`);
    const delay = nextDelay(row.attempts, {
      baseMs: this.tuning.retryBaseMs,
      maxMs: this.tuning.retryMaxMs,
      schedule: adapter?.capabilities.retrySchedule?.map((d) => d * this.tuning.retryScheduleScale),
      retryAfterMs: isChannelError(e) && e.kind === 'retry_after' ? (e as { retryAfterMs?: number }).retryAfterMs : undefined,
    });
    if (await this.keep(`reschedule delivery ${row.id}`, () => this.store.outbox.reschedule(row.id, Date.now() + delay, reason, row.lease_owner))) {
      countDelivery(row.channel, 'retried');
      this.log.warn({ delivery: row.id, channel: row.channel, attempt: row.attempts, retryInMs: delay, reason }, 'delivery will be retried');
    }
  }

  private async fail(row: DeliveryRow, status: 'failed' | 'dead', reason: string): Promise<void> {
    let applied = false;
    const written = await this.keep(`mark delivery ${row.id} ${status}`, () =>
      this.store.transaction(async (tx) => {
        // A row another process took over meanwhile is its to end: nothing is logged here.
        applied = await tx.outbox.markFailed(row.id, status, reason, row.lease_owner);
        if (!applied) return;
        await tx.messages.add({
          userId: row.user_id,
          threadId: row.thread_id,
          type: 'error',
          direction: 'system',
          text: `Delivery ${row.id} on ${row.channel} ${status === 'dead' ? 'dead-lettered' : 'failed'}: ${reason}`,
          meta: { delivery_id: row.id, channel: row.channel, integration_id: row.integration_id, notification_id: row.notification_id, status },
        });
        // The `delivery.failed` firings (and a url trigger's health) commit with the dead-letter.
        await this.failureHooks?.deliveryFailed(tx, { ...row, status, last_error: reason });
      }),
    );
    if (!written || !applied) return;
    this.failureHooks?.committed();
    this.log.warn({ delivery: row.id, channel: row.channel, status, reason }, 'delivery ended without success');
    this.events.emit('delivery.failed', { ...row, status, last_error: reason });
  }

  /** A bookkeeping write, retried with backoff while the worker runs; false if given up at shutdown. */
  private keep(what: string, write: () => Promise<void>): Promise<boolean> {
    return retryBookkeeping(what, write, { tuning: this.tuning, log: this.log, alive: () => this.loop.running });
  }
}

/** What a send needs, read before it. */
interface SendJob {
  adapter: ChannelAdapter;
  integration: Integration | null;
  message: OutboundMessage;
  /** The notification whose replies come back to its profile (a claimed notify). */
  notification?: NotificationRow;
}

/** A send the platform accepted. */
interface AcceptedSend {
  result: SendResult;
  notification?: NotificationRow;
}
