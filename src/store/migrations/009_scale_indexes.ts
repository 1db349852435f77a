import { sql, type Kysely } from 'kysely';

/**
 * Indexes for hubs with many integrations per user (thousands of Telegram bots): a user's default row
 * of a type, or else their oldest, is one index probe (`user_integrations_pick`: user, type, default
 * first, then by age), and so are "has this user any row of this type" and the ordered listing. It
 * replaces `user_integrations_user` (user, type), a prefix of it. Lookups by the platform's id use
 * `user_integrations_external` (type, external_id) from 001.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index user_integrations_pick on user_integrations (user_id, type, is_default desc, created_at)`.execute(db);
  await sql`drop index if exists user_integrations_user`.execute(db);
}

/** Puts the (user, type) index back and drops the new one. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index user_integrations_user on user_integrations (user_id, type)`.execute(db);
  await sql`drop index if exists user_integrations_pick`.execute(db);
}
