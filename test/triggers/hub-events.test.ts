import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProbe, type Probe } from '../fakes/probe-adapter.ts';
import { eventually } from '../helpers/hub.ts';
import { connectBot, dm, claim, newBot, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTriggerEnv, type TriggerEnv } from './env.ts';

describe('the hub\'s own events', () => {
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

  const events = (type: string) => env.rx.received.filter((r) => r.json?.type === type);

  it('delivery.failed (hub-wide) and integration.unhealthy (on one integration) fire when a send is refused with a revoked token', async () => {
    const failed = await env.t.api('POST', '/v1/triggers', { event: 'delivery.failed', mode: 'url', url: env.rx.url }, env.key);
    const sick = await env.t.api('POST', '/v1/triggers', { integration_id: probeId, event: 'integration.unhealthy', mode: 'url', url: env.rx.url }, env.key);
    expect([failed.status, sick.status]).toEqual([201, 201]);
    probe.plan = ['unhealthy'];
    const n = await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: 'probe', message: 'will bounce' }, env.key);
    expect(n.status).toBe(202);
    const df = await eventually(() => events('delivery.failed')[0]);
    expect(new Webhook(failed.body.secret).verify(df.body, df.headers as Record<string, string>)).toMatchObject({
      type: 'delivery.failed',
      trigger_id: failed.body.trigger.id,
      integration_id: probeId,
      data: { channel: 'probe', status: 'failed', notification_id: n.body.notification.id, error: 'probe token revoked' },
    });
    const iu = await eventually(() => events('integration.unhealthy')[0]);
    expect(iu.json).toMatchObject({ trigger_id: sick.body.trigger.id, data: { integration_id: probeId, type: 'probe', reason: 'probe token revoked' } });
    // The trigger on the sick integration shows it.
    const t = (await env.t.api('GET', `/v1/triggers/${sick.body.trigger.id}`, undefined, env.key)).body.trigger;
    expect(t).toMatchObject({ status: 'unhealthy', status_reason: expect.stringMatching(/probe token revoked/) });
  });

  it('a trigger\'s own failing answer does not fire delivery.failed again (no loops)', async () => {
    await env.t.hub.store.integrations.setStatus(probeId, 'active', null);
    const before = events('delivery.failed').length;
    // An agent trigger on delivery.failed that answers into the probe channel, which refuses.
    const loop = await env.t.api('POST', '/v1/triggers', { event: 'delivery.failed', profile_id: env.profileId, reply_channel: 'probe' }, env.key);
    expect(loop.status).toBe(201);
    probe.always = 'refused';
    const calls = env.agent.calls.length;
    await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: 'probe', message: 'first failure' }, env.key);
    // The url trigger sees the first failure, the agent is woken once and its answer fails too…
    await eventually(() => events('delivery.failed').length === before + 1);
    await eventually(() => probe.sent.some((s) => s.text === 'agent saw delivery.failed'));
    // …and a later, unrelated failure is the next event: the answer's failure made none.
    probe.always = undefined;
    probe.plan = ['refused'];
    await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: 'probe', message: 'second failure' }, env.key);
    await eventually(() => events('delivery.failed').length === before + 2);
    await eventually(() => env.agent.calls.length === calls + 2);
    expect(events('delivery.failed').slice(before).map((e) => e.json.data.status)).toEqual(['failed', 'failed']);
    await env.t.api('DELETE', `/v1/triggers/${loop.body.trigger.id}`, undefined, env.key);
  });
});

describe('message.received on Telegram', () => {
  let env: TgEnv;
  let rx: WebhookReceiver;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
  });
  afterAll(async () => {
    await env.close();
    await rx.close();
  });

  it('a DM to a bot fires the trigger on that bot, and the chat still gets its answer', async () => {
    const bot = newBot(env.fake);
    const profileId = (await env.t.api('GET', '/v1/profiles')).body.profiles[0].id;
    const c = await connectBot(env, env.t.adminKey, bot, profileId);
    const t = await env.t.api('POST', '/v1/triggers', { integration_id: c.id, event: 'message.received', mode: 'url', url: rx.url });
    expect(t.status).toBe(201);
    const me = 7300001;
    await claim(env, bot, c.id, c.secret, c.code, me);
    await postUpdate(env, c.id, c.secret, dm(me, 'ping the trigger'));
    const sent = await waitSent(env, bot.token, me, 2);
    expect(sent[1].text).toBe('echo: ping the trigger');
    const got = (await eventually(() => rx.received.find((r) => r.json?.data?.text === 'ping the trigger')))!;
    expect(got.json).toMatchObject({ type: 'message.received', integration_id: c.id, data: { channel: 'telegram', is_direct: true, sender: { id: String(me) } } });
  });
});
