import { sql, type Kysely, type Selectable } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import { hasKeyPrefix, likePrefix } from './key-prefix.ts';
import type { Database, NotificationsTable } from './schema.ts';

/** A notification row. */
export type NotificationRow = Selectable<NotificationsTable>;

/** Agents' notify calls. */
export class NotificationsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async create(input: {
    userId: string;
    profileId: string;
    idempotencyKey?: string | null;
    message: string;
    subject?: string | null;
    claim?: boolean;
    channels: string[];
  }): Promise<NotificationRow> {
    const row: NotificationRow = {
      id: newId('ntf'),
      user_id: input.userId,
      profile_id: input.profileId,
      idempotency_key: input.idempotencyKey ?? null,
      message: input.message,
      subject: input.subject ?? null,
      claim: input.claim ? 1 : 0,
      channels: JSON.stringify(input.channels),
      created_at: Date.now(),
    };
    await this.db.insertInto('notifications').values(row).execute();
    return row;
  }

  /** A user's notification by id. */
  async get(userId: string, id: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  }

  /** Internal lookup by id. */
  async byId(id: string): Promise<NotificationRow | undefined> {
    return this.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The notification a profile made with an idempotency key, if any. */
  async byIdempotencyKey(profileId: string, key: string): Promise<NotificationRow | undefined> {
    return this.db
      .selectFrom('notifications')
      .selectAll()
      .where('profile_id', '=', profileId)
      .where('idempotency_key', '=', key)
      .executeTakeFirst();
  }
}

/** A claim: replies to a sent notification message come back to the profile that sent it. */
export interface Claim {
  notificationId: string;
  profileId: string;
  userId: string;
}

/** Claims of sent notification messages, keyed by integration + the adapter's key of the message. */
export class ClaimsRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records claim keys of a sent message (idempotent). */
  async record(integrationId: string, keys: string[], claim: Claim): Promise<void> {
    if (keys.length === 0) return;
    await this.db
      .insertInto('claims')
      .values(
        keys.map((k) => ({
          claim_key: `${integrationId}|${k}`,
          notification_id: claim.notificationId,
          profile_id: claim.profileId,
          user_id: claim.userId,
          created_at: Date.now(),
        })),
      )
      .onConflict((oc) => oc.column('claim_key').doNothing())
      .execute();
  }

  /**
   * Gives the claims of an integration whose key starts with `oldPrefix` (see {@link hasKeyPrefix})
   * `newPrefix` instead (a claim already at the new key is kept). Returns how many moved.
   */
  async rekey(integrationId: string, oldPrefix: string, newPrefix: string): Promise<number> {
    const scope = `${integrationId}|`;
    const rows = await this.db
      .selectFrom('claims')
      .selectAll()
      .where(sql<boolean>`claim_key like ${likePrefix(scope + oldPrefix)} escape '\\'`)
      .execute();
    const moving = rows.filter((r) => hasKeyPrefix(r.claim_key.slice(scope.length), oldPrefix));
    for (const r of moving) {
      const claimKey = scope + newPrefix + r.claim_key.slice(scope.length + oldPrefix.length);
      await this.db
        .insertInto('claims')
        .values({ ...r, claim_key: claimKey })
        .onConflict((oc) => oc.column('claim_key').doNothing())
        .execute();
      await this.db.deleteFrom('claims').where('claim_key', '=', r.claim_key).execute();
    }
    return moving.length;
  }

  /** The claim matching any of `keys` on an integration, if one exists. */
  async find(integrationId: string, keys: string[]): Promise<Claim | undefined> {
    if (keys.length === 0) return undefined;
    const r = await this.db
      .selectFrom('claims')
      .selectAll()
      .where(
        'claim_key',
        'in',
        keys.map((k) => `${integrationId}|${k}`),
      )
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return r && { notificationId: r.notification_id, profileId: r.profile_id, userId: r.user_id };
  }
}
