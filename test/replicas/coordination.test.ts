import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUseError, migrate, openDatabase, type Db } from '../../src/store/index.ts';
import { LeasesRepo } from '../../src/store/leases.ts';
import { acquireSqliteLock } from '../../src/store/sqlite-lock.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { eventually, startTestHub } from '../helpers/hub.ts';
import { needPostgres } from './pg.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function fresh(dialect: 'sqlite' | 'postgres'): Promise<{ url: string; dataDir: string }> {
  const f = await freshDatabase(dialect);
  cleanup.push(f.drop);
  return f;
}

function open(url: string): Db {
  const db = openDatabase(url);
  cleanup.push(() => db.close());
  return db;
}

describe.each(DIALECTS)('named leases on %s', (dialect) => {
  it('has one holder at a time, renewed by it, taken over once it runs out, freed by release', async () => {
    const db = open((await fresh(dialect)).url);
    await migrate(db);
    const leases = new LeasesRepo(db.kysely, db.dialect);
    expect(await leases.acquire('telegram-poll:x', 'replica-a', 400)).toBe(true);
    expect(await leases.acquire('telegram-poll:x', 'replica-b', 400)).toBe(false);
    expect(await leases.acquire('telegram-poll:x', 'replica-a', 400)).toBe(true);
    expect(await leases.holder('telegram-poll:x')).toBe('replica-a');
    expect(await leases.acquire('telegram-poll:y', 'replica-b', 60_000)).toBe(true);

    // replica-a stops renewing: replica-b gets the lease once it has run out, and replica-a no longer can.
    await eventually(() => leases.acquire('telegram-poll:x', 'replica-b', 60_000), 5000, 50);
    expect(await leases.acquire('telegram-poll:x', 'replica-a', 400)).toBe(false);
    await leases.release('telegram-poll:x', 'replica-a');
    expect(await leases.holder('telegram-poll:x')).toBe('replica-b');
    await leases.release('telegram-poll:x', 'replica-b');
    expect(await leases.holder('telegram-poll:x')).toBeUndefined();
    expect(await leases.acquire('telegram-poll:x', 'replica-a', 400)).toBe(true);
    expect(await leases.holder('telegram-poll:y')).toBe('replica-b');
  });
});

describe('migrations with several replicas', () => {
  it('runs them once when 3 migrators start together on a fresh PostgreSQL database', async (ctx) => {
    needPostgres(ctx);
    const { url } = await fresh('postgres');
    const dbs = [open(url), open(url), open(url)];
    const applied = await Promise.all(dbs.map((db) => migrate(db)));
    const names = applied.find((a) => a.length > 0)!;
    expect(names).toContain('005_replica_coordination');
    expect(applied.filter((a) => a.length > 0)).toHaveLength(1);
    const rows = await dbs[0].kysely.selectFrom('kysely_migration' as never).select('name' as never).execute();
    expect(rows).toHaveLength(names.length);
    expect(await migrate(dbs[1])).toEqual([]);
  });

  it('refuses a pending SQLite migration while a hub holds the file, and lets `keys rotate` (nothing pending) through', async () => {
    const { url } = await fresh('sqlite');
    const file = url.replace(/^sqlite:/, '');
    const lock = acquireSqliteLock(file);
    const db = open(url);
    const refused = await migrate(db).catch((e) => e);
    expect(refused).toBeInstanceOf(DatabaseInUseError);
    expect(refused.message).toMatch(new RegExp(`in use by another Switchboard hub \\(process ${process.pid} on .+, started \\d{4}-`));
    expect(refused.message).toMatch(/PostgreSQL/);
    lock.release();
    expect(await migrate(db)).toContain('005_replica_coordination');

    // A hub on the file now: a tool that only needs the schema as it is opens it beside the hub.
    const hub = await startTestHub({ database: { url, dataDir: (await fresh('sqlite')).dataDir } });
    cleanup.push(() => hub.close());
    expect(await migrate(open(url))).toEqual([]);
    expect(() => openDatabase(url, { singleProcess: true })).toThrow(DatabaseInUseError);
  });
});
