import { Migrator } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../../src/crypto/keyring.ts';
import { migrationProvider } from '../../src/store/migrations/index.ts';
import { createStore, migrate, openDatabase, type Db, type Store } from '../../src/store/index.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';

/** A getMe answer as Telegram returns it (core.telegram.org/bots/api#getme). */
const GET_ME = {
  id: 7000000042,
  is_bot: true,
  first_name: 'Old Bot',
  username: 'old_bot',
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

/** Rows as the hub wrote them before integration state had its own table. */
async function seedOldStyle(db: Db): Promise<void> {
  const k = db.kysely;
  await k.insertInto('users').values({ id: 'usr_old', email: 'old@example.com', name: null, is_admin: 0, created_at: 1 }).execute();
  const row = (id: string, type: string, isDefault: number, config: unknown, createdAt: number) => ({
    id,
    user_id: 'usr_old',
    type,
    name: id,
    external_id: null,
    is_default: isDefault,
    status: 'active',
    status_reason: null,
    config: JSON.stringify(config),
    secrets: null,
    created_at: createdAt,
    updated_at: createdAt,
  });
  await k
    .insertInto('user_integrations')
    .values([
      row('int_tg_old', 'telegram', 1, { bot: GET_ME, mode: 'webhook', dm_policy: 'allowlist', allow_from: [5], thread_epochs: { '5': 3, '-100:7': 1 } }, 10),
      row('int_tg_two', 'telegram', 1, { bot: { ...GET_ME, id: 7000000043, username: 'two_bot' }, mode: 'polling', dm_policy: 'owner' }, 11),
      row('int_shared', 'telegram', 0, { shared: true, bot: { id: 9, username: 'shared_bot', first_name: 'Shared' }, dm_policy: 'owner', thread_epochs: { '77': 2 } }, 12),
      // What the connect race left behind: two email rows, both default.
      row('int_mail_a', 'email', 1, { from: 'a@example.com', to: ['old@example.com'] }, 20),
      row('int_mail_b', 'email', 1, { from: 'b@example.com', to: ['old@example.com'] }, 21),
    ])
    .execute();
}

describe.each(DIALECTS)('migration 003_integration_state on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const fresh = await freshDatabase(dialect);
    drop = fresh.drop;
    db = openDatabase(fresh.url);
    const { error } = await new Migrator({ db: db.kysely, provider: migrationProvider }).migrateTo('001_initial');
    if (error) throw error;
    await seedOldStyle(db);
    await migrate(db);
    store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())])));
  });
  afterAll(async () => {
    await db.close();
    await drop();
  });

  it('moves thread epochs and getMe out of the config, keeping the settings and a small bot identity', async () => {
    const tg = (await store.integrations.byId('int_tg_old'))!;
    expect(tg.config).toEqual({ bot: { id: GET_ME.id, username: 'old_bot', first_name: 'Old Bot' }, mode: 'webhook', dm_policy: 'allowlist', allow_from: [5] });
    expect(await store.state.get('int_tg_old', 'bot')).toEqual(GET_ME);
    expect(await store.state.get('int_tg_old', 'epoch:5')).toBe(3);
    expect(await store.state.get('int_tg_old', 'epoch:-100:7')).toBe(1);
    expect(await store.state.bump('int_tg_old', 'epoch:5')).toBe(4);
    const shared = (await store.integrations.byId('int_shared'))!;
    expect(shared.config).toEqual({ shared: true, bot: { id: 9, username: 'shared_bot', first_name: 'Shared' }, dm_policy: 'owner' });
    expect(await store.state.get('int_shared', 'epoch:77')).toBe(2);
    expect((await store.integrations.byId('int_mail_a'))!.config).toEqual({ from: 'a@example.com', to: ['old@example.com'] });
  });

  it('leaves one default per user and type, the oldest', async () => {
    const defaults = (await store.integrations.list('usr_old')).filter((i) => i.isDefault).map((i) => i.id);
    expect(defaults.sort()).toEqual(['int_mail_a', 'int_tg_old']);
  });

  it('keeps an old duplicate of a single-row type but guards against new ones', async () => {
    expect((await store.integrations.list('usr_old', 'email')).map((i) => i.id)).toEqual(['int_mail_a', 'int_mail_b']);
    await expect(store.integrations.create({ userId: 'usr_old', type: 'email', name: 'c', singleRow: true })).rejects.toMatchObject({ code: 'integration_exists' });
  });
});
