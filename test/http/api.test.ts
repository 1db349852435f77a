import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe.each(DIALECTS)('REST API on %s', (dialect) => {
  let t: TestHub;
  let alice: string;
  let bob: string;
  let aliceProfile: any;
  let aliceToken: string;

  beforeAll(async () => {
    t = await startTestHub({ dialect });
    alice = (await t.api('POST', '/v1/users', { email: 'alice@example.com', name: 'Alice' })).body.api_key;
    bob = (await t.api('POST', '/v1/users', { email: 'bob@example.com' })).body.api_key;
    const created = await t.api('POST', '/v1/profiles', { name: 'helper' }, alice);
    aliceProfile = created.body.profile;
    aliceToken = created.body.token;
  });
  afterAll(() => t.close());

  it('answers /healthz', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('creates a profile and shows its token once, hashed at rest', async () => {
    expect(aliceToken).toMatch(/^sbp_/);
    const shown = await t.api('GET', `/v1/profiles/${aliceProfile.id}`, undefined, alice);
    expect(shown.status).toBe(200);
    expect(JSON.stringify(shown.body)).not.toContain(aliceToken);
    const rows = await t.hub.db.kysely.selectFrom('agent_profiles').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(aliceToken);
  });

  it('keeps tenants apart: another user cannot read, change, chat with or delete the profile', async () => {
    const path = `/v1/profiles/${aliceProfile.id}`;
    expect((await t.api('GET', path, undefined, bob)).status).toBe(404);
    const patched = await t.api('PATCH', path, { name: 'stolen' }, bob);
    expect(patched.status).toBe(404);
    expect(patched.body.error.code).toBe('not_found');
    expect((await t.api('POST', `${path}/chat`, { text: 'hi' }, bob)).status).toBe(404);
    expect((await t.api('DELETE', path, undefined, bob)).status).toBe(404);
    const list = await t.api('GET', '/v1/profiles', undefined, bob);
    expect(list.body.profiles.map((p: any) => p.name)).toEqual(['default']);
    expect((await t.api('GET', path, undefined, alice)).body.profile.name).toBe('helper');
  });

  it('keeps threads and the log apart', async () => {
    const chat = await t.api('POST', `/v1/profiles/${aliceProfile.id}/chat`, { text: 'secret plans' }, alice);
    expect(chat.status).toBe(200);
    expect(chat.body.reply).toBe('echo: secret plans');
    const threadId = chat.body.thread.id;
    expect((await t.api('GET', `/v1/threads/${threadId}`, undefined, bob)).status).toBe(404);
    expect((await t.api('POST', `/v1/threads/${threadId}/messages`, { text: 'x' }, bob)).status).toBe(404);
    const bobLog = await t.api('GET', '/v1/messages', undefined, bob);
    expect(JSON.stringify(bobLog.body)).not.toContain('secret plans');
    const aliceLog = await t.api('GET', '/v1/messages?type=user_message', undefined, alice);
    expect(aliceLog.body.messages.map((m: any) => m.text)).toContain('secret plans');
  });

  it('lets a profile token see only its own profile', async () => {
    const own = await t.api('GET', '/v1/profiles', undefined, aliceToken);
    expect(own.body.profiles.map((p: any) => p.id)).toEqual([aliceProfile.id]);
    const other = (await t.api('GET', '/v1/profiles', undefined, alice)).body.profiles.find((p: any) => p.name === 'default');
    expect((await t.api('GET', `/v1/profiles/${other.id}`, undefined, aliceToken)).status).toBe(404);
    expect((await t.api('POST', '/v1/profiles', { name: 'x' }, aliceToken)).status).toBe(403);
  });

  it('grants only the caller\'s own integrations', async () => {
    const owner = (await t.api('GET', '/v1/me', undefined, bob)).body.user.id;
    const bobIntegration = await t.hub.store.integrations.create({ userId: owner, type: 'webhook', name: 'bob hook' });
    const res = await t.api('PUT', `/v1/profiles/${aliceProfile.id}/grants/${bobIntegration.id}`, undefined, alice);
    expect(res.status).toBe(404);
    expect(await t.hub.store.grants.profilesOf(bobIntegration.id)).toEqual([]);
  });

  it('shows a profile token only its own log and deliveries', async () => {
    const other = (await t.api('POST', '/v1/profiles', { name: 'other' }, alice)).body;
    await t.api('POST', `/v1/profiles/${aliceProfile.id}/chat`, { text: 'for helper only' }, alice);
    const seen = await t.api('GET', '/v1/messages?limit=100', undefined, other.token);
    expect(JSON.stringify(seen.body)).not.toContain('for helper only');
    const deliveries = await t.api('GET', '/v1/messages?type=delivery&limit=100', undefined, other.token);
    expect(deliveries.body.messages).toEqual([]);
    const own = await t.api('GET', '/v1/messages?type=delivery&limit=100', undefined, aliceToken);
    expect(own.body.messages.length).toBeGreaterThan(0);
  });

  it('stops a profile from replying through an integration once its grant is revoked', async () => {
    const userId = (await t.api('GET', '/v1/me', undefined, alice)).body.user.id;
    const integ = await t.hub.store.integrations.create({ userId, type: 'console', name: 'granted' });
    await t.api('PUT', `/v1/profiles/${aliceProfile.id}/grants/${integ.id}`, undefined, alice);
    const thread = await t.hub.store.threads.upsert({ userId, profileId: aliceProfile.id, channel: 'console', integrationId: integ.id, scope: integ.id, externalKey: 'g' });
    expect((await t.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'allowed' }, aliceToken)).status).toBe(202);
    await t.api('DELETE', `/v1/profiles/${aliceProfile.id}/grants/${integ.id}`, undefined, alice);
    const refused = await t.api('POST', `/v1/threads/${thread.id}/messages`, { text: 'not any more' }, aliceToken);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('not_granted');
  });

  it('refuses bad input with a clear error and changes nothing', async () => {
    const before = (await t.api('GET', '/v1/profiles', undefined, alice)).body.profiles.length;
    const malformed = await fetch(`${t.url}/v1/profiles`, { method: 'POST', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: '{"name":' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('malformed_json');
    const unknown = await t.api('POST', '/v1/profiles', { name: 'ok', colour: 'red' }, alice);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
    const wrongType = await t.api('POST', '/v1/profiles', { name: 42 }, alice);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toContain('name');
    const big = await t.api('POST', '/v1/profiles', { name: 'big', pad: 'x'.repeat(2 * 1024 * 1024) }, alice);
    expect(big.status).toBe(413);
    expect((await t.api('GET', '/v1/profiles', undefined, 'sb_wrong')).status).toBe(401);
    expect((await fetch(`${t.url}/v1/profiles`)).status).toBe(401);
    expect((await t.api('POST', '/v1/users', { email: 'eve@example.com' }, alice)).status).toBe(403);
    expect((await t.api('GET', '/v1/profiles', undefined, alice)).body.profiles.length).toBe(before);
  });
});
