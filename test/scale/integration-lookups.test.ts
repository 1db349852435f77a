import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db, Store } from '../../src/store/index.ts';
import { DIALECTS, freshStore } from '../helpers/db.ts';

describe.each(DIALECTS)('indexed integration lookups on %s', (dialect) => {
  let db: Db;
  let store: Store;
  let close: () => Promise<void>;
  let userId: string;
  beforeAll(async () => {
    ({ db, store, userId, close } = await freshStore(dialect, `lookups-${dialect}@example.com`));
  });
  afterAll(() => close());

  it('defaultOf answers the default row, else the oldest; exists and ofUserByExternalId answer one row', async () => {
    expect(await store.integrations.defaultOf(userId, 'telegram')).toBeUndefined();
    expect(await store.integrations.exists(userId, 'telegram')).toBeUndefined();
    const first = await store.integrations.create({ userId, type: 'telegram', name: 'a', externalId: '1', isDefault: true, secrets: { token: 't1' } });
    const second = await store.integrations.create({ userId, type: 'telegram', name: 'b', externalId: '2', isDefault: true });
    expect(first.isDefault).toBe(true);
    expect(second.isDefault).toBe(false);
    expect((await store.integrations.defaultOf(userId, 'telegram'))?.id).toBe(first.id);
    await store.integrations.update(userId, second.id, { isDefault: true });
    expect((await store.integrations.defaultOf(userId, 'telegram'))?.id).toBe(second.id);
    await store.integrations.delete(userId, second.id);
    // No default left: the oldest remaining row.
    const third = await store.integrations.create({ userId, type: 'telegram', name: 'c', externalId: '3' });
    expect((await store.integrations.defaultOf(userId, 'telegram'))?.id).toBe(first.id);
    expect(await store.integrations.exists(userId, 'telegram')).toBeDefined();
    expect((await store.integrations.ofUserByExternalId(userId, 'telegram', '3'))?.id).toBe(third.id);
    expect(await store.integrations.ofUserByExternalId('someone-else', 'telegram', '3')).toBeUndefined();
    // Reads never carry the sealed secrets along.
    expect(JSON.stringify(await store.integrations.defaultOf(userId, 'telegram'))).not.toContain('secrets');
  });

  it('plans defaultOf and exists as index searches without a sort (SQLite)', async (ctx) => {
    if (dialect !== 'sqlite') ctx.skip();
    const plan = async (q: { compile(): { sql: string; parameters: readonly unknown[] } }) => {
      const c = q.compile();
      const rows = await sql.raw<{ detail: string }>(`explain query plan ${c.sql.replace(/\?/g, () => "'x'")}`).execute(db.kysely);
      return rows.rows.map((r) => r.detail).join('; ');
    };
    const k = db.kysely;
    const pick = await plan(k.selectFrom('user_integrations').selectAll().where('user_id', '=', 'u').where('type', '=', 'telegram').orderBy('is_default', 'desc').orderBy('created_at').limit(1));
    expect(pick).toMatch(/SEARCH user_integrations USING INDEX user_integrations_pick/);
    expect(pick).not.toMatch(/TEMP B-TREE|SCAN/);
    const exists = await plan(k.selectFrom('user_integrations').select('id').where('user_id', '=', 'u').where('type', '=', 'telegram').limit(1));
    expect(exists).toMatch(/SEARCH user_integrations USING (COVERING )?INDEX user_integrations_pick/);
    const external = await plan(k.selectFrom('user_integrations').selectAll().where('type', '=', 'telegram').where('external_id', '=', 'x').where('user_id', '=', 'u').limit(1));
    expect(external).toMatch(/SEARCH user_integrations USING INDEX user_integrations_(external|pick)/);
  });
});
