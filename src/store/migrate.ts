import { sql, Migrator } from 'kysely';
import type { Db } from './db.ts';
import { migrationProvider } from './migrations/index.ts';
import { acquireSqliteLock } from './sqlite-lock.ts';

/**
 * Key of the PostgreSQL advisory lock held around migrating (session level, on one connection), so
 * replicas that start together migrate one after another: the first applies, the others find
 * nothing left to do. Fixed for the life of the project; distinct from kysely's own lock.
 */
export const MIGRATION_LOCK_KEY = 7_305_114_210_519_001n;

/**
 * Runs every pending migration; throws with the failing migration's name. Returns the names applied.
 * PostgreSQL: under the advisory lock {@link MIGRATION_LOCK_KEY} (released after, or by the server
 * when the connection dies). SQLite: pending migrations need the database's single-process lock,
 * so `switchboard migrate` is refused while a hub runs on the file (the hub migrates at start
 * anyway); with nothing pending nobody is refused, so `keys rotate` works beside a running hub.
 */
export async function migrate(db: Db): Promise<string[]> {
  if (db.dialect === 'postgres') {
    return db.kysely.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      try {
        return await migrateNow(db);
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      }
    });
  }
  if (!db.file || db.holdsLock || !(await hasPending(db))) return migrateNow(db);
  const lock = acquireSqliteLock(db.file);
  try {
    return await migrateNow(db);
  } finally {
    lock.release();
  }
}

async function hasPending(db: Db): Promise<boolean> {
  const all = await new Migrator({ db: db.kysely, provider: migrationProvider }).getMigrations();
  return all.some((m) => m.executedAt === undefined);
}

async function migrateNow(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db: db.kysely, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    const why = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${why}`);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
