import { sql, type Kysely } from 'kysely';
import { isPostgres } from './helpers.ts';

/** The fields of a bot's getMe answer that stay in a Telegram integration's config (bounded, fine to show). */
const BOT_IDENTITY = ['id', 'username', 'first_name'] as const;

/**
 * Integration state in its own table, and the database's guarantees for concurrent connects:
 * - `integration_state(integration_id, key, value, updated_at)`: Telegram's `thread_epochs` (one row per
 *   conversation, `epoch:<conv>`) and a bot's full getMe answer (`bot`) move out of the config, which
 *   keeps only `bot: {id, username, first_name}`.
 * - `user_integrations.single_row` with a partial unique index on (user_id, type): one row per user of a
 *   single-row type. Existing rows of types other than `telegram` (the only multi-row type so far) get 1 on
 *   the oldest row per (user, type); older duplicates stay, unguarded, rather than being deleted.
 * - a partial unique index on (user_id, type) where `is_default = 1`: one default per (user, type). Where
 *   several were default, the oldest stays default.
 */
export async function up(db: Kysely<any>): Promise<void> {
  // PostgreSQL runs each migration in a transaction already; SQLite migrations are not wrapped.
  if (db.isTransaction) await migrate(db);
  else await db.transaction().execute((tx) => migrate(tx));
}

async function migrate(db: Kysely<any>): Promise<void> {
  const ts = isPostgres(db) ? 'bigint' : 'integer';
  await db.schema.alterTable('user_integrations').addColumn('single_row', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('integration_state')
    .addColumn('integration_id', 'text', (c) => c.notNull().references('user_integrations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('integration_state_pk', ['integration_id', 'key'])
    .execute();

  const rows: { id: string; user_id: string; type: string; is_default: number; config: unknown; created_at: number }[] = await db
    .selectFrom('user_integrations')
    .select(['id', 'user_id', 'type', 'is_default', 'config', 'created_at'])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const seenSingle = new Set<string>();
  const seenDefault = new Set<string>();
  const now = Date.now();
  for (const r of rows) {
    const group = `${r.user_id}\u0000${r.type}`;
    if (r.type !== 'telegram' && !seenSingle.has(group)) {
      seenSingle.add(group);
      await db.updateTable('user_integrations').set({ single_row: 1 }).where('id', '=', r.id).execute();
    }
    if (Number(r.is_default) === 1) {
      if (seenDefault.has(group)) await db.updateTable('user_integrations').set({ is_default: 0 }).where('id', '=', r.id).execute();
      seenDefault.add(group);
    }
    if (r.type === 'telegram') await moveTelegramState(db, r.id, r.config, now);
  }

  await sql`create unique index user_integrations_single_row on user_integrations (user_id, type) where single_row = 1`.execute(db);
  await sql`create unique index user_integrations_one_default on user_integrations (user_id, type) where is_default = 1`.execute(db);
}

/** Moves `thread_epochs` and the getMe answer of one Telegram row into `integration_state`. */
async function moveTelegramState(db: Kysely<any>, id: string, stored: unknown, now: number): Promise<void> {
  const config = (typeof stored === 'string' ? JSON.parse(stored || '{}') : (stored ?? {})) as Record<string, unknown>;
  const state: { integration_id: string; key: string; value: string; updated_at: number }[] = [];
  const epochs = config.thread_epochs;
  if (epochs && typeof epochs === 'object') {
    for (const [conv, n] of Object.entries(epochs as Record<string, unknown>)) {
      if (Number.isSafeInteger(n) && (n as number) > 0) state.push({ integration_id: id, key: `epoch:${conv}`, value: JSON.stringify(n), updated_at: now });
    }
  }
  const bot = config.bot as Record<string, unknown> | undefined;
  let identity: Record<string, unknown> | undefined;
  if (bot && typeof bot === 'object') {
    identity = Object.fromEntries(BOT_IDENTITY.filter((k) => bot[k] !== undefined).map((k) => [k, bot[k]]));
    if (!config.shared) state.push({ integration_id: id, key: 'bot', value: JSON.stringify(bot), updated_at: now });
  }
  if (!state.length && !('thread_epochs' in config) && JSON.stringify(identity) === JSON.stringify(bot)) return;
  for (let i = 0; i < state.length; i += 200) await db.insertInto('integration_state').values(state.slice(i, i + 200)).execute();
  const rest = { ...config };
  delete rest.thread_epochs;
  await db
    .updateTable('user_integrations')
    .set({ config: JSON.stringify(identity ? { ...rest, bot: identity } : rest) })
    .where('id', '=', id)
    .execute();
}

/** Puts the state back into the configs and drops what `up` added. */
export async function down(db: Kysely<any>): Promise<void> {
  const state: { integration_id: string; key: string; value: string }[] = await db.selectFrom('integration_state').select(['integration_id', 'key', 'value']).execute();
  const byRow = new Map<string, { bot?: unknown; epochs: Record<string, number> }>();
  for (const s of state) {
    const entry = byRow.get(s.integration_id) ?? { epochs: {} };
    if (s.key === 'bot') entry.bot = JSON.parse(s.value);
    else if (s.key.startsWith('epoch:')) entry.epochs[s.key.slice('epoch:'.length)] = Number(JSON.parse(s.value));
    byRow.set(s.integration_id, entry);
  }
  for (const [id, entry] of byRow) {
    const row = await db.selectFrom('user_integrations').select('config').where('id', '=', id).executeTakeFirst();
    if (!row) continue;
    const config = JSON.parse(row.config || '{}') as Record<string, unknown>;
    if (entry.bot) config.bot = entry.bot;
    if (Object.keys(entry.epochs).length) config.thread_epochs = entry.epochs;
    await db.updateTable('user_integrations').set({ config: JSON.stringify(config) }).where('id', '=', id).execute();
  }
  await sql`drop index if exists user_integrations_one_default`.execute(db);
  await sql`drop index if exists user_integrations_single_row`.execute(db);
  await db.schema.dropTable('integration_state').execute();
  await db.schema.alterTable('user_integrations').dropColumn('single_row').execute();
}
