import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../../src/crypto/keyring.ts';
import { createStore, migrate, openDatabase, type Db, type Store } from '../../src/store/index.ts';
import { ReadCache } from '../../src/store/read-cache.ts';
import { DIALECTS, freshDatabase, freshStore } from '../helpers/db.ts';

const envelope = new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())]));

/** Resolves once `check` holds, polling every 10 ms; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ReadCache', () => {
  it('keeps nothing a write raced: a read that started before the write is not stored', async () => {
    const cache = new ReadCache();
    let release!: (v: string) => void;
    const slow = cache.get('user_integrations', 'k', () => new Promise<string>((r) => (release = r)));
    cache.written(['user_integrations']);
    release('old');
    expect(await slow).toBe('old');
    expect(await cache.get('user_integrations', 'k', async () => 'new')).toBe('new');
    expect(await cache.get('user_integrations', 'k', async () => 'newer')).toBe('new');
  });

  it('a write to a table that cascades (users) clears every table; other tables keep theirs', async () => {
    const cache = new ReadCache();
    await cache.get('grants', 'g', async () => ['a']);
    await cache.get('triggers', 't', async () => 1);
    cache.written(['messages']);
    expect(await cache.get('grants', 'g', async () => ['b'])).toEqual(['a']);
    cache.written(['triggers']);
    expect(await cache.get('grants', 'g', async () => ['b'])).toEqual(['a']);
    expect(await cache.get('triggers', 't', async () => 2)).toBe(2);
    cache.written(['users']);
    expect(await cache.get('grants', 'g', async () => ['c'])).toEqual(['c']);
  });

  it('hands out frozen values, so one caller cannot change what the next one reads', async () => {
    const cache = new ReadCache();
    const v = await cache.get('user_integrations', 'k', async () => ({ config: { dm_policy: 'owner' } }));
    expect(() => ((v.config as { dm_policy: string }).dm_policy = 'open')).toThrow(TypeError);
  });
});

describe.each(DIALECTS)('the store read cache on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    ({ db, store, userId, close } = await freshStore(dialect, `cache-${dialect}@example.com`));
    if (dialect === 'postgres') await until(() => db.cache.enabled, 5000, 'the cache listener');
  });
  afterAll(() => close());

  it('serves repeated reads from memory and shows a change at once, in or out of a transaction', async () => {
    const row = await store.integrations.create({ userId, type: 'telegram', name: 'bot', config: { dm_policy: 'owner' } });
    await store.integrations.byId(row.id);
    const hits = db.cache.stats.hits;
    expect((await store.integrations.byId(row.id))!.config).toEqual({ dm_policy: 'owner' });
    expect(db.cache.stats.hits).toBe(hits + 1);

    await store.integrations.update(userId, row.id, { config: { dm_policy: 'open' } });
    expect((await store.integrations.byId(row.id))!.config).toMatchObject({ dm_policy: 'open' });
    await store.transaction((tx) => tx.integrations.setStatus(row.id, 'unhealthy', 'token revoked'));
    expect((await store.integrations.byId(row.id))!.status).toBe('unhealthy');
    // A write straight through the database handle (not a repository) is seen too.
    await db.kysely.updateTable('user_integrations').set({ name: 'renamed' }).where('id', '=', row.id).execute();
    expect((await store.integrations.byId(row.id))!.name).toBe('renamed');
  });

  it('keeps a thread across activity stamps, and sees a reset (which hides history) at once', async () => {
    const input = { userId, profileId: null, channel: 'telegram', integrationId: null, scope: 'scope', externalKey: `chat-${dialect}`, replyTarget: { chat_id: 1 } };
    const thread = await store.threads.upsert(input);
    expect((await store.threads.current(input))!.id).toBe(thread.id);
    await store.threads.touch(thread.id, Date.now() + 5000);
    const hits = db.cache.stats.hits;
    expect((await store.threads.current(input))!.id).toBe(thread.id);
    expect(db.cache.stats.hits).toBe(hits + 1);
    await store.threads.reset(thread.id);
    expect(Number((await store.threads.current(input))!.reset_at)).toBeGreaterThan(0);
  });

  it('forgets a deleted row and the grants and links that went with it', async () => {
    const row = await store.integrations.create({ userId, type: 'telegram', name: 'gone' });
    const profile = (await store.profiles.create(userId, `p-${dialect}`, { kind: 'echo' })).profile;
    await store.grants.grant(profile.id, row.id);
    expect(await store.grants.profilesOf(row.id)).toEqual([profile.id]);
    expect(await store.integrations.byId(row.id)).toBeDefined();
    await store.integrations.delete(userId, row.id);
    expect(await store.integrations.byId(row.id)).toBeUndefined();
    expect(await store.grants.profilesOf(row.id)).toEqual([]);
  });
});

describe.runIf(process.env.TEST_DATABASE_URL)('the read cache across PostgreSQL replicas', () => {
  let a: Db;
  let b: Db;
  let storeA: Store;
  let storeB: Store;
  let drop: () => Promise<void>;
  let userId: string;

  beforeAll(async () => {
    const fresh = await freshDatabase('postgres');
    drop = fresh.drop;
    a = openDatabase(fresh.url);
    b = openDatabase(fresh.url);
    await migrate(a);
    storeA = createStore(a, envelope);
    storeB = createStore(b, envelope);
    userId = (await storeA.users.create({ email: 'replicas@example.com' })).id;
    await until(() => a.cache.enabled && b.cache.enabled, 5000, 'both cache listeners');
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await drop();
  });

  it("sees another replica's committed change without a restart, in or out of its transactions", async () => {
    const row = await storeA.integrations.create({ userId, type: 'telegram', name: 'shared', config: { dm_policy: 'owner' } });
    expect((await storeA.integrations.byId(row.id))!.config).toEqual({ dm_policy: 'owner' });
    await storeB.integrations.update(userId, row.id, { config: { dm_policy: 'open' } });
    await until(async () => (await storeA.integrations.byId(row.id))!.config.dm_policy === 'open', 5000, 'the change on replica A');
    await storeB.transaction((tx) => tx.integrations.setStatus(row.id, 'unhealthy', 'revoked'));
    await until(async () => (await storeA.integrations.byId(row.id))!.status === 'unhealthy', 5000, 'the status on replica A');
  });

  it('reads from the database while the listening connection is lost, and caches again once it is back', async () => {
    const row = await storeA.integrations.create({ userId, type: 'telegram', name: 'listener', config: { n: 1 } });
    await storeA.integrations.byId(row.id);
    const pid = (await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database() and query = 'LISTEN switchboard_cache' and pid <> pg_backend_pid()`.execute(b.kysely)).rows.map((r) => r.pid);
    expect(pid.length).toBe(2);
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query = 'LISTEN switchboard_cache'`.execute(b.kysely);
    await until(() => !a.cache.enabled, 5000, 'replica A to notice its listener is gone');
    await storeB.integrations.update(userId, row.id, { config: { n: 2 } });
    expect((await storeA.integrations.byId(row.id))!.config).toMatchObject({ n: 2 });
    await until(() => a.cache.enabled && b.cache.enabled, 10_000, 'the listeners to come back');
    await storeA.integrations.byId(row.id);
    await storeB.integrations.update(userId, row.id, { config: { n: 3 } });
    await until(async () => (await storeA.integrations.byId(row.id))!.config.n === 3, 5000, 'the change after the listener came back');
  });
});
