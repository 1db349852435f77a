import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { DEFAULT_POOL_SIZE, openDatabase } from '../../src/store/db.ts';
import { freshDatabase } from '../helpers/db.ts';

describe('DATABASE_POOL_SIZE', () => {
  it('is read as a number of connections; unset leaves the store default', () => {
    expect(loadConfig({ DATABASE_POOL_SIZE: '40' }).databasePoolSize).toBe(40);
    expect(loadConfig({}).databasePoolSize).toBeUndefined();
    expect(DEFAULT_POOL_SIZE).toBe(25);
  });

  it('stops start-up on a value that is not a whole number of connections, naming the variable', () => {
    for (const bad of ['ten', '-3', '2.5', '0']) {
      let err: unknown;
      try {
        loadConfig({ DATABASE_POOL_SIZE: bad });
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.join('\n')).toMatch(/^DATABASE_POOL_SIZE: /);
    }
  });

  it('caps the connections one process opens to PostgreSQL (25 by default, plus the one that listens for other replicas\' writes)', async (ctx) => {
    if (!process.env.TEST_DATABASE_URL) return ctx.skip();
    const f = await freshDatabase('postgres');
    try {
      for (const [poolSize, expected] of [[3, 3 + 1], [undefined, DEFAULT_POOL_SIZE + 1]] as const) {
        const db = openDatabase(f.url, { poolSize });
        try {
          // Many queries at once, each counting this database's connections after the others had time to connect.
          const seen = await Promise.all(
            Array.from({ length: 40 }, () =>
              sql<{ n: number }>`select pg_sleep(0.2)::text as s, (select count(*) from pg_stat_activity where datname = current_database())::int as n`
                .execute(db.kysely)
                .then((r) => r.rows[0].n),
            ),
          );
          expect(Math.max(...seen), `poolSize ${poolSize}`).toBe(expected);
        } finally {
          await db.close();
        }
      }
    } finally {
      await f.drop();
    }
  });
});
