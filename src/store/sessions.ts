import type { Kysely } from 'kysely';
import { hashToken, randomString } from '../crypto/tokens.ts';
import type { Database } from './schema.ts';

/** The `dashboard_sessions` table (migration 008). */
export interface DashboardSessionsTable {
  token_hash: string;
  user_id: string;
  key_id: string;
  created_at: number;
  expires_at: number;
}

/** A live session: whose it is and which API key opened it. */
export interface SessionInfo {
  userId: string;
  keyId: string;
  expiresAt: number;
}

type SessionsDb = Database & { dashboard_sessions: DashboardSessionsTable };

/** Dashboard sessions. The cookie carries a random token; only its SHA-256 is stored. */
export class SessionsRepo {
  private readonly db: Kysely<SessionsDb>;

  constructor(db: Kysely<Database>) {
    this.db = db as unknown as Kysely<SessionsDb>;
  }

  /** Opens a session valid for `ttlMs`; returns its token (for the cookie only) and expiry (epoch ms). */
  async open(userId: string, keyId: string, ttlMs: number, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const token = `sbs_${randomString(43)}`;
    await this.db.insertInto('dashboard_sessions').values({ token_hash: hashToken(token), user_id: userId, key_id: keyId, created_at: now, expires_at: now + ttlMs }).execute();
    return { token, expiresAt: now + ttlMs };
  }

  /** The session of a token, or undefined when unknown or expired (an expired row is deleted). */
  async find(token: string, now = Date.now()): Promise<SessionInfo | undefined> {
    const row = await this.db.selectFrom('dashboard_sessions').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
    if (!row) return undefined;
    if (Number(row.expires_at) <= now) {
      await this.close(token);
      return undefined;
    }
    return { userId: row.user_id, keyId: row.key_id, expiresAt: Number(row.expires_at) };
  }

  /** Ends a session (sign-out). */
  async close(token: string): Promise<void> {
    await this.db.deleteFrom('dashboard_sessions').where('token_hash', '=', hashToken(token)).execute();
  }

  /** Deletes expired sessions; returns how many. */
  async purgeExpired(now = Date.now()): Promise<number> {
    const r = await this.db.deleteFrom('dashboard_sessions').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
