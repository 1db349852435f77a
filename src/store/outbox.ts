import { sql, type Kysely, type Selectable } from 'kysely';
import { CompiledStatement, slotsOf, upTo } from './compiled-statement.ts';
import type { Dialect } from './db.ts';
import { MARK_SENT_UNNEST } from './pg-unnest.ts';
import type { Database, OutboxTable } from './schema.ts';

/** An outbox (delivery) row. */
export type DeliveryRow = Selectable<OutboxTable>;

/** Delivery states. `failed`: refused for good; `dead`: ran out of attempts. */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';

/** One send to enqueue. */
export interface NewDelivery {
  idempotencyKey: string;
  userId: string;
  channel: string;
  integrationId: string | null;
  notificationId?: string | null;
  threadId?: string | null;
  /** Sends with the same key go out one at a time, in order (a chat). */
  orderingKey: string;
  payload: unknown;
  maxAttempts: number;
  /** Earliest send time (epoch ms); default now. */
  notBefore?: number;
}

/** The pending row of a new delivery, queued at `now`. */
export function deliveryRow(d: NewDelivery, now: number) {
  return {
    idempotency_key: d.idempotencyKey,
    user_id: d.userId,
    channel: d.channel,
    integration_id: d.integrationId,
    notification_id: d.notificationId ?? null,
    thread_id: d.threadId ?? null,
    ordering_key: d.orderingKey,
    payload: JSON.stringify(d.payload),
    status: 'pending',
    attempts: 0,
    max_attempts: d.maxAttempts,
    next_attempt_at: d.notBefore ?? now,
    locked_until: null as number | null,
    lease_owner: null as string | null,
    last_error: null,
    result: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
  };
}

/** The columns of a new delivery's row. */
export type DeliveryValues = ReturnType<typeof deliveryRow>;

/** Every column of {@link DeliveryValues}. */
export const DELIVERY_COLUMNS = {
  idempotency_key: true, user_id: true, channel: true, integration_id: true, notification_id: true, thread_id: true, ordering_key: true, payload: true, status: true,
  attempts: true, max_attempts: true, next_attempt_at: true, locked_until: true, lease_owner: true, last_error: true, result: true, created_at: true, updated_at: true, sent_at: true,
} as const satisfies Record<keyof DeliveryValues, true>;

/** The insert of new delivery rows; a row whose idempotency key exists is kept as it was. */
export function insertDeliveryRows(db: Kysely<Database>, rows: DeliveryValues[]) {
  return db
    .insertInto('outbox')
    .values(rows)
    .onConflict((oc) => oc.column('idempotency_key').doNothing());
}

/** The insert of new deliveries queued at `now`; a row whose idempotency key exists is kept as it was. */
export function insertDeliveries(db: Kysely<Database>, items: NewDelivery[], now: number) {
  return insertDeliveryRows(db, items.map((d) => deliveryRow(d, now)));
}

/** The parameters of {@link INSERT_DELIVERIES}: rows from {@link deliveryRow}. */
export interface DeliveryRowsParams {
  rows: DeliveryValues[];
}

/** {@link insertDeliveries} without `returning`, compiled once per row count. */
export const INSERT_DELIVERIES = new CompiledStatement<DeliveryRowsParams>(
  (db, $, n) => insertDeliveryRows(db, upTo(n).map((i) => slotsOf((c) => $('rows', i, c), DELIVERY_COLUMNS))),
  (p) => p.rows.length,
);

/** The parameters of {@link MARK_SENT}. */
interface MarkSentParams {
  id: number;
  /** The send's result, as JSON. */
  result: string;
  /** Epoch ms. */
  now: number;
}

/** The statement of {@link OutboxRepo.markSent}, compiled once. */
const MARK_SENT = new CompiledStatement<MarkSentParams>((db, $) =>
  db
    .updateTable('outbox')
    .set({ status: 'sent', result: $('result'), sent_at: $('now'), updated_at: $('now'), locked_until: null, last_error: null })
    .where('id', '=', $('id'))
    .where('status', 'in', ['pending', 'sending']),
);

/** The outbox: every send is one row with an idempotency key. */
export class OutboxRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /** Adds deliveries; a row whose idempotency key exists is kept as it was. Returns the rows by key. */
  async enqueue(items: NewDelivery[]): Promise<DeliveryRow[]> {
    if (items.length === 0) return [];
    const now = Date.now();
    const inserted = await insertDeliveries(this.db, items, now).returningAll().execute();
    // Usually every row is new and this is the only statement; rows kept as they were are read.
    const fresh = new Set(inserted.map((r) => r.idempotency_key));
    const kept = items.map((d) => d.idempotencyKey).filter((k) => !fresh.has(k));
    const old = kept.length ? await this.db.selectFrom('outbox').selectAll().where('idempotency_key', 'in', kept).execute() : [];
    return [...inserted, ...old].map(normalize).sort((a, b) => a.id - b.id);
  }

  /**
   * Leases up to `limit` due pending rows to `owner` for `leaseMs`, never one whose ordering key has
   * an older unfinished row, whoever holds it. One statement; `for update skip locked` on PostgreSQL.
   */
  async claim(limit: number, leaseMs: number, owner: string, now = Date.now()): Promise<DeliveryRow[]> {
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<DeliveryRow>`
      update outbox set status = 'sending', locked_until = ${now + leaseMs}, lease_owner = ${owner}, attempts = attempts + 1, updated_at = ${now}
      where id in (
        select d.id from outbox d
        where d.status = 'pending' and d.status in ('pending', 'sending') and d.next_attempt_at <= ${now}
          and not exists (
            select 1 from outbox o
            where o.ordering_key = d.ordering_key and o.id < d.id and o.status in ('pending', 'sending'))
        order by d.next_attempt_at, d.id
        limit ${limit}
        ${lock})
      returning *`.execute(this.db);
    return r.rows.map(normalize).sort((a, b) => a.id - b.id);
  }

  /** Extends the lease of every row `owner` is sending to `now + leaseMs`; returns how many. */
  async heartbeat(owner: string, leaseMs: number, now = Date.now()): Promise<number> {
    const r = await sql`
      update outbox set locked_until = ${now + leaseMs}
      where status = 'sending' and status in ('pending', 'sending') and lease_owner = ${owner}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /**
   * Puts rows whose lease ended before `now` (a stopped process's sends) back to pending, due now;
   * returns how many. The idempotency key stays, so the next attempt carries the same one.
   */
  async recoverExpired(now = Date.now()): Promise<number> {
    const r = await sql`
      update outbox set status = 'pending', locked_until = null, next_attempt_at = ${now}, updated_at = ${now}
      where status = 'sending' and status in ('pending', 'sending') and locked_until < ${now}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Puts every row being sent back to pending, due now, leases or not: for a single process (SQLite) at start. */
  async takeBackAll(now = Date.now()): Promise<number> {
    const r = await sql`
      update outbox set status = 'pending', locked_until = null, next_attempt_at = ${now}, updated_at = ${now}
      where status = 'sending' and status in ('pending', 'sending')`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** The earliest `next_attempt_at` of a pending row, for the worker's timer. */
  async nextDueAt(): Promise<number | undefined> {
    const r = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where(sql<boolean>`status in ('pending', 'sending') and status = 'pending'`)
      .executeTakeFirst();
    return r?.at === null || r?.at === undefined ? undefined : Number(r.at);
  }

  /**
   * Records a successful send. The platform has it, so this applies to a row still unfinished whoever
   * holds it now (taken back meanwhile too); a row a disconnect failed meanwhile stays failed.
   */
  async markSent(id: number, result: unknown): Promise<void> {
    await MARK_SENT.execute(this.db, { id, result: resultJson(result), now: Date.now() });
  }

  /** {@link markSent} for several rows; one statement on PostgreSQL. */
  async markSentMany(sent: { id: number; result: unknown }[]): Promise<void> {
    if (this.dialect === 'sqlite' || sent.length === 1) {
      for (const s of sent) await this.markSent(s.id, s.result);
      return;
    }
    // Rows locked in id order, whoever else updates several of them at once.
    const byId = [...sent].sort((a, b) => a.id - b.id);
    await MARK_SENT_UNNEST.execute(this.db, { id: byId.map((s) => s.id), result: byId.map((s) => resultJson(s.result)), now: Date.now() });
  }

  /**
   * Puts a row back for another attempt at `at`. With `owner`, only while that process still has
   * the row (not claimed by another since), so a late failure never undoes another process's send.
   */
  async reschedule(id: number, at: number, error: string, owner?: string | null): Promise<void> {
    await this.held(id, owner)
      .set({ status: 'pending', next_attempt_at: at, last_error: error, locked_until: null, updated_at: Date.now() })
      .execute();
  }

  /**
   * Ends a row for good: `failed` (refused) or `dead` (out of attempts); with `owner`, as in
   * {@link reschedule}. Returns false when the row was no longer this process's to end.
   */
  async markFailed(id: number, status: 'failed' | 'dead', error: string, owner?: string | null): Promise<boolean> {
    const r = await this.held(id, owner).set({ status, last_error: error, locked_until: null, updated_at: Date.now() }).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** An update of a row being sent; with `owner`, of a row that process still has. */
  private held(id: number, owner: string | null | undefined) {
    const q = this.db.updateTable('outbox').where('id', '=', id);
    return owner ? q.where('lease_owner', '=', owner).where('status', 'in', ['pending', 'sending']) : q.where('status', '=', 'sending');
  }

  /**
   * Queues a user's dead-lettered (`dead`) or refused (`failed`) delivery again, now, with a fresh
   * set of attempts; its idempotency key stays. Returns the row, or undefined when the user has no
   * such delivery in one of those states.
   */
  async retry(userId: string, id: number): Promise<DeliveryRow | undefined> {
    const now = Date.now();
    const r = await this.db
      .updateTable('outbox')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_until: null, lease_owner: null, updated_at: now })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .where('status', 'in', ['dead', 'failed'])
      .returningAll()
      .executeTakeFirst();
    // The row as this call left it (a worker may claim it the moment it is committed).
    return r && normalize(r);
  }

  /** Fails every unfinished delivery of an integration (it was disconnected). Returns how many. */
  async failPendingFor(integrationId: string, reason: string): Promise<number> {
    const r = await this.db
      .updateTable('outbox')
      .set({ status: 'failed', last_error: reason, locked_until: null, updated_at: Date.now() })
      .where('integration_id', '=', integrationId)
      .where('status', 'in', ['pending', 'sending'])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async byId(id: number): Promise<DeliveryRow | undefined> {
    const r = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return r && normalize(r);
  }

  async byNotification(notificationId: string): Promise<DeliveryRow[]> {
    const rows = await this.db.selectFrom('outbox').selectAll().where('notification_id', '=', notificationId).orderBy('id').execute();
    return rows.map(normalize);
  }

  /** A user's latest deliveries, newest first; with `profileId`, only that profile's (its notifications and its threads). */
  async recentForUser(userId: string, limit: number, profileId?: string): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom('outbox').selectAll('outbox').where('outbox.user_id', '=', userId);
    if (profileId) {
      q = q
        .leftJoin('notifications', 'notifications.id', 'outbox.notification_id')
        .leftJoin('threads', 'threads.id', 'outbox.thread_id')
        .where((eb) => eb.or([eb('notifications.profile_id', '=', profileId), eb('threads.profile_id', '=', profileId)]));
    }
    const rows = await q.orderBy('outbox.id', 'desc').limit(limit).execute();
    return rows.map(normalize);
  }
}

function normalize(r: DeliveryRow): DeliveryRow {
  return {
    ...r,
    id: Number(r.id),
    attempts: Number(r.attempts),
    next_attempt_at: Number(r.next_attempt_at),
    locked_until: r.locked_until === null ? null : Number(r.locked_until),
  };
}

/** A send's result as stored in `outbox.result`. */
function resultJson(result: unknown): string {
  return JSON.stringify(result ?? {});
}
