import { sql, type Kysely, type Selectable } from 'kysely';
import type { AppendResult, InboxEvent } from '../channel/services.ts';
import type { Dialect } from './db.ts';
import type { Database, InboxTable } from './schema.ts';

/** An inbox row. */
export type InboxRow = Selectable<InboxTable>;

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
  async append(events: InboxEvent[]): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    const now = Date.now();
    const inserted = await this.db
      .insertInto('inbox')
      .values(
        events.map((e) => ({
          channel: e.channel,
          source: e.source,
          external_event_id: e.externalEventId,
          ordering_key: e.orderingKey,
          payload: JSON.stringify(e.payload),
          status: 'pending',
          attempts: 0,
          locked_until: null,
          last_error: null,
          received_at: now,
          processed_at: null,
        })),
      )
      .onConflict((oc) => oc.columns(['channel', 'source', 'external_event_id']).doNothing())
      .returning(['id', 'channel', 'source', 'external_event_id'])
      .execute();
    const key = (c: string, s: string, e: string) => `${c}\u0000${s}\u0000${e}`;
    const fresh = new Map(inserted.map((r) => [key(r.channel, r.source, r.external_event_id), Number(r.id)]));
    const results: AppendResult[] = [];
    for (const e of events) {
      const k = key(e.channel, e.source, e.externalEventId);
      const id = fresh.get(k);
      if (id !== undefined) {
        results.push({ id, duplicate: false });
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
   * Leases up to `limit` pending rows in arrival order. The worker chains rows of one ordering key,
   * so a key is handled in order; this assumes one hub process per database.
   */
  async claim(limit: number, leaseMs: number): Promise<InboxRow[]> {
    const now = Date.now();
    const lock = this.dialect === 'postgres' ? sql`for update skip locked` : sql``;
    const r = await sql<InboxRow>`
      update inbox set status = 'processing', locked_until = ${now + leaseMs}, attempts = attempts + 1
      where id in (
        select i.id from inbox i
        where i.status = 'pending' and i.status in ('pending', 'processing')
        order by i.id
        limit ${limit}
        ${lock})
      returning *`.execute(this.db);
    return r.rows.map((row) => ({ ...row, id: Number(row.id) })).sort((a, b) => a.id - b.id);
  }

  /** Puts rows whose lease expired (a crashed worker's) back to pending; returns how many. */
  async recoverExpired(): Promise<number> {
    const r = await sql`
      update inbox set status = 'pending', locked_until = null
      where status = 'processing' and status in ('pending', 'processing') and locked_until < ${Date.now()}`.execute(this.db);
    return Number(r.numAffectedRows ?? 0);
  }

  /** Ends a row: `done`, `ignored` (not for us / unsupported) or `failed`. */
  async finish(id: number, status: 'done' | 'ignored' | 'failed', error?: string): Promise<void> {
    await this.db
      .updateTable('inbox')
      .set({ status, processed_at: Date.now(), locked_until: null, last_error: error ?? null })
      .where('id', '=', id)
      .execute();
  }

  /** Hands a leased row back untouched (shutdown before it started). */
  async release(id: number): Promise<void> {
    await this.db.updateTable('inbox').set({ status: 'pending', locked_until: null }).where('id', '=', id).where('status', '=', 'processing').execute();
  }

  /** Counts rows by status (for health and tests). */
  async counts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('inbox')
      .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  async byId(id: number): Promise<InboxRow | undefined> {
    return this.db.selectFrom('inbox').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
