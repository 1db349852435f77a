import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type SqliteDatabase } from 'kysely';
import pg from 'pg';
import { ensurePrivateDir, makePrivate, securePrivateDirIfPresent, touchPrivate } from '../private-files.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './schema.ts';

/** The dialect a store runs on. */
export type Dialect = 'sqlite' | 'postgres';

/** A connected database and the dialect behind it. */
export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  close(): Promise<void>;
}

// int8 and numeric counts come back from pg as strings; our values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

/** Options of {@link openDatabase}. */
export interface OpenOptions {
  /**
   * The hub's DATA_DIR: made 0700 at open (existing installs are fixed); created when the database
   * is a SQLite file. The key files in it are narrowed by their own writers.
   */
  dataDir?: string;
}

/**
 * Opens the database named by `url`: `postgres://…`/`postgresql://…` for PostgreSQL, otherwise
 * `sqlite:<file>`, a bare file path or `:memory:` for SQLite (WAL, busy timeout 5 s, synchronous FULL unless
 * `SQLITE_SYNCHRONOUS` says otherwise).
 */
export function openDatabase(url: string, o: OpenOptions = {}): Db {
  if (o.dataDir) securePrivateDirIfPresent(o.dataDir);
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection the server dropped (restart, failover) must not crash the hub: the pool
    // replaces it on the next query.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection lost: ${err.message}`));
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { kysely, dialect: 'postgres', close: () => kysely.destroy() };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') preparePrivateFile(file, o.dataDir);
  const sqlite = new SQLite(file, { timeout: 5000 });
  sqlite.pragma('journal_mode = WAL');
  // SQLite gives -wal/-shm the database file's mode; files an older version left are narrowed here.
  if (file !== ':memory:') for (const suffix of ['-wal', '-shm', '-journal']) makePrivate(file + suffix);
  sqlite.pragma(`synchronous = ${process.env.SQLITE_SYNCHRONOUS ?? 'FULL'}`);
  sqlite.pragma('foreign_keys = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
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

/** Runs every pending migration; throws with the failing migration's name. Returns the names applied. */
export async function migrate(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
