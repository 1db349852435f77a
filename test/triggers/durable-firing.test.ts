import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, type Probe } from '../fakes/probe-adapter.ts';
import { eventually } from '../helpers/hub.ts';
import { startTriggerEnv, type TriggerEnv } from './env.ts';

/**
 * `delivery.failed` and `integration.unhealthy` firings are written in the transaction that
 * dead-letters the delivery or turns the integration unhealthy. A process that dies right after
 * that commit is simulated by cutting every in-memory listener of the outbox worker first: what
 * happens after the commit in memory never runs, yet the firing is there.
 */
describe('hub event firings commit with their cause', () => {
  let env: TriggerEnv;
  let probe: Probe;
  let probeId: string;
  beforeAll(async () => {
    probe = createProbe();
    env = await startTriggerEnv({ extraAdapters: { probe: probe.factory }, bus: { maxAttempts: 2, retryBaseMs: 5, retryMaxMs: 20 } });
    probeId = (await env.t.api('POST', '/v1/integrations', { type: 'probe' }, env.key)).body.integration.id;
    await env.t.api('PUT', `/v1/profiles/${env.profileId}/grants/${probeId}`, undefined, env.key);
  });
  afterAll(() => env.close());

  const db = () => env.t.hub.db.kysely;
  const deliveryOf = async (notificationId: string) =>
    db().selectFrom('outbox').select(['id', 'status']).where('notification_id', '=', notificationId).executeTakeFirst();
  const firingsOf = (triggerId: string) =>
    db().selectFrom('outbox').select(['idempotency_key', 'status']).where('idempotency_key', 'like', `trigger:${triggerId}:%`).execute();

  it('a dead-lettered delivery fires delivery.failed even when nothing runs after the dead-letter commit', async () => {
    const trigger = await env.t.api('POST', '/v1/triggers', { event: 'delivery.failed', mode: 'url', url: env.rx.url }, env.key);
    expect(trigger.status).toBe(201);
    env.t.hub.bus.outboxWorker.events.removeAllListeners('delivery.failed');
    probe.plan = ['unreachable', 'unreachable'];
    const n = await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: 'probe', message: 'runs out of attempts' }, env.key);
    expect(n.status).toBe(202);
    const dead = (await eventually(async () => {
      const d = await deliveryOf(n.body.notification.id);
      return d?.status === 'dead' ? d : undefined;
    }))!;
    // Read right after the dead-letter is visible: the firing row is already committed beside it.
    expect(await firingsOf(trigger.body.trigger.id)).toEqual([{ idempotency_key: `trigger:${trigger.body.trigger.id}:delivery:${dead.id}`, status: expect.any(String) }]);
    const got = (await eventually(() => env.rx.received.find((r) => r.json?.data?.delivery_id === dead.id)))!;
    expect(new Webhook(trigger.body.secret).verify(got.body, got.headers as Record<string, string>)).toMatchObject({
      type: 'delivery.failed',
      trigger_id: trigger.body.trigger.id,
      data: { status: 'dead', channel: 'probe', attempts: 2, error: expect.stringMatching(/gave up after 2 attempts: probe unreachable/) },
    });
    await env.t.api('DELETE', `/v1/triggers/${trigger.body.trigger.id}`, undefined, env.key);
  });

  it('an integration a refusal turns unhealthy fires integration.unhealthy with nothing in memory after the commit', async () => {
    const trigger = await env.t.api('POST', '/v1/triggers', { integration_id: probeId, event: 'integration.unhealthy', mode: 'url', url: env.rx.url }, env.key);
    expect(trigger.status).toBe(201);
    env.t.hub.bus.outboxWorker.events.removeAllListeners('integration.unhealthy');
    probe.plan = ['unhealthy'];
    await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: 'probe', message: 'token revoked' }, env.key);
    const got = (await eventually(() => env.rx.received.find((r) => r.json?.type === 'integration.unhealthy')))!;
    expect(got.json).toMatchObject({ trigger_id: trigger.body.trigger.id, data: { integration_id: probeId, reason: 'probe token revoked' } });
    expect(await firingsOf(trigger.body.trigger.id)).toHaveLength(1);
  });
});
