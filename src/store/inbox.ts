import { sql, type Kysely, type Selectable } from 'kysely';
import type { AppendResult, InboxEvent } from '../channel/services.ts';
import { CompiledStatement, slotsOf } from './compiled-statement.ts';
import type { Dialect } from './db.ts';
import { openConversations, type AppendLease } from './leased-inserts.ts';
import type { Database, InboxTable } from './schema.ts';

/** An inbox row. */
export type InboxRow = Selectable<InboxTable>;

/** A process tried to end a row whose lease another process has taken over meanwhile; nothing was written. */
export class LeaseLostError extends Error {
  constructor(readonly inboxId: number) {
    super(`inbox row ${inboxId} was taken over by another process`);
    this.name = 'LeaseLostError';
  }
}

/** The durable inbox: raw inbound events, deduped, handled in order per ordering key. */
export class InboxRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  /**
   * Commits events; an event already present (same channel, source, event id) is reported as a
   * duplicate and not stored again. Resolves only after the commit.
   */
  async append(events: InboxEvent[], lease?: AppendLease): Promise<AppendResult[]> {
    if (lease) [lease.rows, lease.behind] = [[], []];
    if (events.length === 0) return [];
    const now = Date.now();
    const values = events.map((e) => ({
      channel: e.channel,
      source: e.source,
      external_event_id: e.externalEventId,
      ordering_key: e.orderingKey,
      payload: JSON.stringify(e.payload),
      status: 'pending',
      attempts: 0,
      locked_until: null as number | null,
      lease_owner: null as string | null,
      last_error: null,
      received_at: now,
      processed_at: null,
    }));
    // SQLite only (see InsertLease): one connection makes the probe and the insert atomic.
    const leased = lease && this.dialect === 'sqlite' ? await leaseHeads(this.db, values, lease, now) : new Set<number>();
    const inserted = await this.db
      .insertInto('inbox')
      .values(values)
      .onConflict((oc) => oc.columns(['channel', 'source', 'external_event_id']).doNothing())
      .returning(['id', 'channel', 'source', 'external_event_id'])
      .execute();
    const key = (c: string, s: string, e: string) => `${c}\u0000${s}\u0000${e}`;
    const fresh = new Map(inserted.map((r) => [key(r.channel, r.source, r.external_event_id), Number(r.id)]));
    const results: AppendResult[] = [];
    for (const [i, e] of events.entries()) {
      const k = key(e.channel, e.source, e.externalEventId);
      const id = fresh.get(k);
      if (id !== undefined) {
        results.push({ id, duplicate: false });
        if (leased.has(i)) lease!.rows.push(normalize({ ...values[i], id } as InboxRow));
        fresh.delete(k); // the same event twice in one batch: the second is a duplicate
      } else {
        const existing = await this.db
          .selectFrom('inbox')
          .select('id')
          .where('channel', '=', e.channel)
          .where('source', '=', e.source)
          .where('external_event_id', '=', e.externalEventId)
          .executeTakeFirstOrThrow();
        results.push({ id: Number(existing.id), duplicate: true });
      }
    }
    return results;
  }

  /**
   * Leases the head row (the oldest unfinished one) of up to `limit` conversations, in arrival
   * order, to `owner` for `leaseMs`. A row is never handed out while an older row of its ordering key
   * is pending or processing, whoever holds it: the database decides, so this holds across
   * processes. One statement; `for update skip locked` on PostgreSQL.
   *
   * Pending rows are scanned in id order through `inbox_open` and each is checked with one probe of
   * `inbox_open_ordering`, so the cost follows the pending rows scanned before `limit` heads are found
   * (measured: ~4 ms on SQLite, ~100 ms on PostgreSQL with 7,000 pending rows all blocked behind held heads).
   */
  async claim(limit: number, leaseMs: number, owner: string, now = Date.now()): Promise<InboxRow[]> {
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<InboxRow>`
      update inbox set status = 'processing', locked_until = ${now + leaseMs}, lease_owner = ${owner}, attempts = attempts + 1
      where id in (
        select i.id from inbox i
        where i.status = 'pending' and i.status in ('pending', 'processing')
          and not exists (
            select 1 from inbox o
            where o.ordering_key = i.ordering_key and o.id < i.id and o.status in ('pending', 'processing'))
        order by i.id
        limit ${limit}
        ${lock})
      returning *`.execute(this.db);
    return r.rows.map(normalize).sort((a, b) => a.id - b.id);
  }

  /**
   * Leases the head row of each of these conversations (ordering keys) whose head is pending, as
   * {@link claim} would, but probing only these keys: one index lookup each, however many rows wait
   * behind held heads. For a worker that knows which conversations just moved (a row appended, a
   * row finished). Without `for update skip locked` (grouped reads cannot take it): two claimers of
   * one key serialise on the row, and the second finds it no longer pending.
   */
  async claimHeads(keys: string[], leaseMs: number, owner: string, now = Date.now()): Promise<InboxRow[]> {
    if (keys.length === 0) return [];
    // PostgreSQL: a lateral probe per key, one index lookup each, gathered once into an array (as a
    // plain `id in (…)` the planner may re-run the probes for every pending row when its statistics
    // are thin). SQLite plans the grouped form as one probe per key.
    const target =
      this.dialect === 'postgres'
        ? sql`id = any(array(select h.id from unnest(${keys}::text[]) k(key) cross join lateral (
            select o.id, o.status from inbox o
            where o.ordering_key = k.key and o.status in ('pending', 'processing')
            order by o.id limit 1) h
          where h.status = 'pending'))`
        : sql`id in (select min(h.id) from inbox h
            where h.ordering_key in (${sql.join(keys)}) and h.status in ('pending', 'processing')
            group by h.ordering_key)`;
    const r = await sql<InboxRow>`
      update inbox set status = 'processing', locked_until = ${now + leaseMs}, lease_owner = ${owner}, attempts = attempts + 1
      where ${target} and status = 'pending'
      returning *`.execute(this.db);
    return r.rows.map(normalize).sort((a, b) => a.id - b.id);
  }

  /** Extends the lease of every row `owner` is processing to `now + leaseMs`; returns how many. */
  async heartbeat(owner: string, leaseMs: number, now = Date.now()): Promise<number> {
    const r = await sql`
      update inbox set locked_until = ${now + leaseMs}
      where status = 'processing' and status in ('pending', 'processing') and lease_owner = ${owner}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /**
   * Puts rows whose lease ended before `now` (a stopped process's) back to pending; returns how many.
   * The last owner stays recorded until someone claims the row.
   */
  async recoverExpired(now = Date.now()): Promise<number> {
    const r = await sql`
      update inbox set status = 'pending', locked_until = null
      where status = 'processing' and status in ('pending', 'processing') and locked_until < ${now}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Puts every processing row back to pending, leases or not: for a single process (SQLite) at start. */
  async takeBackAll(): Promise<number> {
    const r = await sql`
      update inbox set status = 'pending', locked_until = null
      where status = 'processing' and status in ('pending', 'processing')`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /**
   * Ends a row: `done`, `ignored` (not for us / unsupported) or `failed`. With `owner`, only while
   * that process still has the row (processing, or taken back but not claimed by another yet);
   * otherwise nothing is written and {@link LeaseLostError} is thrown, so a transaction around it rolls back.
   */
  async finish(id: number, status: 'done' | 'ignored' | 'failed', error?: string, owner?: string | null): Promise<void> {
    const r = await FINISH_ROW.execute(this.db, { id, status, error: error ?? null, owner: owner || null, now: Date.now() });
    if (owner && Number(r.numAffectedRows ?? 0) === 0) throw new LeaseLostError(id);
  }

  async byId(id: number): Promise<InboxRow | undefined> {
    const r = await this.db.selectFrom('inbox').selectAll().where('id', '=', id).executeTakeFirst();
    return r && normalize(r);
  }
}

/** The parameters of {@link FINISH_ROW}. */
export interface FinishParams {
  id: number;
  status: 'done' | 'ignored' | 'failed';
  error: string | null;
  /** Fences the update: only while this process still has the row (see {@link InboxRepo.finish}); null for none. */
  owner: string | null;
  /** Epoch ms. */
  now: number;
}

/** The statement that ends an inbox row, built from placeholders or values; `fenced` adds the `owner` fence. */
function finishQuery(db: Kysely<Database>, p: FinishParams, fenced: boolean) {
  const q = db.updateTable('inbox').set({ status: p.status, processed_at: p.now, locked_until: null, last_error: p.error }).where('id', '=', p.id);
  return fenced ? q.where('lease_owner', '=', p.owner).where('status', 'in', ['pending', 'processing']) : q;
}

/** Every field of {@link FinishParams}. */
const FINISH_FIELDS = { id: true, status: true, error: true, owner: true, now: true } as const satisfies Record<keyof FinishParams, true>;

/** {@link finishQuery}, compiled once: fenced when `owner` is given. */
export const FINISH_ROW = new CompiledStatement<FinishParams>(
  (db, $, fenced) => finishQuery(db, slotsOf((f) => $(f), FINISH_FIELDS), fenced === 1),
  (p) => (p.owner ? 1 : 0),
);

function normalize(r: InboxRow): InboxRow {
  return { ...r, id: Number(r.id), attempts: Number(r.attempts), locked_until: r.locked_until === null ? null : Number(r.locked_until) };
}

/**
 * Leases (in `values`, before the insert) the first event of each conversation among them that has
 * no open row, up to `lease.places`; records in `lease.behind` the conversations whose events stay
 * pending. Returns the indexes of the leased events.
 */
async function leaseHeads(db: Kysely<Database>, values: { ordering_key: string; status: string; attempts: number; locked_until: number | null; lease_owner: string | null }[], lease: AppendLease, now: number): Promise<Set<number>> {
  const open = lease.places > 0 ? await openConversations(db, [...new Set(values.map((v) => v.ordering_key))]) : undefined;
  const leased = new Set<number>();
  const behind = new Set<string>();
  for (const [i, v] of values.entries()) {
    if (!open || open.has(v.ordering_key) || leased.size >= lease.places) {
      behind.add(v.ordering_key);
      continue;
    }
    Object.assign(v, { status: 'processing', attempts: 1, locked_until: now + lease.leaseMs, lease_owner: lease.owner });
    open.add(v.ordering_key);
    leased.add(i);
  }
  lease.behind = [...behind];
  return leased;
}
