import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

describe('the agent.delivery setting of a profile', () => {
  let t: TestHub;
  const secret = newWebhookSecret();
  const url = 'http://127.0.0.1:9/hook';

  beforeAll(async () => {
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
  });
  afterAll(() => t.close());

  it('defaults to at_least_once for an http agent and is shown', async () => {
    const r = await t.api('POST', '/v1/profiles', { name: 'plain', agent: { kind: 'http', url, secret } });
    expect(r.status).toBe(201);
    expect(r.body.profile.agent).toEqual({ kind: 'http', url, has_secret: true, delivery: 'at_least_once' });
    expect((await t.api('GET', '/v1/profiles/plain')).body.profile.agent.delivery).toBe('at_least_once');
  });

  it('takes at_most_once at creation and keeps it in GET', async () => {
    const r = await t.api('POST', '/v1/profiles', { name: 'once', agent: { kind: 'http', url, secret, delivery: 'at_most_once' } });
    expect(r.status).toBe(201);
    expect(r.body.profile.agent.delivery).toBe('at_most_once');
    const list = (await t.api('GET', '/v1/profiles')).body.profiles;
    expect(list.find((p: any) => p.name === 'once').agent.delivery).toBe('at_most_once');
  });

  it('PATCH changes only the setting, keeping the URL and the secret', async () => {
    const r = await t.api('PATCH', '/v1/profiles/plain', { agent: { delivery: 'at_most_once' } });
    expect(r.status).toBe(200);
    expect(r.body.profile.agent).toEqual({ kind: 'http', url, has_secret: true, delivery: 'at_most_once' });
    expect(r.body.agent_secret).toBeUndefined();
    const row = await t.hub.store.profiles.byId(r.body.profile.id);
    expect(t.hub.store.profiles.agentSecret(row!)).toBe(secret);
    // A full agent spec without `delivery` keeps the setting too.
    const full = await t.api('PATCH', '/v1/profiles/plain', { agent: { kind: 'http', url: 'http://127.0.0.1:9/v2', secret } });
    expect(full.body.profile.agent.delivery).toBe('at_most_once');
  });

  it('refuses a bad value with 400 and changes nothing', async () => {
    const bad = await t.api('PATCH', '/v1/profiles/once', { agent: { delivery: 'exactly_once' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_request');
    const badCreate = await t.api('POST', '/v1/profiles', { name: 'bad', agent: { kind: 'http', url, delivery: 'sometimes' } });
    expect(badCreate.status).toBe(400);
    expect((await t.api('GET', '/v1/profiles/bad')).status).toBe(404);
    expect((await t.api('GET', '/v1/profiles/once')).body.profile.agent.delivery).toBe('at_most_once');
  });

  it('refuses the setting on an echo profile (it applies to agents outside the hub)', async () => {
    await t.api('POST', '/v1/profiles', { name: 'echoer' });
    const r = await t.api('PATCH', '/v1/profiles/echoer', { agent: { delivery: 'at_most_once' } });
    expect(r.status).toBe(422);
    expect((await t.api('GET', '/v1/profiles/echoer')).body.profile.agent).toEqual({ kind: 'echo' });
  });
});
