import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { claim, connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

describe.each(DIALECTS)('Telegram connect and /link on %s', (dialect) => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;
  let bob: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
    alice = await newUser(env.t, `alice-${dialect}@example.com`);
    bob = await newUser(env.t, `bob-${dialect}@example.com`);
  });
  afterAll(() => env.close());

  it('connects a bot: getMe kept, webhook set with a secret, token encrypted, a /link code shown once', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot);
    expect(c.body.integration.name).toBe(`@${bot.username}`);
    expect(c.body.integration.external_id).toBe(String(bot.id));
    expect(c.body.integration.config.bot.username).toBe(bot.username);
    expect(c.body.link.code).toMatch(/^[A-Z2-9]{10}$/);
    expect(c.body.link.instructions).toContain(`/link ${c.code}`);
    expect(c.body.warnings[0]).toMatch(/not https/);
    const hook = env.fake.webhooks.get(bot.token)!;
    expect(hook.url).toBe(`http://127.0.0.1:9/api/telegram/${c.id}/webhook`);
    expect(hook.secret_token!.length).toBeGreaterThanOrEqual(32);
    expect(hook.allowed_updates).toEqual(['message', 'edited_message', 'message_reaction', 'chat_member']);
    const rows = JSON.stringify(await env.t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute());
    expect(rows).not.toContain(bot.token);
    expect(rows).not.toContain(hook.secret_token);
    const listed = JSON.stringify((await env.t.api('GET', '/v1/integrations', undefined, alice.key)).body);
    expect(listed).not.toContain(bot.token);
    expect(listed).not.toContain(hook.secret_token);
    expect(listed).not.toContain(c.code);
  });

  it('refuses a bad token with 422 and stores nothing', async () => {
    const before = (await env.t.api('GET', '/v1/integrations', undefined, alice.key)).body.integrations.length;
    const bad = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: '123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, alice.key);
    expect(bad.status).toBe(422);
    expect(bad.body.error.message).toMatch(/Telegram rejected the token/);
    const malformed = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: 'nonsense' }, alice.key);
    expect(malformed.status).toBe(422);
    expect((await env.t.api('GET', '/v1/integrations', undefined, alice.key)).body.integrations.length).toBe(before);
  });

  it('refuses a bot already connected, by anyone, with 409 and without saying whose', async () => {
    const bot = newBot(env.fake);
    await connectBot(env, alice.key, bot);
    const again = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, bob.key);
    expect(again.status).toBe(409);
    expect(JSON.stringify(again.body)).not.toContain('alice');
    expect((await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, alice.key)).status).toBe(409);
  });

  it('claims with /link: wrong code polite and counted, reused refused with the reason, then DMs reach the granted profile', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const owner = 4242001;
    // Before the claim: only an explanation.
    await postUpdate(env, c.id, c.secret, dm(owner, 'hi'));
    expect((await waitSent(env, bot.token, owner, 1))[0].text).toMatch(/not claimed yet/);
    // A wrong code.
    await postUpdate(env, c.id, c.secret, dm(owner, '/link WRONGCODE2'));
    const wrong = (await waitSent(env, bot.token, owner, 2))[1].text;
    expect(wrong).toMatch(/doesn't match/);
    expect(wrong).toMatch(/4 attempt\(s\) left/);
    // The right one.
    await claim(env, bot, c.id, c.secret, c.code, owner);
    // Reused by someone else: refused with the reason.
    const other = 4242002;
    await postUpdate(env, c.id, c.secret, dm(other, `/link ${c.code}`));
    expect((await waitSent(env, bot.token, other, 1))[0].text).toMatch(/already used/);
    // The owner's DM goes to the echo agent; a stranger's is dropped under the owner policy, with the reason logged.
    await postUpdate(env, c.id, c.secret, dm(owner, 'hello agent'));
    const replies = await waitSent(env, bot.token, owner, 4);
    expect(replies[3].text).toBe('echo: hello agent');
    expect(replies[3].parse_mode).toBe('HTML');
    await postUpdate(env, c.id, c.secret, dm(other, 'let me in'));
    const log = await (async () => {
      for (let i = 0; i < 100; i++) {
        const l = await env.t.api('GET', '/v1/messages?type=policy', undefined, alice.key);
        if (l.body.messages.some((m: any) => /not allowed by dm_policy owner/.test(m.text))) return l;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    expect(log).toBeDefined();
    expect(env.fake.sentBy(bot.token, other).length).toBe(1);
    // /whoami and a fresh link code.
    await postUpdate(env, c.id, c.secret, dm(owner, '/whoami'));
    expect((await waitSent(env, bot.token, owner, 5))[4].text).toContain(`alice-${dialect}@example.com`);
    const fresh = await env.t.api('POST', `/v1/integrations/${c.id}/link-code`, {}, alice.key);
    expect(fresh.status).toBe(201);
    expect(fresh.body.link.code).toMatch(/^[A-Z2-9]{10}$/);
    expect((await env.t.api('POST', `/v1/integrations/${c.id}/link-code`, {}, bob.key)).status).toBe(404);
  });

  it('refuses an expired code with the reason, and imposes a cool-down after five failures', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    await env.t.hub.store.linkCodes.issue({ purpose: `telegram_link:${c.id}`, userId: alice.id, ttlMs: 1, code: 'EXPRDCODE2' });
    await new Promise((r) => setTimeout(r, 10));
    const who = 4244001;
    await postUpdate(env, c.id, c.secret, dm(who, '/link EXPRDCODE2'));
    expect((await waitSent(env, bot.token, who, 1))[0].text).toMatch(/expired/);
    for (let i = 0; i < 4; i++) await postUpdate(env, c.id, c.secret, dm(who, `/link WRONG${i}AAAA`));
    expect((await waitSent(env, bot.token, who, 5, 10_000))[4].text).toMatch(/wait 15 minutes/);
    // Even the right code is refused during the cool-down, and it is not used up.
    await postUpdate(env, c.id, c.secret, dm(who, `/link ${c.code}`));
    expect((await waitSent(env, bot.token, who, 6, 10_000))[5].text).toMatch(/Too many wrong codes/);
    await claim(env, bot, c.id, c.secret, c.code, 4244002);
  });

  it('paces sends to one chat before Telegram has to say 429', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    await claim(env, bot, c.id, c.secret, c.code, 4245001);
    const tok = await env.t.api('POST', '/v1/profiles', { name: `pace-${dialect}` }, alice.key);
    await env.t.api('PUT', `/v1/profiles/${tok.body.profile.id}/grants/${c.id}`, undefined, alice.key);
    await new Promise((r) => setTimeout(r, 1100));
    for (let i = 0; i < 5; i++) await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: `n${i}` }, tok.body.token);
    const sent = (await waitSent(env, bot.token, 4245001, 6, 10_000)).slice(1);
    expect(sent.map((s) => s.text)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(sent[3].at - sent[0].at).toBeGreaterThanOrEqual(900);
    expect(sent[4].at - sent[3].at).toBeGreaterThanOrEqual(900);
  });

  it('applies the DM policy: allowlist and open, set with PATCH', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    await claim(env, bot, c.id, c.secret, c.code, 4243001);
    expect((await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'allowlist' }, alice.key)).status).toBe(400);
    expect((await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'everyone' }, alice.key)).status).toBe(400);
    const ok = await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'allowlist', allow_from: [4243002] }, alice.key);
    expect(ok.status).toBe(200);
    expect(ok.body.integration.config.dm_policy).toBe('allowlist');
    await postUpdate(env, c.id, c.secret, dm(4243002, 'friend here'));
    expect((await waitSent(env, bot.token, 4243002, 1))[0].text).toBe('echo: friend here');
    await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'open' }, alice.key);
    await postUpdate(env, c.id, c.secret, dm(4243003, 'anyone'));
    expect((await waitSent(env, bot.token, 4243003, 1))[0].text).toBe('echo: anyone');
  });

  it('answers the webhook: 401 for a wrong secret, 404 for an unknown bot, 400 for malformed JSON, 200 ignored for a non-update, nothing stored', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot);
    const count = async () => Object.values(await env.t.hub.store.counts.all('inbox')).reduce((a, b) => a + b, 0);
    const before = await count();
    expect((await postUpdate(env, c.id, 'wrong', dm(1, 'x'))).status).toBe(401);
    expect((await postUpdate(env, c.id, undefined, dm(1, 'x'))).status).toBe(401);
    expect((await postUpdate(env, c.id, c.secret.slice(0, -1), '{not json')).status).toBe(401);
    expect((await postUpdate(env, 'int_doesnotexist', c.secret, dm(1, 'x'))).status).toBe(404);
    expect((await postUpdate(env, c.id, c.secret, '{"update_id":')).status).toBe(400);
    // Valid JSON that is not an update came with the right secret: 200 (Telegram would retry anything else), ignored.
    const notAnUpdate = await postUpdate(env, c.id, c.secret, '{"hello":1}');
    expect([notAnUpdate.status, notAnUpdate.body.ignored]).toEqual([200, expect.stringMatching(/update_id/)]);
    const big = JSON.stringify({ update_id: 5, message: { text: 'x'.repeat(400_000) } });
    expect((await postUpdate(env, c.id, c.secret, big)).status).toBe(413);
    expect(await count()).toBe(before);
  });
});
