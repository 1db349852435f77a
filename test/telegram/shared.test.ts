import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { SHARED_BOT, dm, eventually, newUser, startTgEnv, waitSent, type TgEnv } from './env.ts';

async function postShared(env: TgEnv, secret: string | undefined, update: unknown) {
  const res = await fetch(`${env.t.url}/api/telegram/shared/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
    body: JSON.stringify(update),
  });
  return res.status;
}

describe.each(DIALECTS)('Telegram shared bot on %s', (dialect) => {
  let env: TgEnv;
  let secret: string;

  beforeAll(async () => {
    env = await startTgEnv({ dialect, shared: true });
    secret = (await eventually(() => env.fake.webhooks.get(SHARED_BOT.token)))!.secret_token!;
  });
  afterAll(() => env.close());

  it('registers its webhook at start and checks its secret', async () => {
    expect(env.fake.webhooks.get(SHARED_BOT.token)!.url).toBe('http://127.0.0.1:9/api/telegram/shared/webhook');
    expect(await postShared(env, 'nope', dm(1, 'x'))).toBe(401);
    expect(await postShared(env, undefined, dm(1, 'x'))).toBe(401);
  });

  it('pairs in one tap: deep link, /start <code> creates the user\'s shared integration, messages route to the granted profile', async () => {
    const carol = await newUser(env.t, `carol-${dialect}@example.com`);
    const dave = await newUser(env.t, `dave-${dialect}@example.com`);
    const p = await env.t.api('POST', '/v1/integrations/telegram/pair', {}, carol.key);
    expect(p.status).toBe(201);
    const m = /^https:\/\/t\.me\/switchboard_shared_bot\?start=([A-Za-z0-9_-]{1,64})$/.exec(p.body.deep_link);
    expect(m).not.toBeNull();
    expect(Date.parse(p.body.expires_at)).toBeGreaterThan(Date.now());
    const code = m![1];
    const chat = 6100001;
    // An unpaired chat gets an explanation.
    await postShared(env, secret, dm(chat, 'hello?'));
    expect((await waitSent(env, SHARED_BOT.token, chat, 1))[0].text).toMatch(/not paired/);
    expect(await postShared(env, secret, dm(chat, `/start ${code}`))).toBe(200);
    expect((await waitSent(env, SHARED_BOT.token, chat, 2))[1].text).toMatch(new RegExp(`Paired with carol-${dialect}@example.com`));
    const list = (await env.t.api('GET', '/v1/integrations', undefined, carol.key)).body.integrations;
    const shared = list.find((i: any) => i.config.shared);
    expect(shared).toBeDefined();
    expect(shared.external_id).toBe(`shared:${carol.id}`);
    // The code works once.
    await postShared(env, secret, dm(6100002, `/start ${code}`));
    expect((await waitSent(env, SHARED_BOT.token, 6100002, 1))[0].text).toMatch(/already used/);
    // Pairing granted the new integration to the user's default profile: the chat works at once.
    expect((await waitSent(env, SHARED_BOT.token, chat, 2))[1].text).toMatch(/talk with your agent \(profile default\)/);
    expect((await env.t.api('GET', `/v1/integrations/${shared.id}`, undefined, carol.key)).body.integration.granted_to).toEqual([carol.profileId]);
    await postShared(env, secret, dm(chat, 'hi agent'));
    expect((await waitSent(env, SHARED_BOT.token, chat, 3))[2].text).toBe('echo: hi agent');
    // A second pairing of the same user reuses the integration; another user gets their own.
    const p2 = await env.t.api('POST', '/v1/integrations/telegram/pair', {}, dave.key);
    const daveChat = 6100003;
    await postShared(env, secret, dm(daveChat, `/start ${p2.body.deep_link.split('start=')[1]}`));
    await waitSent(env, SHARED_BOT.token, daveChat, 1);
    const daveShared = (await env.t.api('GET', '/v1/integrations', undefined, dave.key)).body.integrations.find((i: any) => i.config.shared);
    expect(daveShared.id).not.toBe(shared.id);
    await env.t.api('PUT', `/v1/profiles/${dave.profileId}/grants/${daveShared.id}`, undefined, dave.key);
    await postShared(env, secret, dm(daveChat, 'dave here'));
    expect((await waitSent(env, SHARED_BOT.token, daveChat, 2))[1].text).toBe('echo: dave here');
    const carolLog = (await env.t.api('GET', '/v1/messages?type=user_message', undefined, carol.key)).body.messages.map((x: any) => x.text);
    expect(carolLog).toContain('hi agent');
    expect(carolLog).not.toContain('dave here');
    // Notify to the shared integration reaches the paired chat.
    const token = (await env.t.api('POST', '/v1/profiles', { name: 'notifier' }, carol.key)).body;
    await env.t.api('PUT', `/v1/profiles/${token.profile.id}/grants/${shared.id}`, undefined, carol.key);
    expect((await env.t.api('POST', '/v1/notify', { channel: 'telegram', message: 'ping' }, token.token)).status).toBe(202);
    expect((await waitSent(env, SHARED_BOT.token, chat, 4))[3].text).toBe('ping');
    // Disconnect unpairs the chat.
    expect((await env.t.api('DELETE', `/v1/integrations/${shared.id}`, undefined, carol.key)).status).toBe(204);
    await postShared(env, secret, dm(chat, 'still there?'));
    expect((await waitSent(env, SHARED_BOT.token, chat, 5))[4].text).toMatch(/not paired/);
  });

  it('answers pair with 422 when no shared bot is configured', async () => {
    const other = await startTgEnv({ dialect });
    try {
      const u = await newUser(other.t, 'x@example.com');
      const r = await other.t.api('POST', '/v1/integrations/telegram/pair', {}, u.key);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('shared_bot_not_configured');
    } finally {
      await other.close();
    }
  });
});
