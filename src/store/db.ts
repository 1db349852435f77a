import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import type pgTypes from 'pg';
import { ensurePrivateDir, makePrivate, securePrivateDirIfPresent, touchPrivate } from '../private-files.ts';
import { announcement, CACHE_CHANNEL, CacheListener } from './cache-listener.ts';
import { ReadCache } from './read-cache.ts';
import { acquireSqliteLock, type SqliteLock } from './sqlite-lock.ts';
import { DurableSqliteDialect } from './durable-sqlite.ts';
import { WalSync, type DataSync } from './wal-sync.ts';
import { PreparedNames } from './pg-prepared.ts';
import { WriteTracker } from './write-tracker.ts';
import type { Database } from './schema.ts';

/** The dialect a store runs on. */
export type Dialect = 'sqlite' | 'postgres';

/** A connected database and the dialect behind it. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** The SQLite file (absent for PostgreSQL and `:memory:`). */
  readonly file?: string;
  /** Whether this handle holds the SQLite file's single-process lock (see {@link OpenOptions.singleProcess}). */
  readonly holdsLock?: boolean;
  /** The hot-path read cache, kept exact by the writes this handle (and, on PostgreSQL, every replica) makes. */
  readonly cache: ReadCache;
  /**
   * PostgreSQL: tells the other replicas, inside transaction `tx` (so it arrives at its commit),
   * that these tables were written. SQLite: nothing (one process).
   */
  announce(tx: Kysely<Database>, tables: Iterable<string>): Promise<void>;
  /** Closes the connections (and gives the single-process lock up). */
  close(): Promise<void>;
}

let pgModule: typeof pgTypes | undefined;
/** The PostgreSQL driver, loaded on first use: a hub on SQLite never loads it (a few MB of heap). */
function pgDriver(): typeof pgTypes {
  if (!pgModule) {
    pgModule = createRequire(import.meta.url)('pg') as typeof pgTypes;
    // int8 and numeric counts come back from pg as strings; our values fit in a double.
    pgModule.types.setTypeParser(20, (v) => Number(v));
  }
  return pgModule;
}

/** Options of {@link openDatabase}. */
export interface OpenOptions {
  /**
   * The hub's DATA_DIR: made 0700 at open (existing installs are fixed); created when the database
   * is a SQLite file. The key files in it are narrowed by their own writers.
   */
  dataDir?: string;
  /**
   * SQLite: take the database's single-process lock (`<file>.lock`) for as long as it is open, and
   * refuse with a {@link DatabaseInUseError} when another process holds it. The hub opens its
   * database this way; tools that may run beside it (`keys rotate`) do not. Default false.
   */
  singleProcess?: boolean;
  /** PostgreSQL: most connections in the pool. Default {@link DEFAULT_POOL_SIZE}. */
  poolSize?: number;
  /** SQLite: how the WAL is flushed after a commit (tests hold or count the flushes). Default `fdatasync`. */
  walDataSync?: DataSync;
}

/**
 * Connections of a PostgreSQL pool when not configured: the bus's 256 inbox and 64 outbox workers
 * are bound by round trips, so 10 left the hub idle half the time; 25 keeps it busy.
 */
export const DEFAULT_POOL_SIZE = 25;

/**
 * Opens the database named by `url`: `postgres://…`/`postgresql://…` for PostgreSQL, otherwise
 * `sqlite:<file>`, a bare file path or `:memory:` for SQLite (WAL, busy timeout 5 s). A SQLite file
 * is as durable as with `synchronous=FULL` (the WAL is on disk before a commit is reported), with
 * the flush off the event loop; `SQLITE_SYNCHRONOUS` sets the pragma itself instead.
 */
export function openDatabase(url: string, o: OpenOptions = {}): Db {
  if (o.dataDir) securePrivateDirIfPresent(o.dataDir);
  if (/^postgres(ql)?:\/\//.test(url)) {
    // A lost server must fail calls quickly (the webhooks answer 503) rather than hang them, and
    // half-open connections are noticed by TCP keep-alive.
    // Statements the hub repeats are prepared once per connection instead of parsed and planned each time.
    const prepared = new PreparedNames();
    const pool = new (pgDriver().Pool)({ connectionString: url, max: o.poolSize ?? DEFAULT_POOL_SIZE, connectionTimeoutMillis: 5000, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    // An idle connection the server dropped (restart, failover) must not crash the hub: the pool
    // replaces it on the next query.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection lost: ${err.message}`));
    // A connection lost while checked out emits 'error' on its client, which pg leaves unhandled (an
    // uncaught exception would end the hub). Its query fails anyway, and the pool drops the client
    // when it comes back, so the event needs no more than a listener.
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      prepared.install(client);
    });
    const cache = new ReadCache(false);
    const origin = randomUUID();
    const announce = (k: Kysely<Database>, tables: Iterable<string>) => sql`select pg_notify(${CACHE_CHANNEL}, ${announcement(origin, tables)})`.execute(k).then(() => undefined);
    // A write outside a transaction commits at once: it is announced right after (batched per tick).
    const dirty = new Set<string>();
    const onWrite = (tables: string[]) => {
      cache.written(tables);
      if (dirty.size === 0) setImmediate(() => {
        const t = [...dirty];
        dirty.clear();
        announce(kysely, t).catch(() => undefined);
      });
      for (const t of tables) dirty.add(t);
    };
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins: [new WriteTracker(onWrite)] });
    const listener = new CacheListener(url, cache, origin, pgDriver());
    return {
      kysely,
      dialect: 'postgres',
      cache,
      announce,
      async close() {
        await listener.close();
        await kysely.destroy();
      },
    };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') preparePrivateFile(file, o.dataDir);
  const lock: SqliteLock | undefined = o.singleProcess && file !== ':memory:' ? acquireSqliteLock(file) : undefined;
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file, { timeout: 5000 });
  } catch (e) {
    lock?.release();
    throw e;
  }
  const wal = (sqlite.pragma('journal_mode = WAL', { simple: true }) as string) === 'wal';
  // SQLite gives -wal/-shm the database file's mode; files an older version left are narrowed here.
  if (file !== ':memory:') for (const suffix of ['-wal', '-shm', '-journal']) makePrivate(file + suffix);
  // Default: FULL durability with the WAL flush off the event loop (DurableSqliteDialect).
  const flushOffLoop = wal && !process.env.SQLITE_SYNCHRONOUS;
  sqlite.pragma(`synchronous = ${flushOffLoop ? 'NORMAL' : (process.env.SQLITE_SYNCHRONOUS ?? 'FULL')}`);
  sqlite.pragma('foreign_keys = ON');
  const cache = new ReadCache();
  const database = withStatementCache(sqlite);
  const state = { get inTransaction() { return sqlite.inTransaction; }, isReadOnly: (text: string) => (database.prepare(text) as unknown as SQLite.Statement).readonly };
  const dialect = flushOffLoop ? new DurableSqliteDialect({ database }, state, new WalSync(`${file}-wal`, o.walDataSync)) : new SqliteDialect({ database });
  const kysely = new Kysely<Database>({ dialect, plugins: [new WriteTracker((t) => cache.written(t))] });
  return {
    kysely,
    dialect: 'sqlite',
    cache,
    announce: async () => undefined,
    ...(file !== ':memory:' ? { file } : {}),
    holdsLock: lock !== undefined,
    async close() {
      await kysely.destroy();
      lock?.release();
    },
  };
}

/**
 * Owner-only files for a SQLite database: the data dir 0700, the database's own directory 0700
 * when the hub creates it, and the database file created (or narrowed to) 0600 before SQLite opens it.
 */
function preparePrivateFile(file: string, dataDir: string | undefined): void {
  const dir = path.dirname(path.resolve(file));
  if (dataDir && !fs.existsSync(dataDir)) ensurePrivateDir(dataDir);
  if (!fs.existsSync(dir)) ensurePrivateDir(dir);
  touchPrivate(file);
}

/**
 * Kysely prepares every query anew; better-sqlite3 statements are reusable, so keep them by SQL text
 * (bounded). Statements run synchronously, so sharing one between callers is safe.
 */
function withStatementCache(db: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => db.close(),
    prepare(sqlText: string) {
      let stmt = cache.get(sqlText);
      if (!stmt) {
        stmt = db.prepare(sqlText);
        if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
        cache.set(sqlText, stmt);
      }
      return stmt as unknown as ReturnType<SqliteDatabase['prepare']>;
    },
  };
}

export { migrate } from './migrate.ts';
export { isDatabaseUnavailable } from './db-errors.ts';
export { DatabaseInUseError } from './sqlite-lock.ts';
