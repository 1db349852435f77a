import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The tables retention prunes. */
export type PrunedTable = 'inbox' | 'outbox' | 'link_codes';

/** Finished inbox states: handled, not for us, or given up. */
const INBOX_FINISHED = ['done', 'ignored', 'failed'];
/** Finished outbox states: sent, refused for good, or dead-lettered. */
const OUTBOX_FINISHED = ['sent', 'failed', 'dead'];
const OUTBOX_OPEN = ['pending', 'sending'];

/**
 * The prune queries of retention. Each call is one autocommitted `DELETE … WHERE key IN (SELECT …
 * LIMIT n)`: it removes at most `limit` rows and holds its locks only for that statement, never a
 * long transaction. Only finished rows older than the cutoff go:
 * - inbox: `done`, `ignored`, `failed` rows finished (`processed_at`, else `received_at`) before it;
 *   pending or processing rows of any age stay. Messages keep their `inbox_id` as history.
 * - outbox: `sent`, `failed`, `dead` rows last updated before it, unless a delivery of the same
 *   notification is still pending or sending (a notification's deliveries go together once all
 *   are finished). Claims point at notifications, not at deliveries, so replies keep routing.
 * - link codes: used before the cutoff, or expired before it; a code still usable always stays.
 */
export class RetentionRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Deletes up to `limit` finished inbox rows finished before `cutoff` (epoch ms); returns how many.
   * Only rows with an id below `below` are looked at (see {@link firstNewId}).
   */
  async pruneInbox(cutoff: number, limit: number, below = Number.MAX_SAFE_INTEGER): Promise<number> {
    const r = await this.db
      .deleteFrom('inbox')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('inbox')
          .select('id')
          .where('id', '<', below)
          .where('status', 'in', INBOX_FINISHED)
          .where(sql<number>`coalesce(processed_at, received_at)`, '<', cutoff)
          .orderBy('id')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /**
   * Deletes up to `limit` finished outbox rows last updated before `cutoff` (epoch ms); returns how
   * many. Only rows with an id below `below` are looked at (see {@link firstNewId}).
   */
  async pruneOutbox(cutoff: number, limit: number, below = Number.MAX_SAFE_INTEGER): Promise<number> {
    const r = await this.db
      .deleteFrom('outbox')
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox as d')
          .select('d.id')
          .where('d.id', '<', below)
          .where('d.status', 'in', OUTBOX_FINISHED)
          .where('d.updated_at', '<', cutoff)
          .where((w) =>
            w.or([
              w('d.notification_id', 'is', null),
              w.not(
                w.exists(
                  w
                    .selectFrom('outbox as o')
                    .select(sql<number>`1`.as('one'))
                    .whereRef('o.notification_id', '=', 'd.notification_id')
                    .where('o.status', 'in', OUTBOX_OPEN),
                ),
              ),
            ]),
          )
          .orderBy('d.id')
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Deletes up to `limit` link codes used or expired before `cutoff` (epoch ms); returns how many. */
  async pruneLinkCodes(cutoff: number, limit: number): Promise<number> {
    const r = await this.db
      .deleteFrom('link_codes')
      .where('code_hash', 'in', (eb) =>
        eb
          .selectFrom('link_codes')
          .select('code_hash')
          .where((w) => w.or([w('used_at', '<', cutoff), w('expires_at', '<', cutoff)]))
          .limit(limit),
      )
      .executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Deletes up to `limit` prunable rows of `table` (inbox and outbox: with an id below `below`); returns how many. */
  prune(table: PrunedTable, cutoff: number, limit: number, below?: number): Promise<number> {
    if (table === 'inbox') return this.pruneInbox(cutoff, limit, below);
    if (table === 'outbox') return this.pruneOutbox(cutoff, limit, below);
    return this.pruneLinkCodes(cutoff, limit);
  }

  /**
   * The first id of `table` from which on every row was created at or after `cutoff` (inbox
   * `received_at`, outbox `created_at`); one past the last id when every row is older, 0 when the
   * table is empty. No row from there on can be prunable (a row finishes after it is created), so a
   * prune bounded by it reads only the old part of the table: without the bound, the last statement
   * of every pass (the one that finds fewer rows than asked) reads the whole history.
   *
   * Ids grow with time, so this is a binary search over the primary key: about log2(rows) point
   * lookups. Where clocks disagree a little (replicas), a row just older than the cutoff may lie past
   * the bound; it is pruned by a later pass. Rows are only ever deleted by the prune's own conditions.
   */
  async firstNewId(table: 'inbox' | 'outbox', cutoff: number): Promise<number> {
    const at = table === 'inbox' ? 'received_at' : 'created_at';
    // Two subqueries: each is one index probe, where `min(id), max(id)` together would scan the table on SQLite.
    const ends = await sql<{ lo: number | null; hi: number | null }>`select (select min(id) from ${sql.table(table)}) as lo, (select max(id) from ${sql.table(table)}) as hi`.execute(this.db);
    const { lo: min, hi: max } = ends.rows[0] ?? { lo: null, hi: null };
    if (min === null || max === null) return 0;
    // The answer is in [lo, hi]: every existing row from hi on is new, and one before lo is old.
    let lo = Number(min);
    let hi = Number(max) + 1;
    // 64 steps cover any id range a double holds exactly; stopping short leaves a lower bound (fewer rows looked at, never more).
    for (let step = 0; lo < hi && step < 64; step++) {
      const mid = Math.floor((lo + hi) / 2);
      const r = await sql<{ id: number; at: number }>`select id, ${sql.ref(at)} as at from ${sql.table(table)} where id >= ${mid} order by id limit 1`.execute(this.db);
      const row = r.rows[0];
      if (!row || Number(row.at) >= cutoff) hi = mid;
      else lo = Number(row.id) + 1;
    }
    return lo;
  }
}

/** Options of {@link pruneInBatches}. */
export interface BatchOptions {
  /** Rows older than this instant (epoch ms) may go. */
  cutoff: number;
  /** Rows per statement. Default 1000. */
  batchSize?: number;
  /** Pause between two statements, in ms, so other writers get the database. Default 100. */
  pauseMs?: number;
  /** How to pause; tests inject their own. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Checked before each statement: true stops early (shutdown). */
  stopped?: () => boolean;
  /** Called after each statement with the rows it deleted. */
  onBatch?: (table: PrunedTable, deleted: number) => void;
}

/** Rows deleted per table by one pass, and the statements it took. */
export interface PruneReport {
  inbox: number;
  outbox: number;
  link_codes: number;
  statements: number;
}

/**
 * One retention pass: for each table, deletes batches of at most `batchSize` rows, pausing
 * `pauseMs` between statements, until a batch comes back short. Every statement commits on its own.
 * The inbox and outbox statements read only rows created before the cutoff ({@link RetentionRepo.firstNewId}).
 */
export async function pruneInBatches(repo: RetentionRepo, o: BatchOptions): Promise<PruneReport> {
  const batchSize = o.batchSize ?? 1000;
  const pauseMs = o.pauseMs ?? 100;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const report: PruneReport = { inbox: 0, outbox: 0, link_codes: 0, statements: 0 };
  for (const table of ['inbox', 'outbox', 'link_codes'] as const) {
    if (o.stopped?.()) return report;
    const below = table === 'link_codes' ? undefined : await repo.firstNewId(table, o.cutoff);
    for (;;) {
      if (o.stopped?.()) return report;
      const n = await repo.prune(table, o.cutoff, batchSize, below);
      report.statements++;
      report[table] += n;
      o.onBatch?.(table, n);
      if (n < batchSize) break;
      await sleep(pauseMs);
    }
  }
  return report;
}
