import { sql, type Kysely } from 'kysely';
import type { Dialect } from './db.ts';
import { finishQuery, LeaseLostError } from './inbox.ts';
import { messageRow, type NewMessage } from './messages.ts';
import { insertDeliveries, type NewDelivery } from './outbox.ts';
import type { Database } from './schema.ts';
import { touchQuery } from './threads.ts';

/** What a turn leaves behind when it ends: its log entries, its reply, its thread's activity, the end of its inbox row. */
export interface TurnOutcomeWrite {
  /** Log entries, in order. */
  log: NewMessage[];
  /** The reply to send, if any (kept as it was if its idempotency key exists). */
  delivery?: NewDelivery;
  /** The thread whose activity time moves to now (to the second). */
  threadId: string;
  /** The inbox row: fenced by `owner` when given (see InboxRepo.finish). */
  finish: { id: number; status: 'done' | 'failed'; error?: string; owner?: string | null };
}

/**
 * Writes a turn's outcome. On SQLite, one statement after the other (each takes microseconds). On
 * PostgreSQL, one statement of data-modifying CTEs, so a turn costs one round trip instead of four;
 * if the row's lease was lost, nothing of it may stay: {@link LeaseLostError} is thrown and the
 * transaction around it rolls back, as with the separate statements.
 */
export class TurnOutcomesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async write(o: TurnOutcomeWrite): Promise<void> {
    const now = Date.now();
    const f = o.finish;
    const fin = finishQuery(this.db, f.id, f.status, f.error, f.owner, now);
    const touch = touchQuery(this.db, o.threadId, now);
    const log = o.log.length ? this.db.insertInto('messages').values(o.log.map((m) => messageRow(m, now))) : undefined;
    const out = o.delivery ? insertDeliveries(this.db, [o.delivery], now) : undefined;
    if (this.dialect === 'sqlite') {
      if (log) await log.execute();
      if (out) await out.execute();
      await touch.execute();
      const r = await fin.executeTakeFirst();
      if (f.owner && Number(r.numUpdatedRows) === 0) throw new LeaseLostError(f.id);
      return;
    }
    const parts = [sql`fin as (${fin.returning('id')})`, sql`touched as (${touch})`];
    if (log) parts.push(sql`logged as (${log})`);
    if (out) parts.push(sql`queued as (${out})`);
    const r = await sql<{ n: number }>`with ${sql.join(parts)} select count(*)::int as n from fin`.execute(this.db);
    if (f.owner && Number(r.rows[0]?.n ?? 0) === 0) throw new LeaseLostError(f.id);
  }
}
