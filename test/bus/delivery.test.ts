import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { createProbe, type Probe } from '../fakes/probe-adapter.ts';

describe.each(DIALECTS)('outbox delivery on %s', (dialect) => {
  let t: TestHub;
  let probe: Probe;
  let integrationId: string;
  const failed: any[] = [];

  beforeAll(async () => {
    probe = createProbe();
    t = await startTestHub({ dialect, extraAdapters: { probe: probe.factory }, bus: { maxAttempts: 3, retryBaseMs: 10, retryMaxMs: 50 } });
    integrationId = (await t.api('POST', '/v1/integrations', { type: 'probe' })).body.integration.id;
    expect((await t.api('PUT', `/v1/profiles/default/grants/${integrationId}`)).status).toBe(200);
    t.hub.bus.outboxWorker.events.on('delivery.failed', (row) => failed.push(row));
  });
  afterAll(() => t.close());
  beforeEach(() => {
    probe.plan = [];
    probe.always = undefined;
  });

  const send = async (message: string) => {
    const r = await t.api('POST', '/v1/notify', { profile_id: 'default', channel: 'probe', message });
    expect(r.status).toBe(202);
    return r.body.notification.id as string;
  };
  const delivery = async (id: string) => (await t.api('GET', `/v1/notifications/${id}`)).body.notification.deliveries[0];

  it('delivers once with the idempotency key', async () => {
    const id = await send('plain');
    const d = await eventually(async () => {
      const x = await delivery(id);
      return x.status === 'sent' && x;
    });
    expect(d.attempts).toBe(1);
    const sends = probe.sent.filter((s) => s.text === 'plain');
    expect(sends).toHaveLength(1);
    expect(sends[0].key).toBe(`${id}:${integrationId}`);
  });

  it('waits the platform\'s retry-after, then delivers; nothing lost', async () => {
    probe.plan = [{ retryAfterMs: 300 }];
    const id = await send('limited');
    const d = await eventually(async () => {
      const x = await delivery(id);
      return x.status === 'sent' && x;
    });
    expect(d.attempts).toBe(2);
    const sends = probe.sent.filter((s) => s.text === 'limited');
    expect(sends).toHaveLength(2);
    expect(sends[1].at - sends[0].at).toBeGreaterThanOrEqual(290);
    expect(new Set(sends.map((s) => s.key)).size).toBe(1);
  });

  it('stops at a permanent refusal, logs it and fires delivery.failed', async () => {
    probe.plan = ['refused'];
    const id = await send('refused one');
    // The event follows the commit once it is on disk.
    await eventually(() => failed.some((f) => f.notification_id === id && f.status === 'failed'));
    const d = await delivery(id);
    expect(d.status).toBe('failed');
    expect(d.attempts).toBe(1);
    expect(d.last_error).toBe('probe refused');
    const errors = (await t.api('GET', '/v1/messages?type=error')).body.messages;
    expect(errors.some((e: any) => e.meta.notification_id === id)).toBe(true);
  });

  it('dead-letters after the last attempt, visibly', async () => {
    probe.always = 'unreachable';
    const id = await send('never');
    await eventually(() => failed.some((f) => f.notification_id === id && f.status === 'dead'));
    const d = await delivery(id);
    expect(d.status).toBe('dead');
    expect(d.attempts).toBe(3);
    expect(d.last_error).toMatch(/gave up after 3 attempts: probe unreachable/);
    const log = (await t.api('GET', '/v1/messages?type=delivery&limit=10')).body.messages;
    expect(log.find((m: any) => m.notification_id === id).status).toBe('dead');
  });

  it('marks the integration unhealthy when the platform says its credentials are revoked', async () => {
    probe.plan = ['unhealthy'];
    const id = await send('revoked');
    await eventually(async () => (await delivery(id)).status === 'failed');
    const i = (await t.api('GET', `/v1/integrations/${integrationId}`)).body.integration;
    expect(i.status).toBe('unhealthy');
    expect(i.status_reason).toBe('probe token revoked');
    const refused = await t.api('POST', '/v1/notify', { profile_id: 'default', channel: 'probe', message: 'x' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('integration_unhealthy');
    await t.hub.store.integrations.setStatus(integrationId, 'active', null);
  });
});
