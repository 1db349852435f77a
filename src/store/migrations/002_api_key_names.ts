import type { Kysely } from 'kysely';

/**
 * API keys get a `name` (existing keys are called `default`) and an `is_bootstrap` flag marking the
 * one key that SWITCHBOARD_ADMIN_KEY manages, so a changed value replaces it instead of adding one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('name', 'text', (c) => c.notNull().defaultTo('default')).execute();
  await db.schema.alterTable('api_keys').addColumn('is_bootstrap', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('api_keys_user_idx').on('api_keys').column('user_id').execute();
}

/** Removes the columns and index `up` added. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('api_keys_user_idx').ifExists().execute();
  await db.schema.alterTable('api_keys').dropColumn('is_bootstrap').execute();
  await db.schema.alterTable('api_keys').dropColumn('name').execute();
}
