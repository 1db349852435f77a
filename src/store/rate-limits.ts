import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RateBucket, RateLimiter, Reservation } from '../channel/rate-limiter.ts';
import type { Database } from './schema.ts';

/** A `rate_limits` row: a bucket's theoretical arrival time of its next send (GCRA), epoch ms. */
interface RateLimitsTable {
  key: string;
  tat: number;
}

/** The database's clock in epoch ms (PostgreSQL), so replicas with skewed clocks still agree. */
const PG_NOW = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Rows whose slot is this far in the past are pruned (ms). */
const IDLE_MS = 60_000;

/**
 * The shared send limiter on PostgreSQL: one `rate_limits` row per bucket. A reservation is one
 * statement (one round trip) over its chain of buckets: each bucket's row is upserted with
 * `tat = greatest(tat, slot so far) + interval` under the row lock, so concurrent replicas get
 * distinct slots; a later bucket only while the slot so far is now (see {@link RateLimiter}). The
 * wait comes back on the database's clock. Idle rows are pruned once a minute.
 */
export class RateLimitsRepo implements RateLimiter {
  private readonly db: Kysely<Database & { rate_limits: RateLimitsTable }>;
  private lastPrune = Date.now();

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<{ rate_limits: RateLimitsTable }>();
  }

  async reserve(buckets: readonly RateBucket[], maxWaitMs?: number): Promise<Reservation> {
    const live = buckets.filter((b) => b.intervalMs > 0);
    if (!live.length) return { waitMs: 0 };
    const big = (n: number) => sql`${Math.ceil(n)}::bigint`;
    const n = (i: number) => sql.raw(String(i));
    const ctes: RawBuilder<unknown>[] = [
      sql`clock as (select ${PG_NOW} as now)`,
      sql`a0 as (select now as at from clock)`,
      sql`old as (select tat from rate_limits where key = ${live[0].key})`,
    ];
    live.forEach((b, i) => {
      const interval = big(b.intervalMs);
      const burst = Math.max(1, b.burst);
      // The first bucket is refused past maxWaitMs; a later one is booked only while the slot so far is now.
      const refuse = i === 0 && maxWaitMs !== undefined && Number.isFinite(maxWaitMs) ? sql`where r.tat - ${big((burst - 1) * b.intervalMs)} - (excluded.tat - ${interval}) <= ${big(maxWaitMs)}` : sql``;
      ctes.push(sql`u${n(i + 1)} as (
        insert into rate_limits as r (key, tat)
        select ${b.key}, p.at + ${interval} from a${n(i)} p, clock where p.at <= clock.now
        on conflict (key) do update set tat = greatest(r.tat + ${interval}, excluded.tat) ${refuse}
        returning tat)`);
      ctes.push(sql`a${n(i + 1)} as (select greatest(p.at, u.tat - ${big(burst * b.intervalMs)}) as at from a${n(i)} p, u${n(i + 1)} u)`);
    });
    const ats = live.map((_, i) => sql`(select at from a${n(i + 1)}) as ${sql.ref(`at${i + 1}`)}`);
    const { rows } = await sql<Record<string, number | null>>`
      with ${sql.join(ctes, sql`, `)}
      select (select now from clock) as now, (select tat from old) as old_tat, ${sql.join(ats, sql`, `)}`.execute(this.db);
    const r = rows[0];
    const now = Number(r.now);
    if (Date.now() - this.lastPrune > IDLE_MS) {
      this.lastPrune = Date.now();
      void this.db.deleteFrom('rate_limits').where('tat', '<', now - IDLE_MS).execute().catch(() => undefined);
    }
    if (r.at1 === null) {
      const first = live[0];
      const freeAt = Number(r.old_tat) - (Math.max(1, first.burst) - 1) * first.intervalMs;
      return { retryAfterMs: Math.max(1, freeAt - now) };
    }
    let reserved = 1;
    while (reserved < live.length && r[`at${reserved + 1}`] !== null) reserved++;
    const waitMs = Math.max(0, Number(r[`at${reserved}`]) - now);
    return reserved < live.length ? { waitMs, rest: live.slice(reserved) } : { waitMs };
  }
}
