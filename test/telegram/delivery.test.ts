import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { startTestHub } from '../helpers/hub.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { claim, connectBot, dm, eventually, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

describe.each(DIALECTS)('Telegram delivery on %s', (dialect) => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
    alice = await newUser(env.t, `alice-d-${dialect}@example.com`);
  });
  afterAll(() => env.close());

  async function linkedBot(tgUser: number) {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    await claim(env, bot, c.id, c.secret, c.code, tgUser);
    return { bot, c };
  }

  it('on 429 waits retry_after and retries: nothing lost, nothing twice', async () => {
    const { bot, c } = await linkedBot(5200001);
    env.fake.fail({ method: 'sendMessage', times: 2, error_code: 429, description: 'Too Many Requests: retry after 1', retry_after: 1 });
    const started = Date.now();
    for (const text of ['one', 'two', 'three']) await postUpdate(env, c.id, c.secret, dm(5200001, text));
    const sent = await waitSent(env, bot.token, 5200001, 4, 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await new Promise((r) => setTimeout(r, 300));
    expect(env.fake.sentBy(bot.token, 5200001).map((s) => s.text).slice(1)).toEqual(['echo: one', 'echo: two', 'echo: three']);
    expect(sent.length).toBe(4);
    const rows = await env.t.hub.db.kysely.selectFrom('outbox').select(['status', 'attempts']).where('integration_id', '=', c.id).execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    expect(rows.some((r) => Number(r.attempts) > 1)).toBe(true);
  });

  it('formats Markdown as Telegram HTML, falls back to plain text on entity errors, and splits long texts', async () => {
    const { bot, c } = await linkedBot(5200002);
    const profile = await env.t.api('POST', '/v1/profiles', { name: `fmt-${dialect}` }, alice.key);
    await env.t.api('PUT', `/v1/profiles/${profile.body.profile.id}/grants/${c.id}`, undefined, alice.key);
    const token = profile.body.token;
    const md = '# Report\n**bold** and _it_ and `a<b>` & [site](https://example.com)\n- item\n```js\nif (a < b) {}\n```';
    expect((await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: md }, token)).status).toBe(202);
    const [, first] = await waitSent(env, bot.token, 5200002, 2);
    expect(first.parse_mode).toBe('HTML');
    expect(first.text).toBe(
      '<b>Report</b>\n<b>bold</b> and <i>it</i> and <code>a&lt;b&gt;</code> &amp; <a href="https://example.com">site</a>\n• item\n<pre><code class="language-js">if (a &lt; b) {}</code></pre>',
    );
    env.fake.rejectEntitiesContaining = 'REJECTME';
    await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: '**REJECTME** please' }, token);
    const third = (await waitSent(env, bot.token, 5200002, 3))[2];
    expect(third.parse_mode).toBeUndefined();
    expect(third.text).toBe('**REJECTME** please');
    env.fake.rejectEntitiesContaining = undefined;
    const para = (n: number) => `Paragraph ${n} ` + 'word '.repeat(150).trim() + ' <&>.';
    const long = Array.from({ length: 12 }, (_, i) => para(i)).join('\n\n');
    await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: long }, token);
    const parts = await eventually(() => {
      const s = env.fake.sentBy(bot.token, 5200002).slice(3);
      return s.length >= 3 ? s : undefined;
    }, 10_000);
    for (const p of parts!) expect(p.text.length).toBeLessThanOrEqual(4096);
    expect(parts![0].text.startsWith('Paragraph 0')).toBe(true);
    expect(parts!.at(-1)!.text.endsWith('&lt;&amp;&gt;.')).toBe(true);
    expect(parts!.map((p) => p.text).join('\n\n')).toBe(long.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
  });

  it('claim: a reply to a claimed notification goes to the profile that sent it, with the notification in context', async () => {
    const { bot, c } = await linkedBot(5200003);
    const sender = await env.t.api('POST', '/v1/profiles', { name: `claimer-${dialect}` }, alice.key);
    await env.t.api('PUT', `/v1/profiles/${sender.body.profile.id}/grants/${c.id}`, undefined, alice.key);
    const bare = await env.t.api('POST', '/v1/notify', { channel: 'telegram', message: 'x', claim: true }, sender.body.token);
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('claim_needs_named_integration');
    const n = await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: 'Build 42 failed. Retry?', claim: true }, sender.body.token);
    expect(n.status).toBe(202);
    const sent = (await waitSent(env, bot.token, 5200003, 2))[1];
    await eventually(async () => (await env.t.hub.db.kysely.selectFrom('claims').select('claim_key').execute()).some((r) => r.claim_key === `${c.id}|5200003:${sent.message_id}`));
    await postUpdate(env, c.id, c.secret, dm(5200003, 'yes retry', { reply_to_message: { message_id: sent.message_id, from: { id: bot.id, is_bot: true, first_name: 'b' }, chat: { id: 5200003, type: 'private' }, date: 1, text: sent.text } }));
    await waitSent(env, bot.token, 5200003, 3);
    const msg = await eventually(async () => (await env.t.api('GET', '/v1/messages?type=user_message', undefined, alice.key)).body.messages.find((m: any) => m.text === 'yes retry'));
    expect(msg.profile_id).toBe(sender.body.profile.id);
    expect(msg.meta.claim).toBe(n.body.notification.id);
    // Not a reply: the bot's granted profile (the oldest grant) answers.
    await postUpdate(env, c.id, c.secret, dm(5200003, 'unrelated'));
    await waitSent(env, bot.token, 5200003, 4);
    const plain = await eventually(async () => (await env.t.api('GET', '/v1/messages?type=user_message', undefined, alice.key)).body.messages.find((m: any) => m.text === 'unrelated'));
    expect(plain.profile_id).toBe(alice.profileId);
  });

  it('disconnect: deleteWebhook, 204, pending deliveries failed with the reason, webhook then 404', async () => {
    const { bot, c } = await linkedBot(5200004);
    env.fake.fail({ method: 'sendMessage', times: 1, error_code: 429, description: 'Too Many Requests: retry after 30', retry_after: 30 });
    await postUpdate(env, c.id, c.secret, dm(5200004, 'stuck'));
    await eventually(async () => (await env.t.hub.db.kysely.selectFrom('outbox').select('status').where('integration_id', '=', c.id).where('attempts', '>=', 1).where('status', '=', 'pending').execute()).length > 0);
    expect((await env.t.api('DELETE', `/v1/integrations/${c.id}`, undefined, alice.key)).status).toBe(204);
    expect(env.fake.callsOf('deleteWebhook', bot.token).length).toBe(1);
    expect(env.fake.webhooks.has(bot.token)).toBe(false);
    const rows = await env.t.hub.db.kysely.selectFrom('outbox').select(['status', 'last_error']).where('integration_id', '=', c.id).execute();
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    expect(rows.some((r) => r.status === 'failed' && /disconnected/.test(r.last_error ?? ''))).toBe(true);
    expect(await env.t.hub.db.kysely.selectFrom('identity_links').selectAll().where('integration_id', '=', c.id).execute()).toEqual([]);
    expect((await postUpdate(env, c.id, c.secret, dm(5200004, 'after'))).status).toBe(404);
  });

  it('a revoked token turns the integration unhealthy, visible in the list', async () => {
    const { bot, c } = await linkedBot(5200005);
    env.fake.revoke(bot.token);
    await postUpdate(env, c.id, c.secret, dm(5200005, 'anyone there?'));
    const row = await eventually(async () => {
      const list = (await env.t.api('GET', '/v1/integrations', undefined, alice.key)).body.integrations;
      return list.find((i: any) => i.id === c.id && i.status === 'unhealthy');
    });
    expect(row.status_reason).toMatch(/401/);
    expect(row.status_reason).not.toContain(bot.token);
  });
});

describe('Telegram: a restart between the 200 and the reply', () => {
  it('still gives exactly one reply', async () => {
    const fake = await new FakeTelegram().start();
    const env = await startTgEnv({ fake });
    const alice = await newUser(env.t, 'restart@example.com');
    const bot = newBot(fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    await claim(env, bot, c.id, c.secret, c.code, 5300001);
    await env.t.hub.bus.inboxWorker.stop(0);
    await env.t.hub.bus.outboxWorker.stop(0);
    const u = dm(5300001, 'survive the restart');
    expect((await postUpdate(env, c.id, c.secret, u)).status).toBe(200);
    await env.t.hub.close(0);
    expect(fake.sentBy(bot.token, 5300001).length).toBe(1);
    const t2 = await startTestHub({ database: { url: env.t.config.databaseUrl, dataDir: env.t.dataDir }, env: { TELEGRAM_API_ROOT: fake.url, PUBLIC_URL: 'http://127.0.0.1:9' } });
    try {
      // Telegram redelivers the same update after the restart: still one reply.
      const again = await fetch(`${t2.url}/api/telegram/${c.id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': c.secret }, body: JSON.stringify(u) });
      expect(again.status).toBe(200);
      await eventually(() => fake.sentBy(bot.token, 5300001).length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(fake.sentBy(bot.token, 5300001).map((s) => s.text)).toEqual([expect.stringMatching(/Linked/), 'echo: survive the restart']);
    } finally {
      await t2.close();
      await fake.close();
      rmSync(env.t.dataDir, { recursive: true, force: true });
    }
  });
});
