import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/channel/index.ts';
import { fakeChatAdapter } from '../fakes/chat-adapter.ts';
import { startFakeResend, type FakeResend } from '../fakes/resend-api.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';

describe.each(DIALECTS)('POST /v1/notify on %s', (dialect) => {
  let t: TestHub;
  let rx: WebhookReceiver;
  let resend: FakeResend;
  const chat: OutboundMessage[] = [];
  let alice: string;
  let bob: string;
  let token: string;
  let profileId: string;
  let hook: string;
  let mail: string;
  let bot: string;
  let bobHook: string;

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    resend = await startFakeResend();
    t = await startTestHub({
      dialect,
      env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1', RESEND_BASE_URL: resend.url },
      extraAdapters: { telegram: fakeChatAdapter('telegram', chat) },
    });
    alice = (await t.api('POST', '/v1/users', { email: 'alice@example.com' })).body.api_key;
    bob = (await t.api('POST', '/v1/users', { email: 'bob@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'agent' }, alice);
    token = p.body.token;
    profileId = p.body.profile.id;
    hook = (await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, alice)).body.integration.id;
    mail = (await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_test_good', from: 'hub@example.com' }, alice)).body.integration.id;
    const aliceId = (await t.api('GET', '/v1/me', undefined, alice)).body.user.id;
    bot = (await t.hub.store.integrations.create({ userId: aliceId, type: 'telegram', name: 'bot', isDefault: true })).id;
    bobHook = (await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, bob)).body.integration.id;
    for (const id of [hook, mail, bot]) await t.api('PUT', `/v1/profiles/${profileId}/grants/${id}`, undefined, alice);
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
    await resend.close();
  });

  const notify = (body: Record<string, unknown>, key = token) => t.api('POST', '/v1/notify', body, key);
  const follow = async (id: string) => (await t.api('GET', `/v1/notifications/${id}`, undefined, token)).body.notification;

  it('answers 202 with one delivery per channel, and GET follows them', async () => {
    const res = await notify({ channels: ['webhook', 'email', `telegram:${bot}`], message: 'hello all' });
    expect(res.status).toBe(202);
    expect(res.body.notification.deliveries.map((d: any) => d.channel).sort()).toEqual(['email', 'telegram', 'webhook']);
    const done = await eventually(async () => {
      const n = await follow(res.body.notification.id);
      return n.deliveries.every((d: any) => d.status === 'sent') && n;
    });
    expect(done.channels).toEqual(['webhook', 'email', `telegram:${bot}`]);
    expect(chat.at(-1)!.target).toEqual({ chat: `owner-of-${bot}` });
  });

  it('returns the first notification for a repeated idempotency key and sends nothing again', async () => {
    const before = rx.received.length;
    const first = await notify({ channel: 'webhook', message: 'once', idempotency_key: 'job-42' });
    const again = await notify({ channel: 'webhook', message: 'once (retry)', idempotency_key: 'job-42' });
    const racing = await Promise.all([1, 2, 3].map(() => notify({ channel: 'webhook', message: 'race', idempotency_key: 'job-43' })));
    expect(first.body.duplicate).toBe(false);
    expect(again.status).toBe(202);
    expect(again.body.duplicate).toBe(true);
    expect(again.body.notification.id).toBe(first.body.notification.id);
    expect(new Set(racing.map((r) => r.body.notification.id)).size).toBe(1);
    await eventually(async () => (await follow(racing[0].body.notification.id)).deliveries[0].status === 'sent');
    await eventually(async () => (await follow(first.body.notification.id)).deliveries[0].status === 'sent');
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received.length - before).toBe(2);
  });

  it('fans out with one channel failing for good and the others delivered', async () => {
    resend.failNext('refused');
    const res = await notify({ channels: ['email', 'webhook', 'telegram'], message: 'partial' });
    const n = await eventually(async () => {
      const f = await follow(res.body.notification.id);
      return f.deliveries.every((d: any) => d.status !== 'pending' && d.status !== 'sending') && f;
    });
    const by = Object.fromEntries(n.deliveries.map((d: any) => [d.channel, d]));
    expect(by.email.status).toBe('failed');
    expect(by.email.last_error).toContain('validation_error');
    expect(by.webhook.status).toBe('sent');
    expect(by.telegram.status).toBe('sent');
  });

  it('works with a user key plus profile_id', async () => {
    const res = await notify({ profile_id: 'agent', channel: 'webhook', message: 'as user' }, alice);
    expect(res.status).toBe(202);
    expect((await notify({ channel: 'webhook', message: 'x' }, alice)).status).toBe(400);
  });

  it('answers resolution errors clearly, and writes nothing', async () => {
    const count = async () => (await t.hub.db.kysely.selectFrom('notifications').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst())!.n;
    const before = Number(await count());
    const unknown = await notify({ channel: 'carrier_pigeon', message: 'x' });
    expect([unknown.status, unknown.body.error.code]).toEqual([400, 'unknown_channel']);
    const malformed = await notify({ channel: 'telegram:', message: 'x' });
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'malformed_channel']);
    const foreign = await notify({ channel: `webhook:${bobHook}`, message: 'x' });
    expect(foreign.status).toBe(404);
    const other = await t.api('POST', '/v1/profiles', { name: 'nogrants' }, alice);
    const denied = await notify({ channel: 'webhook', message: 'x' }, other.body.token);
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain('webhook');
    expect(denied.body.error.code).toBe('not_granted');
    const none = await notify({ channel: 'email', message: 'x' }, (await t.api('POST', '/v1/profiles', { name: 'b' }, bob)).body.token);
    expect([none.status, none.body.error.code]).toEqual([422, 'no_integration']);
    const claimBare = await notify({ channel: 'telegram', message: 'x', claim: true });
    expect([claimBare.status, claimBare.body.error.code]).toEqual([400, 'claim_needs_named_integration']);
    const claimEmail = await notify({ channel: 'email', message: 'x', claim: true });
    expect([claimEmail.status, claimEmail.body.error.code]).toEqual([400, 'claim_not_supported']);
    const mixed = await notify({ channels: ['webhook', 'carrier_pigeon'], message: 'x' });
    expect(mixed.status).toBe(400);
    expect(Number(await count())).toBe(before);
  });

  it('accepts claim on a named bot', async () => {
    const res = await notify({ channel: `telegram:${bot}`, message: 'reply to me', claim: true });
    expect(res.status).toBe(202);
    expect((await follow(res.body.notification.id)).claim).toBe(true);
  });

  it('answers 422 for an unhealthy integration', async () => {
    await t.hub.store.integrations.setStatus(mail, 'unhealthy', 'Resend refused the key');
    const res = await notify({ channel: 'email', message: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('integration_unhealthy');
    expect(res.body.error.message).toContain('Resend refused the key');
    await t.hub.store.integrations.setStatus(mail, 'active', null);
  });

  it('keeps notifications apart between profiles and tenants', async () => {
    const res = await notify({ channel: 'webhook', message: 'mine' });
    expect((await t.api('GET', `/v1/notifications/${res.body.notification.id}`, undefined, bob)).status).toBe(404);
  });
});
