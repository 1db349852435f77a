import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe.each(DIALECTS)('API keys (/v1/keys) on %s', (dialect) => {
  let t: TestHub;
  let alice: string;
  let bob: string;
  let aliceId: string;

  beforeAll(async () => {
    t = await startTestHub({ dialect });
    const a = await t.api('POST', '/v1/users', { email: 'alice@example.com' });
    alice = a.body.api_key;
    aliceId = a.body.user.id;
    bob = (await t.api('POST', '/v1/users', { email: 'bob@example.com' })).body.api_key;
  });
  afterAll(() => t.close());

  it('lists the caller\'s keys with id, name, hint and times, never the key or its hash', async () => {
    const res = await t.api('GET', '/v1/keys', undefined, alice);
    expect(res.status).toBe(200);
    expect(res.body.keys).toHaveLength(1);
    const [k] = res.body.keys;
    expect(Object.keys(k).sort()).toEqual(['created_at', 'current', 'hint', 'id', 'last_used_at', 'name']);
    expect(k.current).toBe(true);
    expect(alice.startsWith(k.hint)).toBe(true);
    expect(k.hint.length).toBeLessThan(12);
    expect(JSON.stringify(res.body)).not.toContain(alice);
    expect(JSON.stringify(res.body)).not.toContain(sha256(alice));
  });

  it('creates a named key shown once, stored only as a hash, that works at once', async () => {
    const res = await t.api('POST', '/v1/keys', { name: 'ci' }, alice);
    expect(res.status).toBe(201);
    expect(res.body.api_key).toMatch(/^sb_\w{20,}$/);
    expect(res.body.key).toMatchObject({ name: 'ci', current: false, last_used_at: null });
    const me = await t.api('GET', '/v1/me', undefined, res.body.api_key);
    expect(me.body.user.id).toBe(aliceId);
    const list = await t.api('GET', '/v1/keys', undefined, alice);
    expect(list.body.keys.map((k: any) => k.name).sort()).toEqual(['ci', 'default']);
    expect(JSON.stringify(list.body)).not.toContain(res.body.api_key);
    const rows = await t.hub.db.kysely.selectFrom('api_keys').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(res.body.api_key);
    expect(rows.some((r) => r.key_hash === sha256(res.body.api_key))).toBe(true);
    await t.api('DELETE', `/v1/keys/${res.body.key.id}`, undefined, alice);
  });

  it('validates the body: a name must be a short string, no other fields', async () => {
    expect((await t.api('POST', '/v1/keys', { name: 42 }, alice)).status).toBe(400);
    expect((await t.api('POST', '/v1/keys', { name: 'x', key: 'sb_mine' }, alice)).status).toBe(400);
    expect((await t.api('POST', '/v1/keys', { name: 'x'.repeat(101) }, alice)).status).toBe(400);
    const unnamed = await t.api('POST', '/v1/keys', undefined, alice);
    expect(unnamed.status).toBe(201);
    expect(typeof unnamed.body.key.name).toBe('string');
    await t.api('DELETE', `/v1/keys/${unnamed.body.key.id}`, undefined, alice);
  });

  it('revokes a key: 204, and the key stops working on the next request', async () => {
    const extra = (await t.api('POST', '/v1/keys', { name: 'laptop' }, alice)).body;
    expect((await t.api('GET', '/v1/me', undefined, extra.api_key)).status).toBe(200);
    const del = await t.api('DELETE', `/v1/keys/${extra.key.id}`, undefined, alice);
    expect(del.status).toBe(204);
    const after = await t.api('GET', '/v1/me', undefined, extra.api_key);
    expect(after.status).toBe(401);
    expect((await t.api('GET', '/v1/keys', undefined, alice)).body.keys.map((k: any) => k.id)).not.toContain(extra.key.id);
  });

  it('answers 404 for another user\'s key id and for an unknown id, deleting nothing', async () => {
    const bobKeys = (await t.api('GET', '/v1/keys', undefined, bob)).body.keys;
    const res = await t.api('DELETE', `/v1/keys/${bobKeys[0].id}`, undefined, alice);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
    expect((await t.api('DELETE', '/v1/keys/key_nope', undefined, alice)).status).toBe(404);
    expect((await t.api('GET', '/v1/me', undefined, bob)).status).toBe(200);
  });

  it('refuses (409) to delete the last key with itself; with a second key it may revoke itself', async () => {
    const own = (await t.api('GET', '/v1/keys', undefined, bob)).body.keys;
    expect(own).toHaveLength(1);
    const res = await t.api('DELETE', `/v1/keys/${own[0].id}`, undefined, bob);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe('last_key');
    expect((await t.api('GET', '/v1/me', undefined, bob)).status).toBe(200);

    const second = (await t.api('POST', '/v1/keys', { name: 'second' }, bob)).body;
    expect((await t.api('DELETE', `/v1/keys/${own[0].id}`, undefined, bob)).status).toBe(204);
    expect((await t.api('GET', '/v1/me', undefined, bob)).status).toBe(401);
    bob = second.api_key;
    expect((await t.api('GET', '/v1/me', undefined, bob)).status).toBe(200);
  });

  it('is for user keys only: a profile token gets 403', async () => {
    const token = (await t.api('POST', '/v1/profiles', { name: 'agent' }, alice)).body.token;
    expect((await t.api('GET', '/v1/keys', undefined, token)).status).toBe(403);
    expect((await t.api('POST', '/v1/keys', { name: 'x' }, token)).status).toBe(403);
  });

  it('records when a key was last used, writing at most once a minute', async () => {
    const made = (await t.api('POST', '/v1/keys', { name: 'usage' }, alice)).body;
    const lastUsed = async () => (await t.api('GET', '/v1/keys', undefined, alice)).body.keys.find((k: any) => k.id === made.key.id).last_used_at;
    expect(await lastUsed()).toBeNull();
    await t.api('GET', '/v1/me', undefined, made.api_key);
    const first = await lastUsed();
    expect(Date.parse(first)).toBeGreaterThan(Date.now() - 60_000);
    await t.api('GET', '/v1/me', undefined, made.api_key);
    expect(await lastUsed()).toBe(first);
    // A use over a minute after the recorded one is recorded again.
    const old = Date.now() - 120_000;
    await t.hub.db.kysely.updateTable('api_keys').set({ last_used_at: old }).where('id', '=', made.key.id).execute();
    await t.api('GET', '/v1/me', undefined, made.api_key);
    expect(Date.parse(await lastUsed())).toBeGreaterThan(old + 60_000);
  });
});
