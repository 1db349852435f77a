import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTriggerEnv, type TriggerEnv } from './env.ts';

describe('trigger REST: bad input and tenants', () => {
  let env: TriggerEnv;
  let hookId: string;
  let bob: { key: string; profileId: string; hookId: string; triggerId: string };
  beforeAll(async () => {
    env = await startTriggerEnv();
    hookId = (await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'github' }, env.key)).body.integration.id;
    const key = (await env.t.api('POST', '/v1/users', { email: 'bob-triggers@example.com' })).body.api_key;
    const profileId = (await env.t.api('GET', '/v1/profiles', undefined, key)).body.profiles[0].id;
    const bobHook = (await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'bearer' }, key)).body.integration.id;
    const triggerId = (await env.t.api('POST', '/v1/triggers', { integration_id: bobHook, event: 'hook.received' }, key)).body.trigger.id;
    bob = { key, profileId, hookId: bobHook, triggerId };
  });
  afterAll(() => env.close());

  const post = (body: Record<string, unknown>) => env.t.api('POST', '/v1/triggers', body, env.key);
  const count = async () => (await env.t.api('GET', '/v1/triggers', undefined, env.key)).body.total;

  it('lists the valid events per integration type, per integration, and of the hub', async () => {
    const tg = await env.t.api('GET', '/v1/triggers/events?type=telegram', undefined, env.key);
    expect(tg.body.events.map((e: any) => e.event)).toEqual(['message.received', 'reaction.added', 'member.joined', 'delivery.failed', 'integration.unhealthy']);
    const byId = await env.t.api('GET', `/v1/triggers/events?integration_id=${hookId}`, undefined, env.key);
    expect(byId.body).toMatchObject({ type: 'hook', events: [{ event: 'hook.received', available: true }, { event: 'delivery.failed' }, { event: 'integration.unhealthy' }] });
    const hubEvents = await env.t.api('GET', '/v1/triggers/events', undefined, env.key);
    expect(hubEvents.body.events.map((e: any) => e.event)).toEqual(['schedule.tick', 'delivery.failed', 'integration.unhealthy']);
    expect(hubEvents.body.events[0].intervals).toEqual([60, 120, 240, 480, 720, 1440, 2880]);
    expect((await env.t.api('GET', '/v1/triggers/events?type=nope', undefined, env.key)).status).toBe(400);
    expect((await env.t.api('GET', `/v1/triggers/events?integration_id=${bob.hookId}`, undefined, env.key)).status).toBe(404);
  });

  it('an unknown event for a type is a 400 listing the valid ones; nothing is created', async () => {
    const before = await count();
    const r = await post({ integration_id: hookId, event: 'message.received' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'unknown_event', valid_events: ['hook.received', 'delivery.failed', 'integration.unhealthy'] });
    expect(r.body.error.message).toMatch(/valid events: hook.received, delivery.failed, integration.unhealthy/);
    const noIntegration = await post({ event: 'hook.received' });
    expect(noIntegration.status).toBe(400);
    expect(noIntegration.body.error.message).toMatch(/needs integration_id of a hook integration/);
    expect((await post({ event: 'bogus.event' })).body.error.code).toBe('unknown_event');
    expect((await post({ integration_id: hookId, event: 'schedule.tick' })).status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('an interval outside the list is a 400 naming the allowed values', async () => {
    for (const interval of [30, 61, 0, 10_000]) {
      const r = await post({ event: 'schedule.tick', interval });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_interval', allowed: [60, 120, 240, 480, 720, 1440, 2880] });
      expect(r.body.error.message).toBe('interval must be one of 60, 120, 240, 480, 720, 1440, 2880 (minutes)');
    }
    expect((await post({ integration_id: hookId, event: 'hook.received', interval: 60 })).status).toBe(400);
    const ok = await post({ event: 'schedule.tick' });
    expect(ok.body.trigger.interval).toBe(60);
  });

  it('other bad bodies: 400 naming the field; declared events refused until they are emitted', async () => {
    expect((await post({ integration_id: hookId, event: 'hook.received', mode: 'push' })).status).toBe(400);
    expect((await post({ integration_id: hookId, event: 'hook.received', mode: 'url' })).body.error.message).toMatch(/url is required/);
    expect((await post({ integration_id: hookId, event: 'hook.received', url: 'https://example.com' })).status).toBe(400);
    expect((await post({ integration_id: hookId, event: 'hook.received', reply_channel: 'console' })).body.error.code).toBe('invalid_reply_channel');
    expect((await post({ integration_id: hookId, event: 'hook.received', color: 'red' })).body.error.message).toMatch(/unknown field: color/);
    expect((await env.t.api('POST', '/v1/triggers', { event: 'schedule.tick', interval: 60, profile_id: 'nope' }, env.key)).status).toBe(404);
  });

  it('another user\'s integration, profile or trigger is a 404', async () => {
    const before = await count();
    expect((await post({ integration_id: bob.hookId, event: 'hook.received' })).status).toBe(404);
    expect((await post({ integration_id: hookId, event: 'hook.received', profile_id: bob.profileId })).status).toBe(404);
    for (const [method, path] of [
      ['GET', `/v1/triggers/${bob.triggerId}`],
      ['PATCH', `/v1/triggers/${bob.triggerId}`],
      ['DELETE', `/v1/triggers/${bob.triggerId}`],
      ['POST', `/v1/triggers/${bob.triggerId}/pause`],
      ['POST', `/v1/triggers/${bob.triggerId}/resume`],
      ['POST', `/v1/integrations/${bob.hookId}/triggers/pause`],
    ] as const) {
      const r = await env.t.api(method, path, method === 'PATCH' ? { interval: 60 } : undefined, env.key);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect(await count()).toBe(before);
    const mine = (await env.t.api('GET', `/v1/triggers/${bob.triggerId}`, undefined, bob.key)).body.trigger;
    expect(mine).toMatchObject({ status: 'active', profile_id: bob.profileId });
    expect((await env.t.api('GET', '/v1/triggers', undefined, env.key)).body.triggers.some((t: any) => t.id === bob.triggerId)).toBe(false);
  });

  it('PATCH changes the interval (next tick from now) and DELETE removes; a profile token may not manage triggers', async () => {
    const s = (await post({ event: 'schedule.tick', interval: 60 })).body.trigger;
    const p = await env.t.api('PATCH', `/v1/triggers/${s.id}`, { interval: 1440 }, env.key);
    expect(p.status).toBe(200);
    expect(p.body.trigger.interval).toBe(1440);
    expect(Date.parse(p.body.trigger.next_fire_at) - Date.now()).toBeGreaterThan(23 * 3_600_000);
    expect((await env.t.api('PATCH', `/v1/triggers/${s.id}`, { interval: 45 }, env.key)).status).toBe(400);
    expect((await env.t.api('PATCH', `/v1/triggers/${s.id}`, { event: 'hook.received' }, env.key)).status).toBe(400);
    const token = (await env.t.api('POST', '/v1/profiles', { name: 'tok' }, env.key)).body.token;
    expect((await env.t.api('GET', '/v1/triggers', undefined, token)).status).toBe(403);
    expect((await env.t.api('DELETE', `/v1/triggers/${s.id}`, undefined, env.key)).status).toBe(204);
    expect((await env.t.api('GET', `/v1/triggers/${s.id}`, undefined, env.key)).status).toBe(404);
  });

  it('deleting the integration deletes its triggers', async () => {
    const h = (await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'bearer' }, env.key)).body.integration.id;
    const t = (await post({ integration_id: h, event: 'hook.received' })).body.trigger.id;
    expect((await env.t.api('DELETE', `/v1/integrations/${h}`, undefined, env.key)).status).toBe(204);
    expect((await env.t.api('GET', `/v1/triggers/${t}`, undefined, env.key)).status).toBe(404);
  });
});
