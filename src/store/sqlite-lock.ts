import os from 'node:os';
import SQLite from 'better-sqlite3';
import { touchPrivate } from '../private-files.ts';

/** The hub that holds a SQLite database, as its lock file records it. */
export interface LockHolder {
  pid: number;
  /** Epoch ms. */
  startedAt: number;
  host: string;
}

/** Refusal to open a SQLite database another hub process holds. */
export class DatabaseInUseError extends Error {
  constructor(
    readonly file: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder ? `process ${holder.pid} on ${holder.host}, started ${new Date(holder.startedAt).toISOString()}` : 'another process';
    super(
      `The SQLite database ${file} is in use by another Switchboard hub (${who}). SQLite serves one hub process: ` +
        'stop the other one first, or run several replicas on PostgreSQL (DATABASE_URL=postgres://…).',
    );
    this.name = 'DatabaseInUseError';
  }
}

/** A held lock; `release()` gives it up (the OS also drops it when the process dies, even by SIGKILL). */
export interface SqliteLock {
  readonly file: string;
  release(): void;
}

/** The lock file beside a database: `<file>.lock`. */
export const lockFileOf = (dbFile: string) => `${dbFile}.lock`;

/**
 * Takes the single-process lock of a SQLite database: a small SQLite file beside it (`<file>.lock`)
 * in which this process keeps a write transaction open. SQLite's file locks belong to the process,
 * so the OS releases them when it exits in any way (kill -9 included): a stale lock never blocks a
 * restart, and a reused pid never fakes a live one. The holder's pid, host and start time are
 * committed first so a refused process can name it. Throws {@link DatabaseInUseError} when held.
 */
export function acquireSqliteLock(dbFile: string): SqliteLock {
  const file = lockFileOf(dbFile);
  touchPrivate(file);
  const db = new SQLite(file, { timeout: 0 });
  const refuse = (): never => {
    let holder: LockHolder | undefined;
    try {
      const row = db.prepare('select pid, started_at, host from holder').get() as { pid: number; started_at: number; host: string } | undefined;
      if (row) holder = { pid: row.pid, startedAt: row.started_at, host: row.host };
    } catch {
      // an older or half-written lock file: the refusal names no holder
    }
    db.close();
    throw new DatabaseInUseError(dbFile, holder);
  };
  try {
    db.exec('begin immediate');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') refuse();
    db.close();
    throw e;
  }
  db.exec('create table if not exists holder (pid integer not null, started_at integer not null, host text not null)');
  db.exec('delete from holder');
  db.prepare('insert into holder (pid, started_at, host) values (?, ?, ?)').run(process.pid, Date.now(), os.hostname());
  db.exec('commit');
  // Between the commit and this begin another process may win the race; then it holds the lock.
  try {
    db.exec('begin immediate');
  } catch (e) {
    if ((e as { code?: string }).code === 'SQLITE_BUSY') refuse();
    db.close();
    throw e;
  }
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      db.exec('rollback');
      db.close();
    },
  };
}
