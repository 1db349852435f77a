import { sql, type Kysely } from 'kysely';
import { CompiledStatement } from './compiled-statement.ts';
import type { InboxRow } from './inbox.ts';
import { INSERT_DELIVERIES, type DeliveryRow, type DeliveryValues } from './outbox.ts';
import type { Database } from './schema.ts';

/**
 * A row written already leased to this process, so that no claim statement has to find it again
 * (SQLite only: one connection, so the probe for an older open row of its ordering key and the
 * insert are atomic; on PostgreSQL another replica could insert between them).
 */
export interface InsertLease {
  owner: string;
  leaseMs: number;
}

/** A reply's delivery to queue leased when its chat has no older open send; `row` is set by the write. */
export interface ReplyLease extends InsertLease {
  /** The delivery as written, leased (`sending`, first attempt); undefined when it went in pending. */
  row?: DeliveryRow;
  /**
   * Called inside the write when the reply goes in pending behind an open send of its chat (before
   * that send's end can commit), so the end of that send knows to look for it.
   */
  behind?: (orderingKey: string) => void;
}

/**
 * Whether an ordering key has an open (pending or sending) delivery. The status test is spelled as
 * literals: with bound values SQLite cannot use the partial index `outbox_open_ordering` and scans.
 */
const OPEN_DELIVERY = new CompiledStatement<{ key: string }>((_db, $) =>
  sql`select 1 as open from outbox where ordering_key = ${$('key')} and status in ('pending', 'sending') limit 1`,
);

/**
 * Queues one delivery; leased to `lease.owner` (status `sending`, attempt 1) when no older
 * delivery of its ordering key is open, whoever holds it, so the send order per chat stays what the
 * claim would give. Returns the leased row, or undefined when it was queued pending (or its
 * idempotency key existed: the row is kept as it was). Run inside the transaction of the write.
 */
export async function queueDelivery(db: Kysely<Database>, values: DeliveryValues, lease: ReplyLease, now: number): Promise<DeliveryRow | undefined> {
  const open = await OPEN_DELIVERY.execute(db, { key: values.ordering_key });
  if (open.rows.length) {
    lease.behind?.(values.ordering_key);
    await INSERT_DELIVERIES.execute(db, { rows: [values] });
    return undefined;
  }
  const leased = { ...values, status: 'sending', attempts: 1, locked_until: now + lease.leaseMs, lease_owner: lease.owner };
  const r = await INSERT_DELIVERIES.execute(db, { rows: [leased] });
  if (Number(r.numAffectedRows ?? 0) !== 1 || r.insertId === undefined) return undefined;
  return { ...leased, id: Number(r.insertId) };
}

/** Inbound events to append, the head of each quiet conversation leased to this process; `rows` and `behind` are set by the write. */
export interface AppendLease extends InsertLease {
  /** Most rows to lease (the places the inbox worker holds for them). */
  places: number;
  /** The rows appended leased (`processing`, first attempt), in id order. */
  rows: InboxRow[];
  /** Conversations with a row appended pending, behind an open row or in want of a place. */
  behind: string[];
}

/**
 * The conversations among `keys` with an open (pending or processing) inbox row, the status test as
 * literals for the partial index `inbox_open_ordering`.
 */
export async function openConversations(db: Kysely<Database>, keys: string[]): Promise<Set<string>> {
  const r = await sql<{ ordering_key: string }>`select distinct ordering_key from inbox
    where ordering_key in (${sql.join(keys)}) and status in ('pending', 'processing')`.execute(db);
  return new Set(r.rows.map((row) => row.ordering_key));
}
