import type { Kysely } from 'kysely';
import { isPostgres } from './helpers.ts';

/**
 * Triggers: subscriptions to an event that wake a profile or call a URL. One row per trigger, owned
 * by a user; deleted with its user, integration or profile. A schedule's state (`next_fire_at`) lives
 * in the row, so every replica agrees on it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema
    .createTable('triggers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('integration_id', 'text', (c) => c.references('user_integrations.id').onDelete('cascade'))
    .addColumn('profile_id', 'text', (c) => c.references('agent_profiles.id').onDelete('cascade'))
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('url_display', 'text')
    .addColumn('secrets', 'text')
    .addColumn('interval_minutes', 'integer')
    .addColumn('reply_channel', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('paused_reason', 'text')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('next_fire_at', ts)
    .addColumn('last_fired_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('triggers_user').on('triggers').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('triggers_match').on('triggers').columns(['user_id', 'event', 'status']).execute();
  await db.schema.createIndex('triggers_integration').on('triggers').column('integration_id').execute();
  await db.schema.createIndex('triggers_due').on('triggers').columns(['event', 'status', 'next_fire_at']).execute();
}

/** Drops the table. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('triggers').execute();
}
