import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../../src/crypto/keyring.ts';
import { createStore, migrate, openDatabase, type Db, type Store } from '../../src/store/index.ts';

/** The databases every store test runs on: SQLite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DIALECTS: ('sqlite' | 'postgres')[] = process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

/** A fresh, empty database of a dialect and a function that removes it. */
export async function freshDatabase(dialect: 'sqlite' | 'postgres'): Promise<{ url: string; dataDir: string; drop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-test-'));
  if (dialect === 'sqlite') {
    return { url: `sqlite:${path.join(dataDir, 'test.db')}`, dataDir, drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const base = process.env.TEST_DATABASE_URL!;
  const name = `sb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A migrated store on a fresh database of a dialect, with one user when `email` is given (else `userId` is ''); `close()` closes and drops it. */
export async function freshStore(dialect: 'sqlite' | 'postgres', email?: string): Promise<{ db: Db; store: Store; userId: string; close: () => Promise<void> }> {
  const fresh = await freshDatabase(dialect);
  const db = openDatabase(fresh.url);
  await migrate(db);
  const store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())])));
  const userId = email ? (await store.users.create({ email })).id : '';
  return {
    db,
    store,
    userId,
    async close() {
      await db.close();
      await fresh.drop();
    },
  };
}
