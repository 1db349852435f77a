import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const K1 = 'sb_bootstrap_first_key_0123456789';
const K2 = 'sb_bootstrap_second_key_0123456789';

describe.each(DIALECTS)('SWITCHBOARD_ADMIN_KEY replaces the bootstrap key on %s', (dialect) => {
  let database: { url: string; dataDir: string; drop: () => Promise<void> };
  const open: TestHub[] = [];
  const start = async (adminKey: string) => {
    const t = await startTestHub({ dialect, database, env: { SWITCHBOARD_ADMIN_KEY: adminKey } });
    open.push(t);
    return t;
  };
  const stop = async (t: TestHub) => {
    await t.close();
    open.splice(open.indexOf(t), 1);
  };
  const keyRows = (t: TestHub) => t.hub.db.kysely.selectFrom('api_keys').selectAll().orderBy('id').execute();

  beforeAll(async () => {
    database = await freshDatabase(dialect);
  });
  afterAll(async () => {
    for (const t of open) await t.close();
    await database.drop();
  });

  it('a changed value revokes the previous key and admits the new one; other keys stay', async () => {
    const first = await start(K1);
    const me = await first.api('GET', '/v1/me', undefined, K1);
    expect(me.status).toBe(200);
    const extra = (await first.api('POST', '/v1/keys', { name: 'ops' }, K1)).body.api_key;
    await stop(first);

    const second = await start(K2);
    expect((await second.api('GET', '/v1/me', undefined, K1)).status).toBe(401);
    const now = await second.api('GET', '/v1/me', undefined, K2);
    expect(now.status).toBe(200);
    expect(now.body.user.id).toBe(me.body.user.id);
    expect((await second.api('GET', '/v1/me', undefined, extra)).status).toBe(200);
    const names = (await second.api('GET', '/v1/keys', undefined, K2)).body.keys.map((k: any) => k.name).sort();
    expect(names).toEqual(['SWITCHBOARD_ADMIN_KEY', 'ops']);
    await stop(second);
  });

  it('an unchanged value changes nothing', async () => {
    const a = await start(K2);
    await a.api('GET', '/v1/me', undefined, 'sb_not_a_key'); // no key use, so no last-used write
    const before = await keyRows(a);
    await stop(a);
    const b = await start(K2);
    expect(await keyRows(b)).toEqual(before);
    await stop(b);
  });
});
