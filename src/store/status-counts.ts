import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The queue tables counted by status. */
export type QueueTable = 'inbox' | 'outbox';

/**
 * The depth statements: the statuses that are work, then those failed for good, each part read
 * through the partial index of its statuses (`inbox_open`, `inbox_failed`, `outbox_due`,
 * `outbox_failed`). The status lists are literals, not parameters, so SQLite can match them to the
 * indexes' conditions.
 */
const DEPTH = {
  inbox: sql<{ status: string; n: number }>`
    select status, count(*) as n from inbox where status in ('pending', 'processing') group by status
    union all
    select status, count(*) as n from inbox where status = 'failed' group by status`,
  outbox: sql<{ status: string; n: number }>`
    select status, count(*) as n from outbox where status in ('pending', 'sending') group by status
    union all
    select status, count(*) as n from outbox where status in ('failed', 'dead') group by status`,
};

/** Rows of the inbox and the outbox per status; a status with no rows is absent. */
export class StatusCountsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Every row of `table` by status: a scan of the whole table, for benchmarks and tests (the gauges use {@link depth}). */
  async all(table: QueueTable): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom(table)
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /**
   * The rows of `table` that are work or failed for good (inbox: pending, processing, failed;
   * outbox: pending, sending, failed, dead), counted by partial indexes: the cost follows the
   * backlog and the failures, never the finished history. For the depth gauges.
   */
  async depth(table: QueueTable): Promise<Record<string, number>> {
    const r = await DEPTH[table].execute(this.db);
    return Object.fromEntries(r.rows.map((row) => [row.status, Number(row.n)]));
  }
}
