import { sql, type RawBuilder } from 'kysely';
import { CompiledStatement } from './compiled-statement.ts';
import type { MessageValues } from './messages.ts';
import type { DeliveryValues } from './outbox.ts';
import { touchQuery } from './threads.ts';

/**
 * PostgreSQL statements that write many rows from one set of array parameters (`unnest`): one
 * statement text whatever the row count, so it is prepared once (see pg-prepared.ts) and a batch of
 * N turns or sends costs one round trip instead of N.
 */

/** A column's name and its PostgreSQL type, as the arrays are cast. */
type Columns<T> = Record<keyof T, 'text' | 'bigint' | 'integer'>;

const MESSAGE_COLUMN_TYPES: Columns<MessageValues> = {
  user_id: 'text', thread_id: 'text', profile_id: 'text', type: 'text', direction: 'text', text: 'text', meta: 'text', inbox_id: 'bigint', created_at: 'bigint',
};

/** The columns of a new delivery that vary; the rest are the constants of a pending row. */
export const QUEUED_COLUMNS = {
  idempotency_key: 'text', user_id: 'text', channel: 'text', integration_id: 'text', notification_id: 'text', thread_id: 'text', ordering_key: 'text', payload: 'text',
  max_attempts: 'integer', next_attempt_at: 'bigint', created_at: 'bigint', updated_at: 'bigint',
} as const satisfies Partial<Columns<DeliveryValues>>;

/** Column-wise arrays of rows: `{ user_id: [a, b], text: [x, y] }` for two rows. */
export type ColumnArrays<T> = { [K in keyof T]: T[K][] };

/** Turns rows into column-wise arrays of `columns`. */
export function columnArrays<T, K extends keyof T>(rows: T[], columns: Record<K, unknown>): ColumnArrays<Pick<T, K>> {
  const out = {} as ColumnArrays<Pick<T, K>>;
  for (const c of Object.keys(columns) as K[]) out[c] = rows.map((r) => r[c]);
  return out;
}

/** `unnest($1::text[], $2::bigint[], …) with ordinality as <alias>(col…, ord)`: the rows of column arrays, with their order. */
function unnestOf(alias: string, columns: Record<string, string>, slot: (column: string) => unknown): RawBuilder<unknown> {
  const names = Object.keys(columns);
  const arrays = names.map((c) => sql`${slot(c)}::${sql.raw(columns[c])}[]`);
  return sql`unnest(${sql.join(arrays)}) with ordinality as ${sql.ref(alias)}(${sql.join(names.map((c) => sql.ref(c)))}, ord)`;
}

/** The parameters of {@link OUTCOMES_UNNEST}. */
export interface OutcomesArrays {
  /** The inbox rows to end; `owner` null: unfenced. */
  finish: { id: number[]; status: string[]; error: (string | null)[]; owner: (string | null)[] };
  /** Threads whose activity moves to `at` (when older than `before`). */
  touch: { ids: string[]; at: number; before: number };
  log: ColumnArrays<MessageValues>;
  queued: ColumnArrays<Pick<DeliveryValues, keyof typeof QUEUED_COLUMNS>>;
  /** Epoch ms. */
  now: number;
}

/**
 * Several turns' outcomes as one statement of data-modifying CTEs: the inbox rows ended (each fenced
 * by its owner when given), the threads touched, the log entries inserted in order, the replies
 * queued (a key that exists keeps its row). Returns the ids of the inbox rows it ended.
 */
export const OUTCOMES_UNNEST = new CompiledStatement<OutcomesArrays, { id: string }>((db, $) => {
  const fin = sql`update inbox i set status = f.status, processed_at = ${$('now')}, locked_until = null, last_error = f.error
    from ${unnestOf('f', { id: 'bigint', status: 'text', error: 'text', owner: 'text' }, (c) => $('finish', c as 'id'))}
    where i.id = f.id and (f.owner is null or (i.lease_owner = f.owner and i.status in ('pending', 'processing')))
    returning i.id`;
  // Built, not raw: an activity stamp leaves the cached thread reads valid (see write-tracker.ts).
  const touched = touchQuery(db, { id: sql<string>`any(${$('touch', 'ids')}::text[])` as unknown as string, at: $('touch', 'at'), before: $('touch', 'before') });
  const logCols = Object.keys(MESSAGE_COLUMN_TYPES).map((c) => sql.ref(c));
  const logged = sql`insert into messages (${sql.join(logCols)})
    select ${sql.join(logCols)} from ${unnestOf('u', MESSAGE_COLUMN_TYPES, (c) => $('log', c as 'text'))} order by ord`;
  const qCols = Object.keys(QUEUED_COLUMNS).map((c) => sql.ref(c));
  const queued = sql`insert into outbox (${sql.join(qCols)}, status, attempts, locked_until, lease_owner, last_error, result, sent_at)
    select ${sql.join(qCols)}, 'pending', 0, null, null, null, null, null from ${unnestOf('u', QUEUED_COLUMNS, (c) => $('queued', c as 'payload'))} order by ord
    on conflict (idempotency_key) do nothing`;
  return sql<{ id: string }>`with fin as (${fin}), touched as (${touched}), logged as (${logged}), queued as (${queued}) select id from fin`;
});

/** The parameters of {@link MARK_SENT_UNNEST}. */
export interface SentArrays {
  id: number[];
  /** Each send's result, as JSON. */
  result: string[];
  /** Epoch ms. */
  now: number;
}

/** Marks several deliveries sent, each with its result (rows no longer pending or sending are left). */
export const MARK_SENT_UNNEST = new CompiledStatement<SentArrays>(
  (_db, $) => sql`update outbox o set status = 'sent', result = v.result, sent_at = ${$('now')}, updated_at = ${$('now')}, locked_until = null, last_error = null
    from ${unnestOf('v', { id: 'bigint', result: 'text' }, (c) => $(c as 'id'))}
    where o.id = v.id and o.status in ('pending', 'sending')`,
);
