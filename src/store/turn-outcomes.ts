import type { Kysely } from 'kysely';
import type { Dialect } from './db.ts';
import { FINISH_ROW, LeaseLostError, type FinishParams } from './inbox.ts';
import { INSERT_MESSAGES, MESSAGE_COLUMNS, messageRow, type MessageValues, type NewMessage } from './messages.ts';
import { queueDelivery, type ReplyLease } from './leased-inserts.ts';
import { deliveryRow, INSERT_DELIVERIES, type DeliveryRow, type DeliveryValues, type NewDelivery } from './outbox.ts';
import { columnArrays, OUTCOMES_UNNEST, QUEUED_COLUMNS } from './pg-unnest.ts';
import type { Database } from './schema.ts';
import { TOUCH_THREAD, touchParams, type TouchParams } from './threads.ts';

/** What a turn leaves behind when it ends: its log entries, its reply, its thread's activity, the end of its inbox row. */
export interface TurnOutcomeWrite {
  /** Log entries, in order. */
  log: NewMessage[];
  /** The reply to send, if any (kept as it was if its idempotency key exists). */
  delivery?: NewDelivery;
  /** SQLite: queue the reply already leased to this process when its chat has no older open send (PostgreSQL ignores it). */
  lease?: ReplyLease;
  /** The thread whose activity time moves to now (to the second). */
  threadId: string;
  /** The inbox row: fenced by `owner` when given (see InboxRepo.finish). */
  finish: { id: number; status: 'done' | 'failed'; error?: string; owner?: string | null };
}

/** The values of a turn's outcome statements on SQLite, computed once per turn. */
interface OutcomeParams {
  log: MessageValues[];
  queued: DeliveryValues[];
  touch: TouchParams;
  finish: FinishParams;
}

/**
 * Writes turns' outcomes, with statements compiled once (see {@link CompiledStatement}). On
 * SQLite, one statement after the other (each takes microseconds). On PostgreSQL, one statement of
 * data-modifying CTEs for any number of turns (pg-unnest.ts), so a batch costs one round trip; if a
 * row's lease was lost, nothing of it may stay: {@link LeaseLostError} is thrown and the
 * transaction around it rolls back, as with the separate statements.
 */
export class TurnOutcomesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** One turn's outcome. */
  async write(o: TurnOutcomeWrite): Promise<void> {
    if (this.dialect === 'postgres') return this.writeMany([o]);
    const now = Date.now();
    const f = o.finish;
    const p: OutcomeParams = {
      log: o.log.map((m) => messageRow(m, now)),
      queued: o.delivery ? [deliveryRow(o.delivery, now)] : [],
      touch: touchParams(o.threadId, now),
      finish: { id: f.id, status: f.status, error: f.error ?? null, owner: f.owner || null, now },
    };
    if (p.log.length) await INSERT_MESSAGES.execute(this.db, { rows: p.log });
    // Each attempt at the write says afresh whether the reply went in leased (a rolled-back batch is written again).
    if (o.lease) o.lease.row = undefined;
    let leased: DeliveryRow | undefined;
    if (p.queued.length && o.lease) leased = await queueDelivery(this.db, p.queued[0], o.lease, now);
    else if (p.queued.length) await INSERT_DELIVERIES.execute(this.db, { rows: p.queued });
    await TOUCH_THREAD.execute(this.db, p.touch);
    const r = await FINISH_ROW.execute(this.db, p.finish);
    if (f.owner && Number(r.numAffectedRows ?? 0) === 0) throw new LeaseLostError(f.id);
    if (o.lease) o.lease.row = leased;
  }

  /**
   * Writes several turns' outcomes, each as {@link write} would; on PostgreSQL as one statement for
   * all of them. If any row's lease was lost, {@link LeaseLostError} is thrown for it and the
   * transaction around must roll back.
   */
  async writeMany(items: TurnOutcomeWrite[]): Promise<void> {
    // SQLite: statement by statement (multi-row statements measured no faster: its cost is in the B-trees).
    if (this.dialect === 'sqlite') {
      for (const o of items) await this.write(o);
      return;
    }
    const now = Date.now();
    const touch = touchParams('', now);
    const log = items.flatMap((o) => o.log.map((m) => messageRow(m, now)));
    const queued = items.flatMap((o) => (o.delivery ? [deliveryRow(o.delivery, now)] : []));
    // The inbox rows are locked in id order, the order the lease heartbeat's index scan takes them in: no lock cycle between the two.
    const ends = items.map((o) => o.finish).sort((a, b) => a.id - b.id);
    const r = await OUTCOMES_UNNEST.execute(this.db, {
      finish: {
        id: ends.map((f) => f.id),
        status: ends.map((f) => f.status),
        error: ends.map((f) => f.error ?? null),
        owner: ends.map((f) => f.owner || null),
      },
      touch: { ids: items.map((o) => o.threadId), at: touch.at, before: touch.before },
      log: columnArrays(log, MESSAGE_COLUMNS),
      queued: columnArrays(queued, QUEUED_COLUMNS),
      now,
    });
    const ended = new Set(r.rows.map((row) => Number(row.id)));
    const lost = items.find((o) => o.finish.owner && !ended.has(o.finish.id));
    if (lost) throw new LeaseLostError(lost.finish.id);
  }
}
