import type { Kysely } from 'kysely';
import { isPostgres } from './helpers.ts';

/**
 * Dashboard sessions: one row per signed-in browser. Only the SHA-256 of the cookie's token is
 * stored. A session belongs to the API key it was opened with and dies with it (or its user).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema
    .createTable('dashboard_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_id', 'text', (c) => c.notNull().references('api_keys.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('dashboard_sessions_expiry').on('dashboard_sessions').column('expires_at').execute();
  await db.schema.createIndex('dashboard_sessions_user').on('dashboard_sessions').column('user_id').execute();
}

/** Drops the table. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('dashboard_sessions').execute();
}
