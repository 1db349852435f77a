import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capabilities as webhookCapabilities } from '../../adapters/webhook/capabilities.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';

describe('REST routes the dashboard added', () => {
  let t: TestHub;
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { retryScheduleScale: 0.00001, sendTimeoutMs: 300 } });
  });
  afterAll(async () => {
    await t?.close();
    await rx?.close();
  });

  it('POST /v1/profiles/:id/token gives a new token once; the old one stops working', async () => {
    const created = await t.api('POST', '/v1/profiles', { name: 'regen' });
    const old = created.body.token as string;
    expect((await t.api('GET', '/v1/me', undefined, old)).status).toBe(200);
    const regen = await t.api('POST', `/v1/profiles/${created.body.profile.id}/token`);
    expect(regen.status).toBe(201);
    expect(regen.body.token).toMatch(/^sbp_/);
    expect(regen.body.token).not.toBe(old);
    expect((await t.api('GET', '/v1/me', undefined, old)).status).toBe(401);
    expect((await t.api('GET', '/v1/me', undefined, regen.body.token)).body.profile_id).toBe(created.body.profile.id);
    // A profile token may not mint tokens; another user's profile is a 404.
    expect((await t.api('POST', `/v1/profiles/${created.body.profile.id}/token`, undefined, regen.body.token)).status).toBe(403);
    const other = await t.api('POST', '/v1/users', { email: 'other-regen@example.com' });
    expect((await t.api('POST', `/v1/profiles/${created.body.profile.id}/token`, undefined, other.body.api_key)).status).toBe(404);
  });

  it('POST /v1/deliveries/:id/retry queues a dead delivery again and it is sent', async () => {
    const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url });
    expect(hook.status).toBe(201);
    const profile = (await t.api('GET', '/v1/profiles')).body.profiles[0];
    await t.api('PUT', `/v1/profiles/${profile.id}/grants/${hook.body.integration.id}`);
    const attempts = webhookCapabilities.retrySchedule!.length + 1;
    rx.answerNext(...Array.from({ length: attempts }, () => ({ status: 500 })));
    const sent = await t.api('POST', '/v1/notify', { profile_id: profile.id, channel: 'webhook', message: 'retry me' });
    const deliveryId = sent.body.notification.deliveries[0].id;
    const notification = sent.body.notification.id;
    await eventually(async () => (await t.api('GET', `/v1/notifications/${notification}`)).body.notification.deliveries[0].status === 'dead');
    // Not dead: 404; another user's: 404.
    const other = await t.api('POST', '/v1/users', { email: 'other-retry@example.com' });
    expect((await t.api('POST', `/v1/deliveries/${deliveryId}/retry`, undefined, other.body.api_key)).status).toBe(404);
    expect((await t.api('POST', '/v1/deliveries/abc/retry')).status).toBe(404);
    const retried = await t.api('POST', `/v1/deliveries/${deliveryId}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.delivery).toMatchObject({ id: deliveryId, status: 'pending', attempts: 0 });
    await eventually(async () => (await t.api('GET', `/v1/notifications/${notification}`)).body.notification.deliveries[0].status === 'sent');
    expect(rx.received.filter((r) => r.body.includes('retry me')).length).toBe(attempts + 1);
    expect((await t.api('POST', `/v1/deliveries/${deliveryId}/retry`)).status).toBe(404);
  });
});
