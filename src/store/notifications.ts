import type { Kysely, Selectable } from 'kysely';
import { newId } from '../crypto/tokens.ts';
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
