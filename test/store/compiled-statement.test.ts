import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledStatement } from '../../src/store/compiled-statement.ts';
import type { Db, Store } from '../../src/store/index.ts';
import { INSERT_MESSAGES, messageRow } from '../../src/store/messages.ts';
import { WriteTracker } from '../../src/store/write-tracker.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

/** Resolves once `check` holds, polling every 10 ms; fails after `ms`. */
async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Moves a thread's reply target: a write to a cached table. */
const RETARGET = new CompiledStatement<{ id: string; target: string }>((db, $) => db.updateTable('threads').set({ reply_target: $('target') }).where('id', '=', $('id')));

describe.each(DIALECTS)('a statement compiled once on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let userId: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, store, userId, close } = await freshStore(dialect, `compiled-${dialect}@example.com`));
    await until(() => db.cache.enabled);
  });
  afterAll(() => close());

  const input = (key: string, target: string) => ({ userId, profileId: null, channel: 'console', integrationId: null, scope: 'p', externalKey: key, replyTarget: { to: target } });
  const entry = (text: string) => messageRow({ userId, type: 'user_message', direction: 'in', text }, Date.now());
  const texts = async () => (await store.messages.list(userId, { limit: 100 })).map((m) => m.text).reverse();

  it('a write through it still makes the cached reads of its table stale', async () => {
    const thread = await store.threads.upsert(input('cache', 'a'));
    expect((await store.threads.current(input('cache', 'a')))?.id).toBe(thread.id);
    await RETARGET.execute(db.kysely, { id: thread.id, target: JSON.stringify({ to: 'b' }) });
    expect(await store.threads.current(input('cache', 'a'))).toBeUndefined();
    expect((await store.threads.current(input('cache', 'b')))?.id).toBe(thread.id);
  });

  it('reports the tables it writes to the write trackers before it runs and after', async () => {
    const thread = await store.threads.upsert(input('tracked', 'a'));
    const seen: string[][] = [];
    await RETARGET.execute(db.kysely.withPlugin(new WriteTracker((t) => seen.push(t))), { id: thread.id, target: '{}' });
    expect(seen).toEqual([['threads'], ['threads']]);
    // Tables no cached read depends on are not reported (the hot path's inserts).
    seen.length = 0;
    await INSERT_MESSAGES.execute(db.kysely.withPlugin(new WriteTracker((t) => seen.push(t))), { rows: [entry('untracked')] });
    expect(seen).toEqual([]);
  });

  it('inside a transaction it runs in that transaction and rolls back with it', async () => {
    const failed = await db.kysely
      .transaction()
      .execute(async (trx) => {
        await INSERT_MESSAGES.execute(trx, { rows: [entry('rolled back')] });
        const inside = await trx.selectFrom('messages').select('text').where('text', '=', 'rolled back').execute();
        expect(inside).toHaveLength(1);
        throw new Error('abort');
      })
      .catch((e: Error) => e.message);
    expect(failed).toBe('abort');
    expect(await texts()).not.toContain('rolled back');
  });

  it('compiles each shape for itself (rows of a multi-row insert, in order) with the dialect’s placeholders', async () => {
    await INSERT_MESSAGES.execute(db.kysely, { rows: [entry('one')] });
    await INSERT_MESSAGES.execute(db.kysely, { rows: [entry('two'), entry('three'), entry('four')] });
    await INSERT_MESSAGES.execute(db.kysely, { rows: [entry('five')] });
    expect((await texts()).filter((t) => ['one', 'two', 'three', 'four', 'five'].includes(t))).toEqual(['one', 'two', 'three', 'four', 'five']);
    const text = INSERT_MESSAGES.sqlOf(db.kysely, 2);
    expect(text).toMatch(dialect === 'postgres' ? /\$18\)$/ : /\?\)$/);
    expect(text).not.toContain('compiled-slot');
  });

  it('binds an absent parameter as null', async () => {
    const r = await new CompiledStatement<{ v?: string }, { v: string | null }>((_db, $) => sql<{ v: string | null }>`select cast(${$('v')} as text) as v`).execute(db.kysely, {});
    expect(r.rows).toEqual([{ v: null }]);
  });

  it('refuses a placeholder spliced into the SQL text instead of bound', async () => {
    const bad = new CompiledStatement<{ column: string }>((_db, $) => sql`select ${sql.raw($('column'))} from messages`);
    await expect(bad.execute(db.kysely, { column: 'text' })).rejects.toThrow(/placeholder was spliced/);
  });
});
