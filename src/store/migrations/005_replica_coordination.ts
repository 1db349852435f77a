import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers.ts';

/**
 * What replicas on one PostgreSQL database agree on beyond the inbox and outbox:
 * - `leases(name, owner, expires_at)`: named leases, e.g. `telegram-poll:<integrationId>` (the one
 *   replica that long-polls a bot). `expires_at` is epoch ms on the database's clock.
 * - `rate_limits(key, tat)`: the shared send limiter, one row per bucket (a Telegram chat, a bot, a
 *   Slack channel) with its theoretical arrival time `tat` (epoch ms) of the next send (GCRA). On
 *   PostgreSQL it is UNLOGGED: no WAL write and no fsync per send (a bot's row is hot: every send of
 *   the bot updates it); after a server crash it starts empty, which only forgets recent slots.
 * On SQLite (one process) the tables exist too; leases work the same, pacing stays in memory.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('expires_at', ts, (c) => c.notNull())
    .execute();
  if (isPostgres(db)) await sql`create unlogged table rate_limits (key text primary key, tat bigint not null)`.execute(db);
  else await db.schema.createTable('rate_limits').addColumn('key', 'text', (c) => c.primaryKey()).addColumn('tat', ts, (c) => c.notNull()).execute();
  await db.schema.createIndex('rate_limits_tat_idx').on('rate_limits').column('tat').execute();
}

/** Drops the tables `up` created. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').ifExists().execute();
  await db.schema.dropTable('leases').ifExists().execute();
}
