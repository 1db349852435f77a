import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedHeaders } from '../../src/crypto/standard-webhooks.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';

describe('Standard Webhooks signing', () => {
  it('reproduces the published test vector', () => {
    const h = signedHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', '{"test": 2432232314}', new Date(1614265330 * 1000));
    expect(h['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    expect(h['webhook-timestamp']).toBe('1614265330');
    expect(h['webhook-id']).toBe('msg_p5jXN8AQM9LWM0D4loKWxJek');
  });
});

describe('webhook channel', () => {
  let t: TestHub;
  let rx: WebhookReceiver;
  let key: string;
  let token: string;
  let profileId: string;
  let integrationId: string;
  let secret: string;

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { retryScheduleScale: 0.0001, sendTimeoutMs: 300 } });
    key = (await t.api('POST', '/v1/users', { email: 'hooks@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'notifier' }, key);
    token = p.body.token;
    profileId = p.body.profile.id;
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  const notify = (body: Record<string, unknown>) => t.api('POST', '/v1/notify', { channel: 'webhook', ...body }, token);
  const delivery = async (notificationId: string) => (await t.api('GET', `/v1/notifications/${notificationId}`, undefined, token)).body.notification.deliveries[0];
  const verify = (i: number) => new Webhook(secret).verify(rx.received[i].body, rx.received[i].headers as Record<string, string>);

  it('connects with a generated secret shown once and stored encrypted', async () => {
    const res = await t.api('POST', '/v1/integrations', { type: 'webhook', url: `${rx.url}?token=path-sekret`, secret: true }, key);
    expect(res.status).toBe(201);
    secret = res.body.secret;
    expect(secret).toMatch(/^whsec_/);
    integrationId = res.body.integration.id;
    expect(res.body.integration.config).toEqual({ url: `${new URL(rx.url).origin}/…`, signed: true });
    expect(JSON.stringify(res.body)).not.toContain('path-sekret');
    const shown = await t.api('GET', `/v1/integrations/${integrationId}`, undefined, key);
    expect(JSON.stringify(shown.body)).not.toContain(secret.slice(6));
    const raw = await t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain(secret.slice(6));
    expect(JSON.stringify(raw)).not.toContain('path-sekret');
    expect((await t.api('PUT', `/v1/profiles/${profileId}/grants/${integrationId}`, undefined, key)).status).toBe(200);
  });

  it('delivers a signed JSON event that the standardwebhooks package verifies', async () => {
    const res = await notify({ message: 'Build **green**', subject: 'CI' });
    expect(res.status).toBe(202);
    await eventually(() => rx.received.length === 1);
    const event = verify(0) as any;
    expect(event.type).toBe('notification');
    expect(event.data).toMatchObject({ message: 'Build **green**', subject: 'CI', notification_id: res.body.notification.id, profile_id: profileId, channel: 'webhook' });
    expect(rx.received[0].headers['webhook-id']).toMatch(/^msg_/);
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent');
  });

  it('retries network errors, 5xx and 429 with the same webhook-id, honouring Retry-After', async () => {
    const start = rx.received.length;
    rx.answerNext({ status: 503 }, 'drop', { status: 429, headers: { 'retry-after': '1' } });
    const res = await notify({ message: 'retry me' });
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent', 10_000);
    const got = rx.received.slice(start);
    expect(got.length).toBe(4);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    for (let i = start; i < rx.received.length; i++) expect(verify(i)).toBeTruthy();
    const d = await delivery(res.body.notification.id);
    expect(d.attempts).toBe(4);
    expect(d.max_attempts).toBe(7);
  });

  it('retries a timeout with the same webhook-id', async () => {
    const start = rx.received.length;
    rx.answerNext('hang');
    const res = await notify({ message: 'slow endpoint' });
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent', 10_000);
    const got = rx.received.slice(start);
    expect(got.length).toBe(2);
    expect(got[0].headers['webhook-id']).toBe(got[1].headers['webhook-id']);
    expect((await delivery(res.body.notification.id)).attempts).toBe(2);
  });

  it('waits at least Retry-After before the next attempt', async () => {
    const start = rx.received.length;
    rx.answerNext({ status: 429, headers: { 'retry-after': '1' } });
    const res = await notify({ message: 'slow down' });
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent', 10_000);
    expect(rx.received.length - start).toBe(2);
    const ts = rx.received.slice(start).map((r) => Number(r.headers['webhook-timestamp']));
    expect(ts[1] - ts[0]).toBeGreaterThanOrEqual(1);
  });

  it('sends a test event on POST /v1/integrations/:id/test', async () => {
    const start = rx.received.length;
    const res = await t.api('POST', `/v1/integrations/${integrationId}/test`, {}, key);
    expect(res.status).toBe(200);
    expect(res.body.delivered).toBe(true);
    expect(rx.received.length).toBe(start + 1);
    expect((verify(start) as any).type).toBe('test');
    rx.answerNext({ status: 500 });
    const failed = await t.api('POST', `/v1/integrations/${integrationId}/test`, {}, key);
    expect(failed.body).toMatchObject({ delivered: false });
    expect(failed.body.error).toContain('500');
  });

  it('refuses bodies over 256 KiB at notify time, naming the limit, and queues nothing', async () => {
    const res = await notify({ message: 'é'.repeat(200_000) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('message_too_large');
    expect(res.body.error.message).toContain('256 KiB');
  });

  it('fails for good on a 4xx and stops on 410, marking the integration unhealthy', async () => {
    rx.answerNext({ status: 400 });
    const bad = await notify({ message: 'refused' });
    await eventually(async () => (await delivery(bad.body.notification.id)).status === 'failed');
    expect((await delivery(bad.body.notification.id)).attempts).toBe(1);
    rx.answerNext({ status: 410 });
    const gone = await notify({ message: 'gone' });
    await eventually(async () => (await delivery(gone.body.notification.id)).status === 'failed');
    const integ = await t.api('GET', `/v1/integrations/${integrationId}`, undefined, key);
    expect(integ.body.integration.status).toBe('unhealthy');
    expect(integ.body.integration.status_reason).toContain('410');
    const after = await notify({ message: 'again' });
    expect(after.status).toBe(422);
    expect(after.body.error.code).toBe('integration_unhealthy');
  });

  it('accepts a given whsec_ secret and refuses a malformed one', async () => {
    const other = (await t.api('POST', '/v1/users', { email: 'hooks2@example.com' })).body.api_key;
    const bad = await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url, secret: 'hunter2' }, other);
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).not.toContain('hunter2');
    const given = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const ok = await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url, secret: given }, other);
    expect(ok.status).toBe(201);
    expect(ok.body.secret).toBeUndefined();
    expect(await t.hub.store.integrations.secrets(ok.body.integration.id)).toEqual({ url: rx.url, secret: given });
    const raw = await t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
  });
});
