import type { Kysely } from 'kysely';
import type { PendingLinkCode } from '../channel/services.ts';
import { hashToken, randomString } from '../crypto/tokens.ts';
import type { Database } from './schema.ts';

/** Letters and digits that cannot be mistaken for each other (no 0/O, 1/I/L). */
export const UNAMBIGUOUS = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** Why a code was refused. */
export type CodeRefusal = 'unknown' | 'expired' | 'used';

/** The owner of a consumed code. */
export interface CodeOwner {
  userId: string;
  integrationId: string | null;
}

/** One-time codes (`/link` claims, pairing deep links, OAuth states). Only hashes are stored. */
export class LinkCodesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Issues a code for a purpose, valid for `ttlMs`: {@link draftLinkCode} then {@link save}. Returns the code
   * (shown once) and its expiry (epoch ms).
   */
  async issue(input: { purpose: string; userId: string; integrationId?: string | null; ttlMs: number; code?: string }): Promise<{ code: string; expiresAt: number }> {
    const pending = draftLinkCode(input);
    await this.save(pending);
    return { code: pending.code, expiresAt: pending.expiresAt };
  }

  /** Stores a code made by {@link draftLinkCode} (its hash only): one insert. */
  async save(p: PendingLinkCode): Promise<void> {
    await this.db
      .insertInto('link_codes')
      .values({
        code_hash: hashToken(`${p.purpose}:${p.code}`),
        purpose: p.purpose,
        user_id: p.userId,
        integration_id: p.integrationId,
        expires_at: p.expiresAt,
        used_at: null,
        created_at: p.createdAt,
      })
      .execute();
  }

  /** Uses a code once. Atomic: of two concurrent consumers only one succeeds. */
  async consume(purpose: string, code: string): Promise<CodeOwner | { refused: CodeRefusal }> {
    const hash = hashToken(`${purpose}:${code}`);
    const now = Date.now();
    const r = await this.db
      .updateTable('link_codes')
      .set({ used_at: now })
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['user_id', 'integration_id'])
      .executeTakeFirst();
    if (r) return { userId: r.user_id, integrationId: r.integration_id };
    const row = await this.db.selectFrom('link_codes').select(['used_at', 'expires_at']).where('code_hash', '=', hash).executeTakeFirst();
    if (!row) return { refused: 'unknown' };
    return { refused: row.used_at !== null ? 'used' : 'expired' };
  }
}

/**
 * A code for a purpose, valid for `ttlMs`, not yet stored (see {@link LinkCodesRepo.save}): a caller
 * that writes other rows too stores it in the same transaction. Default: 10 characters of
 * {@link UNAMBIGUOUS} (about 49 bits).
 */
export function draftLinkCode(input: { purpose: string; userId: string; integrationId?: string | null; ttlMs: number; code?: string }): PendingLinkCode {
  const now = Date.now();
  return { purpose: input.purpose, userId: input.userId, integrationId: input.integrationId ?? null, code: input.code ?? randomString(10, UNAMBIGUOUS), createdAt: now, expiresAt: now + input.ttlMs };
}
