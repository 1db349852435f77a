import { sql, type Kysely } from 'kysely';
import { isPostgres, serialId } from './helpers.ts';

/** The foundation tables. */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'bigint' : 'integer';

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text')
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hint', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_used_at', ts)
    .execute();

  await db.schema
    .createTable('agent_profiles')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agent_kind', 'text', (c) => c.notNull())
    .addColumn('agent_url', 'text')
    .addColumn('agent_secret', 'text')
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addUniqueConstraint('agent_profiles_user_name', ['user_id', 'name'])
    .execute();

  await db.schema
    .createTable('user_integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('status_reason', 'text')
    .addColumn('config', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('user_integrations_user').on('user_integrations').columns(['user_id', 'type']).execute();
  await db.schema
    .createIndex('user_integrations_external')
    .on('user_integrations')
    .columns(['type', 'external_id'])
    .execute();

  await db.schema
    .createTable('grants')
    .addColumn('profile_id', 'text', (c) => c.notNull().references('agent_profiles.id').onDelete('cascade'))
    .addColumn('integration_id', 'text', (c) => c.notNull().references('user_integrations.id').onDelete('cascade'))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('grants_pk', ['profile_id', 'integration_id'])
    .execute();
  await db.schema.createIndex('grants_integration').on('grants').column('integration_id').execute();

  await db.schema
    .createTable('identity_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('integration_id', 'text', (c) => c.references('user_integrations.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_user_id', 'text', (c) => c.notNull())
    .addColumn('external_chat_id', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('identity_links_lookup')
    .on('identity_links')
    .columns(['channel', 'external_user_id'])
    .execute();

  await db.schema
    .createTable('threads')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('profile_id', 'text', (c) => c.references('agent_profiles.id').onDelete('set null'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text', (c) => c.references('user_integrations.id').onDelete('set null'))
    .addColumn('thread_key', 'text', (c) => c.notNull().unique())
    .addColumn('external_key', 'text', (c) => c.notNull())
    .addColumn('reply_target', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('reset_at', ts, (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('last_message_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('threads_user').on('threads').columns(['user_id', 'last_message_at']).execute();

  await serialId(db, 'messages')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.references('threads.id').onDelete('cascade'))
    .addColumn('profile_id', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('meta', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('inbox_id', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messages_user_type').on('messages').columns(['user_id', 'type', 'id']).execute();
  await db.schema.createIndex('messages_thread').on('messages').columns(['thread_id', 'id']).execute();
  await db.schema.createIndex('messages_inbox').on('messages').column('inbox_id').execute();

  await serialId(db, 'inbox')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_event_id', 'text', (c) => c.notNull())
    .addColumn('ordering_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('locked_until', ts)
    .addColumn('last_error', 'text')
    .addColumn('received_at', ts, (c) => c.notNull())
    .addColumn('processed_at', ts)
    .addUniqueConstraint('inbox_dedupe', ['channel', 'source', 'external_event_id'])
    .execute();
  // Only unfinished rows matter to the workers: partial indexes keep claims cheap however long the history.
  await db.schema.createIndex('inbox_open').on('inbox').columns(['status', 'id']).where('status', 'in', ['pending', 'processing']).execute();
  await db.schema.createIndex('inbox_open_ordering').on('inbox').columns(['ordering_key', 'id']).where(sql.ref('status'), 'in', ['pending', 'processing']).execute();

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('claim', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('channels', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addUniqueConstraint('notifications_idempotency', ['profile_id', 'idempotency_key'])
    .execute();

  await serialId(db, 'outbox')
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text')
    .addColumn('notification_id', 'text')
    .addColumn('thread_id', 'text')
    .addColumn('ordering_key', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', ts, (c) => c.notNull())
    .addColumn('locked_until', ts)
    .addColumn('last_error', 'text')
    .addColumn('result', 'text')
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('sent_at', ts)
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).where('status', 'in', ['pending', 'sending']).execute();
  await db.schema.createIndex('outbox_open_ordering').on('outbox').columns(['ordering_key', 'id']).where(sql.ref('status'), 'in', ['pending', 'sending']).execute();
  await db.schema.createIndex('outbox_user').on('outbox').columns(['user_id', 'id']).execute();
  await db.schema.createIndex('outbox_notification').on('outbox').column('notification_id').execute();
  await db.schema.createIndex('outbox_integration').on('outbox').columns(['integration_id', 'status']).execute();

  await db.schema
    .createTable('encryption_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('check_value', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('link_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('integration_id', 'text', (c) => c.references('user_integrations.id').onDelete('cascade'))
    .addColumn('expires_at', ts, (c) => c.notNull())
    .addColumn('used_at', ts)
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('claims')
    .addColumn('claim_key', 'text', (c) => c.primaryKey())
    .addColumn('notification_id', 'text', (c) => c.notNull().references('notifications.id').onDelete('cascade'))
    .addColumn('profile_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .execute();
}

/** Drops everything `up` made. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of [
    'claims',
    'link_codes',
    'encryption_keys',
    'outbox',
    'notifications',
    'inbox',
    'messages',
    'threads',
    'identity_links',
    'grants',
    'user_integrations',
    'agent_profiles',
    'api_keys',
    'users',
  ]) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
