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
 * The shared send limiter on PostgreSQL: one `rate_limits` row per bucket. A send reserves its slot
 * in every bucket of its chain with one statement (one round trip): each bucket's row is upserted
 * with `tat = greatest(tat, slot before) + interval`, under the row lock, so concurrent replicas get
 * distinct slots; the wait comes back on the database's clock. Idle rows are pruned once a minute.
 */
export class RateLimitsRepo implements RateLimiter {
  private readonly db: Kysely<Database & { rate_limits: RateLimitsTable }>;
  private lastPrune = 0;

  constructor(db: Kysely<Database>) {
    this.db = db.withTables<{ rate_limits: RateLimitsTable }>();
  }

  async reserve(buckets: readonly RateBucket[], maxWaitMs?: number): Promise<Reservation> {
    const live = buckets.filter((b) => b.intervalMs > 0);
    if (!live.length) return { waitMs: 0 };
    const big = (n: number) => sql`${Math.ceil(n)}::bigint`;
    const ctes: RawBuilder<unknown>[] = [sql`clock as (select ${PG_NOW} as now)`, sql`a0 as (select now as at from clock)`];
    ctes.push(sql`old as (select tat from rate_limits where key = ${live[0].key})`);
    live.forEach((b, i) => {
      const interval = big(b.intervalMs);
      const guard =
        i === 0 && maxWaitMs !== undefined && Number.isFinite(maxWaitMs)
          ? sql`where r.tat - ${big((Math.max(1, b.burst) - 1) * b.intervalMs)} - (excluded.tat - ${interval}) <= ${big(maxWaitMs)}`
          : sql``;
      ctes.push(sql`u${sql.raw(String(i + 1))} as (
        insert into rate_limits as r (key, tat)
        select ${b.key}, at + ${interval} from a${sql.raw(String(i))}
        on conflict (key) do update set tat = greatest(r.tat + ${interval}, excluded.tat) ${guard}
        returning tat)`);
      ctes.push(sql`a${sql.raw(String(i + 1))} as (
        select greatest(p.at, u.tat - ${big(Math.max(1, b.burst) * b.intervalMs)}) as at
        from a${sql.raw(String(i))} p, u${sql.raw(String(i + 1))} u)`);
    });
    const last = sql.raw(`a${live.length}`);
    const first = live[0];
    const { rows } = await sql<{ at: number | null; now: number; old_tat: number | null }>`
      with ${sql.join(ctes, sql`, `)}
      select (select at from ${last}) as at, (select now from clock) as now, (select tat from old) as old_tat`.execute(this.db);
    const r = rows[0];
    const now = Number(r.now);
    if (now - this.lastPrune > IDLE_MS) {
      this.lastPrune = now;
      void this.db.deleteFrom('rate_limits').where('tat', '<', now - IDLE_MS).execute().catch(() => undefined);
    }
    if (r.at === null) {
      const freeAt = Number(r.old_tat) - (Math.max(1, first.burst) - 1) * first.intervalMs;
      return { retryAfterMs: Math.max(1, freeAt - now) };
    }
    return { waitMs: Math.max(0, Number(r.at) - now) };
  }
}
