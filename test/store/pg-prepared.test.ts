import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { PreparedNames } from '../../src/store/pg-prepared.ts';
import { openDatabase } from '../../src/store/index.ts';
import { freshDatabase } from '../helpers/db.ts';

describe('prepared statement names', () => {
  it('names a text from its third run on, the same name every time, and stops naming at the cap', () => {
    const names = new PreparedNames();
    expect(names.nameOf('select 1')).toBeUndefined();
    expect(names.nameOf('select 1')).toBeUndefined();
    const name = names.nameOf('select 1');
    expect(name).toMatch(/^sb_\d+$/);
    expect(names.nameOf('select 1')).toBe(name);
    for (let i = 0; i < 300; i++) for (let r = 0; r < 3; r++) names.nameOf(`select ${i + 2}`);
    const late = 'select 9999';
    for (let r = 0; r < 5; r++) expect(names.nameOf(late)).toBeUndefined();
    // Names given before the cap keep working.
    expect(names.nameOf('select 1')).toBe(name);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('PostgreSQL connections', () => {
  it('prepare a repeated statement once and run it by name, with the same answers', async () => {
    const fresh = await freshDatabase('postgres');
    const db = openDatabase(fresh.url, { poolSize: 1 });
    try {
      const answers: unknown[] = [];
      for (let i = 0; i < 5; i++) answers.push((await sql<{ v: number }>`select ${i}::int + 1 as v`.execute(db.kysely)).rows[0].v);
      expect(answers).toEqual([1, 2, 3, 4, 5]);
      // One connection: the view shows what it has prepared.
      const prepared = (await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements`.execute(db.kysely)).rows;
      expect(prepared.find((p) => p.statement.includes('::int + 1 as v'))?.name).toMatch(/^sb_\d+$/);
      // A statement run once stays unnamed.
      expect(prepared.some((p) => p.statement.includes('pg_prepared_statements'))).toBe(false);
      // Transactions still work when begin and commit themselves are named.
      for (let i = 0; i < 4; i++) await db.kysely.transaction().execute(async (tx) => void (await sql`select 1`.execute(tx)));
      await expect(db.kysely.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx);
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
    } finally {
      await db.close();
      await fresh.drop();
    }
  });
});
