import fs from 'node:fs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/hub.ts';
import { callHook, hookHeaders, rowCounts, startTriggerEnv, type TriggerEnv } from './env.ts';

const fixture = (name: string) => fs.readFileSync(new URL(`../../adapters/hook/fixtures/${name}`, import.meta.url), 'utf8');
const BODIES: Record<string, string> = { standard: fixture('standard-webhooks-contact.json'), github: fixture('github-workflow-run.json'), bearer: '{"build":"green","ref":"main"}' };

describe('inbound hooks wake an agent whose answer is a notification', () => {
  let env: TriggerEnv;
  beforeAll(async () => {
    env = await startTriggerEnv();
  });
  afterAll(() => env.close());

  describe.each(['standard', 'github', 'bearer'])('verified with %s', (verify) => {
    let url: string;
    let secret: string;
    let integrationId: string;
    const body = BODIES[verify];

    it('connects: 201 with the URL and the secret shown once, never again', async () => {
      const r = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify, name: `ci-${verify}` }, env.key);
      expect(r.status).toBe(201);
      ({ url, secret } = r.body);
      integrationId = r.body.integration.id;
      expect(url).toBe(`${env.t.config.publicUrl}/api/hooks/${integrationId}`);
      expect(secret.length).toBeGreaterThan(20);
      const shown = await env.t.api('GET', `/v1/integrations/${integrationId}`, undefined, env.key);
      expect(shown.body.integration.config).toEqual({ verify, url });
      expect(JSON.stringify(shown.body)).not.toContain(secret);
      const raw = await env.t.hub.db.kysely.selectFrom('user_integrations').select('secrets').where('id', '=', integrationId).executeTakeFirstOrThrow();
      expect(raw.secrets).not.toContain(secret);
      const trig = await env.t.api('POST', '/v1/triggers', { integration_id: integrationId, event: 'hook.received', profile_id: env.profileId, reply_channel: 'webhook' }, env.key);
      expect(trig.status).toBe(201);
      expect(trig.body.trigger).toMatchObject({ mode: 'agent', status: 'active', event: 'hook.received', integration_type: 'hook' });
      // The hook's own address on the public server (the test hub listens on a random port).
      url = url.replace(env.t.config.publicUrl, env.t.url);
    });

    it('a bad or missing signature answers 401 and stores nothing', async () => {
      const before = await rowCounts(env.t);
      const calls = env.agent.calls.length;
      const wrong = await callHook(url, body, hookHeaders(verify, verify === 'standard' ? 'whsec_d3JvbmctYnV0LXdlbGwtZm9ybWVkLXNlY3JldA==' : 'wrong-secret', body, 'd-bad'));
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.code).toBe('invalid_signature');
      const missing = await callHook(url, body, {});
      expect(missing.status).toBe(401);
      expect(JSON.stringify([wrong.body, missing.body])).not.toContain(secret);
      expect(await rowCounts(env.t)).toEqual(before);
      expect(env.agent.calls.length).toBe(calls);
    });

    it('a good call fires the trigger: trigger.fired to the agent, its answer notified to the webhook', async () => {
      const seen = env.rx.received.length;
      const calls = env.agent.calls.length;
      const r = await callHook(url, body, hookHeaders(verify, secret, body, `delivery-${verify}-1`));
      expect(r.status).toBe(202);
      expect(r.body).toEqual({ received: true, delivery_id: `delivery-${verify}-1`, triggers: 1 });
      const call = await eventually(() => env.agent.calls[calls]);
      expect(call.verified).toBe(true);
      expect(call.body.type).toBe('trigger.fired');
      expect(call.body.trigger).toMatchObject({ event: 'hook.received', integration_id: integrationId });
      expect(call.body.event).toMatchObject({ type: 'hook.received', integration_id: integrationId, data: { delivery_id: `delivery-${verify}-1`, json: JSON.parse(body) } });
      expect(JSON.stringify(call.body.event.data.headers)).not.toMatch(/authorization|signature/i);
      expect(call.body.profile.id).toBe(env.profileId);
      const note = await eventually(() => env.rx.received[seen]);
      expect(note.json).toMatchObject({ type: 'notification', data: { message: 'agent saw hook.received', subject: 'Trigger: hook.received' } });
    });

    it('a repeat with the same delivery id fires nothing new', async () => {
      const calls = env.agent.calls.length;
      const again = await callHook(url, body, hookHeaders(verify, secret, body, `delivery-${verify}-1`));
      expect(again.status).toBe(202);
      // A later call with a new id does arrive: the repeat before it made no turn.
      await callHook(url, body, hookHeaders(verify, secret, body, `delivery-${verify}-2`));
      await eventually(() => env.agent.calls.length > calls);
      await eventually(() => env.agent.calls.some((c) => c.body.event?.data?.delivery_id === `delivery-${verify}-2`));
      expect(env.agent.calls.filter((c) => c.body.event?.data?.delivery_id === `delivery-${verify}-1`)).toHaveLength(1);
    });
  });

  it('a body over 256 KiB answers 413', async () => {
    const c = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'bearer' }, env.key);
    const r = await callHook(c.body.url.replace(env.t.config.publicUrl, env.t.url), JSON.stringify({ pad: 'x'.repeat(300 * 1024) }), { authorization: `Bearer ${c.body.secret}` });
    expect(r.status).toBe(413);
  });

  it('a standard-webhooks signature the standardwebhooks package made verifies, and the hook refuses notifications', async () => {
    const c = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'standard' }, env.key);
    const at = new Date();
    const sig = new Webhook(c.body.secret).sign('msg_lib', at, BODIES.standard);
    const r = await callHook(c.body.url.replace(env.t.config.publicUrl, env.t.url), BODIES.standard, { 'webhook-id': 'msg_lib', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': sig });
    expect(r.status).toBe(202);
    expect(r.body.triggers).toBe(0);
    await env.t.api('PUT', `/v1/profiles/${env.profileId}/grants/${c.body.integration.id}`, undefined, env.key);
    const n = await env.t.api('POST', '/v1/notify', { profile_id: env.profileId, channel: `hook:${c.body.integration.id}`, message: 'hi' }, env.key);
    expect(n.status).toBe(400);
    expect(n.body.error.code).toBe('channel_inbound_only');
  });

  it('connect refuses an unknown verify kind with 400', async () => {
    const r = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'md5' }, env.key);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/standard, github, bearer/);
  });
});
