import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../helpers/hub.ts';
import { callHook, hookHeaders, startTriggerEnv, type TriggerEnv } from './env.ts';

describe('url triggers', () => {
  let env: TriggerEnv;
  let hookUrl: string;
  let hookSecret: string;
  let hookId: string;
  beforeAll(async () => {
    env = await startTriggerEnv();
    const c = await env.t.api('POST', '/v1/integrations', { type: 'hook', verify: 'bearer', name: 'stripe' }, env.key);
    hookUrl = c.body.url.replace(env.t.config.publicUrl, env.t.url);
    hookSecret = c.body.secret;
    hookId = c.body.integration.id;
  });
  afterAll(() => env.close());

  it('delivers the event signed the Standard Webhooks way, retried after a 500 with the same webhook-id', async () => {
    const created = await env.t.api('POST', '/v1/triggers', { integration_id: hookId, event: 'hook.received', mode: 'url', url: `${env.rx.url}?token=hidden-path-token` }, env.key);
    expect(created.status).toBe(201);
    const { secret, trigger } = created.body;
    expect(secret).toMatch(/^whsec_/);
    expect(trigger).toMatchObject({ mode: 'url', url: `${new URL(env.rx.url).origin}/…`, profile_id: null, status: 'active' });
    const listed = await env.t.api('GET', '/v1/triggers', undefined, env.key);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(JSON.stringify(listed.body)).not.toContain('hidden-path-token');

    const start = env.rx.received.length;
    env.rx.answerNext({ status: 500 });
    const body = '{"id":"evt_1","type":"charge.succeeded"}';
    expect((await callHook(hookUrl, body, hookHeaders('bearer', hookSecret, body, 'stripe-1'))).status).toBe(202);
    await eventually(() => env.rx.received.length >= start + 2, 10_000);
    const [first, second] = env.rx.received.slice(start);
    expect(first.headers['webhook-id']).toBe(second.headers['webhook-id']);
    const event = new Webhook(secret).verify(second.body, second.headers as Record<string, string>) as any;
    expect(event).toMatchObject({ type: 'hook.received', trigger_id: trigger.id, integration_id: hookId, data: { delivery_id: 'stripe-1', json: { id: 'evt_1', type: 'charge.succeeded' } } });
    expect(new Webhook(secret).verify(first.body, first.headers as Record<string, string>)).toEqual(event);
    const row = await eventually(async () => {
      const rows = await env.t.hub.db.kysely.selectFrom('outbox').selectAll().where('channel', '=', 'trigger-url').execute();
      return rows.find((r) => r.status === 'sent');
    });
    expect(Number(row!.attempts)).toBe(2);
  });

  it('a URL that fails for good turns the trigger unhealthy; a later success heals it', async () => {
    expect((await env.t.api('POST', '/v1/triggers', { integration_id: hookId, event: 'hook.received', mode: 'url', url: env.rx.url }, env.key)).status).toBe(201);
    // 404 is refused for good (no retry) on every url trigger of this hook; the first one answers 200.
    env.rx.answerNext({ status: 200 }, { status: 404 });
    const body = '{"n":2}';
    await callHook(hookUrl, body, hookHeaders('bearer', hookSecret, body, 'stripe-2'));
    const sick = await eventually(async () => {
      const all = (await env.t.api('GET', '/v1/triggers', undefined, env.key)).body.triggers;
      return all.find((t: any) => t.status === 'unhealthy');
    });
    expect(sick.status_reason).toMatch(/HTTP 404/);
    await callHook(hookUrl, '{"n":3}', hookHeaders('bearer', hookSecret, '{"n":3}', 'stripe-3'));
    await eventually(async () => (await env.t.api('GET', `/v1/triggers/${sick.id}`, undefined, env.key)).body.trigger.status === 'active');
  });

  it('a URL on a private address is refused with 422 and nothing is created', async () => {
    const before = (await env.t.api('GET', '/v1/triggers', undefined, env.key)).body.total;
    for (const url of ['http://10.0.0.7/hook', 'http://169.254.169.254/latest/meta-data']) {
      const r = await env.t.api('POST', '/v1/triggers', { integration_id: hookId, event: 'hook.received', mode: 'url', url }, env.key);
      expect(r.status).toBe(422);
      expect(r.body.error.code).toBe('url_refused');
    }
    expect((await env.t.api('GET', '/v1/triggers', undefined, env.key)).body.total).toBe(before);
  });
});
