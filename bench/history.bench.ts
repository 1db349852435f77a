import { sql } from 'kysely';
import { Envelope } from '../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../src/crypto/keyring.ts';
import { createStore, migrate, openDatabase, type Db } from '../src/store/index.ts';
import { RetentionRepo, pruneInBatches } from '../src/store/retention.ts';
import { freshDatabase } from '../test/helpers/db.ts';
import type { BenchResult } from './run.ts';

const ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 1_000_000);
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DAY = 86_400_000;

/** Fills `n` finished inbox rows and `n` sent outbox rows, all created within the last day. */
async function fill(db: Db, n: number): Promise<void> {
  const at = Date.now() - DAY;
  const payload = JSON.stringify({ update_id: 1, message: { message_id: 1, from: { id: 5, is_bot: false, first_name: 'A' }, chat: { id: 5, type: 'private' }, date: 1763900000, text: 'a message of a typical length, give or take' } });
  const series = db.dialect === 'postgres' ? sql`generate_series(1, ${n}) as s(x)` : sql`(with recursive c(x) as (select 1 union all select x + 1 from c where x < ${n}) select x from c) s`;
  await sql`insert into inbox (channel, source, external_event_id, ordering_key, payload, status, attempts, received_at, processed_at)
    select 'telegram', 'bot', 'e' || x, 'k' || (x % 1000), ${payload}, 'done', 1, ${at}, ${at} from ${series}`.execute(db.kysely);
  await sql`insert into outbox (idempotency_key, user_id, channel, ordering_key, payload, status, attempts, max_attempts, next_attempt_at, created_at, updated_at)
    select 'i' || x, 'u', 'telegram', 'k' || (x % 1000), ${payload}, 'sent', 1, 5, ${at}, ${at}, ${at} from ${series}`.execute(db.kysely);
  if (db.dialect === 'postgres') await sql`analyze`.execute(db.kysely);
}

/** Best of three runs of `fn`, in ms. */
async function best(fn: () => Promise<unknown>): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

/**
 * What a long history costs the periodic readers of a running hub: a `/metrics` depth reading and a
 * retention pass that finds nothing to prune, over BENCH_HISTORY_ROWS (default 1,000,000) finished
 * inbox rows and as many sent outbox rows. For contrast, the full count by status (what the depth
 * gauges read before) and the same pass without its id bound. On SQLite each of these blocks the
 * event loop for its whole duration. PostgreSQL too when BENCH_DATABASE_URL or TEST_DATABASE_URL is set.
 */
export async function bench(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  for (const dialect of PG_URL ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const)) {
    const fresh = await freshDatabase(dialect);
    const db = openDatabase(fresh.url);
    try {
      await migrate(db);
      const store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())])));
      await fill(db, ROWS);
      const repo = new RetentionRepo(db.kysely);
      const cutoff = Date.now() - 30 * DAY;
      const rows = ROWS.toLocaleString('en');
      out.push({ name: `${dialect}: depth reading, ${rows} finished rows`, value: await best(async () => [await store.counts.depth('inbox'), await store.counts.depth('outbox')]), unit: 'ms' });
      out.push({ name: `${dialect}:   full count by status (for contrast)`, value: await best(async () => [await store.counts.all('inbox'), await store.counts.all('outbox')]), unit: 'ms' });
      out.push({ name: `${dialect}: retention pass with nothing to prune`, value: await best(() => pruneInBatches(repo, { cutoff, sleep: async () => {} })), unit: 'ms' });
      out.push({ name: `${dialect}:   the same without the id bound`, value: await best(async () => [await repo.pruneInbox(cutoff, 1000), await repo.pruneOutbox(cutoff, 1000)]), unit: 'ms' });
    } finally {
      await db.close();
      await fresh.drop();
    }
  }
  return out;
}
