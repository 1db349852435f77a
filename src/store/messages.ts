import type { Kysely, Selectable } from 'kysely';
import { CompiledStatement, slotsOf, upTo } from './compiled-statement.ts';
import { parseJson } from './json.ts';
import type { Database, MessagesTable } from './schema.ts';

/** A log entry / message row. */
export type MessageRow = Selectable<MessagesTable>;

/** Kinds of log entries. */
export const MESSAGE_TYPES = ['user_message', 'agent_response', 'notification', 'delivery', 'error', 'policy', 'tool_call', 'tool_result', 'agent_stream'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Input of {@link MessagesRepo.add}. */
export interface NewMessage {
  userId: string;
  threadId?: string | null;
  profileId?: string | null;
  type: MessageType;
  direction: 'in' | 'out' | 'system';
  text: string;
  meta?: Record<string, unknown>;
  inboxId?: number | null;
}

/** The row of a log entry written at `now`. */
export function messageRow(m: NewMessage, now: number) {
  return {
    user_id: m.userId,
    thread_id: m.threadId ?? null,
    profile_id: m.profileId ?? null,
    type: m.type,
    direction: m.direction,
    text: m.text,
    meta: JSON.stringify(m.meta ?? {}),
    inbox_id: m.inboxId ?? null,
    created_at: now,
  };
}

/** The columns of a log entry's row. */
export type MessageValues = ReturnType<typeof messageRow>;

/** Every column of {@link MessageValues}. */
export const MESSAGE_COLUMNS = { user_id: true, thread_id: true, profile_id: true, type: true, direction: true, text: true, meta: true, inbox_id: true, created_at: true } as const satisfies Record<keyof MessageValues, true>;

/** The insert of log entries (`rows`, from {@link messageRow}), compiled once per row count. */
export const INSERT_MESSAGES = new CompiledStatement<{ rows: MessageValues[] }>(
  (db, $, n) => db.insertInto('messages').values(upTo(n).map((i) => slotsOf<MessageValues>((c) => $('rows', i, c), MESSAGE_COLUMNS))),
  (p) => p.rows.length,
);

/** The message log: what people said, what agents answered, notifications, delivery outcomes and errors. */
export class MessagesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends an entry; returns its id. */
  async add(m: NewMessage): Promise<number> {
    const r = await this.db.insertInto('messages').values(messageRow(m, Date.now())).returning('id').executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** Appends entries in one statement, in their order (ids ascend with it). */
  async addAll(ms: NewMessage[]): Promise<void> {
    if (ms.length === 0) return;
    const now = Date.now();
    await this.db.insertInto('messages').values(ms.map((m) => messageRow(m, now))).execute();
  }

  /** A user's log, newest first. */
  async list(userId: string, opts: { type?: string; threadId?: string; profileId?: string; limit?: number } = {}): Promise<MessageRow[]> {
    let q = this.db.selectFrom('messages').selectAll().where('user_id', '=', userId);
    if (opts.profileId) q = q.where('profile_id', '=', opts.profileId);
    if (opts.type) q = q.where('type', '=', opts.type);
    if (opts.threadId) q = q.where('thread_id', '=', opts.threadId);
    return q.orderBy('id', 'desc').limit(opts.limit ?? 50).execute();
  }

  /** The last `limit` conversation messages of a thread after `since`, oldest first. */
  async history(threadId: string, since: number, limit: number): Promise<MessageRow[]> {
    const rows = await this.db
      .selectFrom('messages')
      .selectAll()
      .where('thread_id', '=', threadId)
      .where('type', 'in', ['user_message', 'agent_response', 'notification'])
      .where('created_at', '>', since)
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.reverse();
  }

  /** Entries of some types recorded during one inbox row's turn (tool calls, an open stream), oldest first. */
  async ofInbox(inboxId: number, types: readonly MessageType[]): Promise<MessageRow[]> {
    return this.db.selectFrom('messages').selectAll().where('inbox_id', '=', inboxId).where('type', 'in', [...types]).orderBy('id').execute();
  }

  /** The entry recorded for an inbox row, if its turn already happened. */
  async byInboxId(inboxId: number): Promise<MessageRow | undefined> {
    return this.db.selectFrom('messages').selectAll().where('inbox_id', '=', inboxId).where('type', '=', 'user_message').executeTakeFirst();
  }
}

/** The JSON view of a log entry. */
export function messageView(m: MessageRow) {
  return {
    id: Number(m.id),
    type: m.type,
    direction: m.direction,
    thread_id: m.thread_id,
    profile_id: m.profile_id,
    text: m.text,
    meta: parseJson<Record<string, unknown>>(m.meta, {}),
    created_at: new Date(Number(m.created_at)).toISOString(),
  };
}
