import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Envelope } from '../../src/crypto/envelope.ts';
import { KeyRing, decodeMasterKey, generateMasterKey } from '../../src/crypto/keyring.ts';
import { createStore, migrate, openDatabase, type Db } from '../../src/store/index.ts';

/** A WAL flush that the test lets finish (or fail) when it wants, recording which file it flushed. */
class HeldFlushes {
  readonly calls: { fd: number; release: () => void; fail: (e: Error) => void }[] = [];
  private waiters: (() => void)[] = [];
  auto = false;

  readonly dataSync = (fd: number): Promise<void> => {
    if (this.auto) return new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));
    return new Promise<void>((resolve, reject) => {
      this.calls.push({ fd, release: resolve, fail: reject });
      for (const w of this.waiters.splice(0)) w();
    });
  };

  /** Resolves once `n` flushes have started. */
  async started(n: number): Promise<void> {
    while (this.calls.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
}

/** Settles to 'pending' if `p` has not settled by the time already-queued callbacks ran. */
async function stateOf(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => 'resolved' as const, () => 'rejected' as const), new Promise((res) => setImmediate(() => res(marker)))]);
  return r === marker ? 'pending' : (r as 'resolved' | 'rejected');
}

describe('SQLite commits are on disk before anyone hears of them, with the flush off the event loop', () => {
  let dir: string;
  let db: Db;
  let flushes: HeldFlushes;
  let k: Kysely<any>;
  const count = async () => Number((await sql<{ n: number }>`select count(*) as n from t`.execute(k)).rows[0].n);

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-wal-'));
    flushes = new HeldFlushes();
    flushes.auto = true;
    db = openDatabase(`sqlite:${path.join(dir, 'wal.db')}`, { walDataSync: flushes.dataSync });
    k = db.kysely as unknown as Kysely<any>;
    await sql`create table t (id integer primary key, v text)`.execute(k);
    flushes.auto = false;
  });

  afterEach(async () => {
    for (const c of flushes.calls) c.release();
    flushes.auto = true;
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs SQLite at synchronous=NORMAL and flushes the -wal file itself', async () => {
    const mode = await sql<{ synchronous: number }>`pragma synchronous`.execute(k);
    expect(mode.rows[0].synchronous).toBe(1);
    const write = sql`insert into t (v) values ('a')`.execute(k);
    await flushes.started(1);
    const flushed = fs.fstatSync(flushes.calls[0].fd);
    expect(flushed.ino).toBe(fs.statSync(path.join(dir, 'wal.db-wal')).ino);
    flushes.calls[0].release();
    await write;
  });

  it('a transaction resolves only after the flush that follows its commit, and the connection is free meanwhile', async () => {
    const tx = db.kysely.transaction().execute(async (t) => {
      await sql`insert into t (v) values ('in tx')`.execute(t);
    });
    await flushes.started(1);
    expect(await stateOf(tx)).toBe('pending');
    // Committed and readable while the disk catches up: the next statement does not wait for the flush.
    expect(await count()).toBe(1);
    flushes.calls[0].release();
    expect(await stateOf(tx)).toBe('resolved');
  });

  it('commits close in time share flushes: at most one running and one waiting', async () => {
    const writes = Array.from({ length: 50 }, (_, i) => sql`insert into t (v) values (${String(i)})`.execute(k));
    await flushes.started(1);
    // Every other write committed behind the first flush: they all wait for one more.
    expect(await count()).toBe(50);
    flushes.calls[0].release();
    await flushes.started(2);
    expect(await stateOf(writes[49])).toBe('pending');
    flushes.calls[1].release();
    await Promise.all(writes);
    expect(flushes.calls).toHaveLength(2);
  });

  it('reads and rolled-back transactions flush nothing', async () => {
    await count();
    await db.kysely.transaction().execute(async (t) => {
      await sql`select * from t`.execute(t);
    });
    await expect(
      db.kysely.transaction().execute(async (t) => {
        await sql`insert into t (v) values ('undone')`.execute(t);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    // A later write does flush: the first flush seen is its own.
    const write = sql`insert into t (v) values ('kept')`.execute(k);
    await flushes.started(1);
    flushes.calls[0].release();
    await write;
    expect(flushes.calls).toHaveLength(1);
    expect(await count()).toBe(1);
  });

  it('a failed flush fails the write it was for', async () => {
    const write = sql`insert into t (v) values ('x')`.execute(k);
    await flushes.started(1);
    flushes.calls[0].fail(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await expect(write).rejects.toThrow('EIO');
  });
});

describe('an inbound event', () => {
  it('is reported stored (what a webhook 200 waits for) only once its commit is on disk', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-wal-'));
    const flushes = new HeldFlushes();
    flushes.auto = true;
    const db = openDatabase(`sqlite:${path.join(dir, 'hub.db')}`, { walDataSync: flushes.dataSync });
    try {
      await migrate(db);
      const store = createStore(db, new Envelope(new KeyRing([decodeMasterKey(generateMasterKey())])));
      flushes.auto = false;
      const update = { update_id: 1, message: { message_id: 1, chat: { id: 5, type: 'private' }, date: 1763900000, text: 'hi' } };
      const appended = store.inbox.append([{ channel: 'telegram', source: 'bot', externalEventId: '1', orderingKey: 'telegram|bot|5', payload: update }]);
      await flushes.started(1);
      expect(await stateOf(appended)).toBe('pending');
      flushes.auto = true;
      flushes.calls[0].release();
      expect((await appended)[0].duplicate).toBe(false);
    } finally {
      flushes.auto = true;
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('SQLITE_SYNCHRONOUS set by the operator', () => {
  it('is used as given, and SQLite flushes (or not) by itself', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-wal-'));
    const before = process.env.SQLITE_SYNCHRONOUS;
    process.env.SQLITE_SYNCHRONOUS = 'FULL';
    let flushed = 0;
    try {
      const db = openDatabase(`sqlite:${path.join(dir, 'full.db')}`, { walDataSync: async () => void flushed++ });
      const k = db.kysely as unknown as Kysely<any>;
      await sql`create table t (v text)`.execute(k);
      await sql`insert into t values ('a')`.execute(k);
      expect((await sql<{ synchronous: number }>`pragma synchronous`.execute(k)).rows[0].synchronous).toBe(2);
      expect(flushed).toBe(0);
      await db.close();
    } finally {
      if (before === undefined) delete process.env.SQLITE_SYNCHRONOUS;
      else process.env.SQLITE_SYNCHRONOUS = before;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
