import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/hub.ts';
import { callHook, hookHeaders, startTriggerEnv, type TriggerEnv } from './env.ts';

describe('pause and resume', () => {
  let env: TriggerEnv;
  let hook: { id: string; url: string; secret: string };
  let triggerId: string;
  const clock = { now: Date.UTC(2026, 1, 2, 8, 0, 0) };
  beforeAll(async () => {
    env = await startTriggerEnv({ triggers: { clock: () => clock.now, schedulerPollMs: 3_600_000 } });
    const c = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'bearer' }, env.key);
    hook = { id: c.body.integration.id, url: c.body.url.replace(env.t.config.publicUrl, env.t.url), secret: c.body.secret };
    triggerId = (await env.t.api('POST', '/v1/triggers', { integration_id: hook.id, event: 'hook.received', profile_id: env.profileId }, env.key)).body.trigger.id;
  });
  afterAll(() => env.close());

  const call = (n: string) => callHook(hook.url, `{"n":"${n}"}`, hookHeaders('bearer', hook.secret, `{"n":"${n}"}`, `p-${n}`));
  const seen = () => env.agent.calls.map((c) => c.body.event?.data?.json?.n).filter(Boolean);

  it('a paused trigger does not fire, and its events are not queued for later', async () => {
    const p = await env.t.api('POST', `/v1/triggers/${triggerId}/pause`, { reason: 'maintenance window' }, env.key);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ changed: true, trigger: { status: 'paused', status_reason: 'maintenance window', paused: true } });
    expect((await call('while-paused')).body.triggers).toBe(0);
    const r = await env.t.api('POST', `/v1/triggers/${triggerId}/resume`, undefined, env.key);
    expect(r.body).toMatchObject({ changed: true, trigger: { status: 'active', status_reason: null } });
    expect((await call('after-resume')).body.triggers).toBe(1);
    await eventually(() => seen().includes('after-resume'));
    expect(seen()).toEqual(['after-resume']);
  });

  it('pausing a paused trigger answers 200 and changes nothing', async () => {
    await env.t.api('POST', `/v1/triggers/${triggerId}/pause`, { reason: 'first' }, env.key);
    const before = (await env.t.api('GET', `/v1/triggers/${triggerId}`, undefined, env.key)).body.trigger;
    const again = await env.t.api('POST', `/v1/triggers/${triggerId}/pause`, { reason: 'second' }, env.key);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ changed: false, trigger: before });
    expect((await env.t.api('POST', `/v1/triggers/${triggerId}/resume`, undefined, env.key)).body.changed).toBe(true);
    expect((await env.t.api('POST', `/v1/triggers/${triggerId}/resume`, undefined, env.key)).body.changed).toBe(false);
  });

  it('pauses and resumes every trigger of an integration at once', async () => {
    const second = (await env.t.api('POST', '/v1/triggers', { integration_id: hook.id, event: 'hook.received', mode: 'url', url: env.rx.url }, env.key)).body.trigger.id;
    const other = (await env.t.api('POST', '/v1/triggers', { event: 'delivery.failed', mode: 'url', url: env.rx.url }, env.key)).body.trigger.id;
    const p = await env.t.api('POST', `/v1/integrations/${hook.id}/triggers/pause`, { reason: 'rotating secrets' }, env.key);
    expect(p.status).toBe(200);
    expect(p.body.changed).toBe(2);
    expect(p.body.triggers.map((t: any) => [t.id, t.status])).toEqual([
      [triggerId, 'paused'],
      [second, 'paused'],
    ]);
    expect((await env.t.api('GET', `/v1/triggers/${other}`, undefined, env.key)).body.trigger.status).toBe('active');
    expect((await call('all-paused')).body.triggers).toBe(0);
    const r = await env.t.api('POST', `/v1/integrations/${hook.id}/triggers/resume`, undefined, env.key);
    expect(r.body.changed).toBe(2);
    expect(r.body.triggers.every((t: any) => t.status === 'active')).toBe(true);
  });

  it('a schedule resumed after its tick passed skips the missed ticks and keeps its phase', async () => {
    const t0 = clock.now;
    const s = (await env.t.api('POST', '/v1/triggers', { event: 'schedule.tick', interval: 120, profile_id: env.profileId }, env.key)).body.trigger;
    await env.t.api('POST', `/v1/triggers/${s.id}/pause`, undefined, env.key);
    clock.now = t0 + 5 * 3_600_000 + 60_000;
    expect(await env.t.hub.bus.triggers!.scheduler.runDue()).toBe(0);
    const r = await env.t.api('POST', `/v1/triggers/${s.id}/resume`, undefined, env.key);
    expect(r.body.trigger.next_fire_at).toBe(new Date(t0 + 6 * 3_600_000).toISOString());
    expect(await env.t.hub.bus.triggers!.scheduler.runDue()).toBe(0);
  });
});
