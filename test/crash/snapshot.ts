/**
 * What the database holds unfinished, read straight from it (not through the hub, so it works while
 * no hub runs): taken right after a kill it names the rows in flight at that moment; taken at the
 * end it names work that never finished.
 */
import SQLite from 'better-sqlite3';
import pg from 'pg';

/** An inbox row not done, ignored or failed. */
export interface OpenInboxRow {
  id: number;
  status: string;
  /** The Telegram message id inside the stored update, when there is one. */
  messageId?: number;
}

/** An outbox row not sent, failed or dead. */
export interface OpenOutboxRow {
  id: number;
  status: string;
  channel: string;
  idempotencyKey: string;
  notificationId: string | null;
  /** The Telegram message the send answers, when it is a reply. */
  replyToMessageId?: number;
}

/** Unfinished rows of the inbox and outbox. */
export interface OpenRows {
  inbox: OpenInboxRow[];
  outbox: OpenOutboxRow[];
}

const INBOX_SQL = `select id, status, payload from inbox where status not in ('done', 'ignored', 'failed') order by id`;
const OUTBOX_SQL = `select id, status, channel, idempotency_key, notification_id, payload from outbox where status not in ('sent', 'failed', 'dead') order by id`;

const json = (v: unknown): any => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
};

/** Reads the unfinished rows of a database (`sqlite:<file>` or `postgres://…`). */
export async function readOpenRows(databaseUrl: string): Promise<OpenRows> {
  let inbox: any[];
  let outbox: any[];
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    try {
      inbox = (await c.query(INBOX_SQL)).rows;
      outbox = (await c.query(OUTBOX_SQL)).rows;
    } finally {
      await c.end();
    }
  } else {
    const db = new SQLite(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), { fileMustExist: true, timeout: 1000 });
    try {
      inbox = db.prepare(INBOX_SQL).all();
      outbox = db.prepare(OUTBOX_SQL).all();
    } finally {
      db.close();
    }
  }
  return {
    inbox: inbox.map((r) => ({ id: Number(r.id), status: r.status, messageId: json(r.payload)?.message?.message_id })),
    outbox: outbox.map((r) => {
      const reply = json(r.payload)?.replyToMessageId;
      return {
        id: Number(r.id),
        status: r.status,
        channel: r.channel,
        idempotencyKey: r.idempotency_key,
        notificationId: r.notification_id,
        ...(reply !== undefined && reply !== null ? { replyToMessageId: Number(reply) } : {}),
      };
    }),
  };
}

/** The rows a worker held (claimed and not finished): in flight. */
export function inFlight(rows: OpenRows): OpenRows {
  return { inbox: rows.inbox.filter((r) => r.status === 'processing'), outbox: rows.outbox.filter((r) => r.status === 'sending') };
}
