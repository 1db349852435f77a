import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { runCli } from './run.ts';

/**
 * `switchboard triggers …` and `integrations webhooks …`. They need the hub's triggers API (branch
 * `triggers`); on a hub without it every test is skipped, loudly.
 */
describe('switchboard triggers / integrations webhooks against a running hub', () => {
  let t: TestHub;
  let receiver: WebhookReceiver;
  let key: string;
  let hookId: string;
  let hasTriggers = false;
  const cli = (...args: string[]) => runCli({ ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '' }, args);
  const needTriggers = (ctx: TestContext) => {
    if (!hasTriggers) ctx.skip(true, 'this hub has no /v1/triggers API yet (branch triggers not merged): trigger CLI tests skipped');
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    key = (await t.api('POST', '/v1/users', { email: 'cli-triggers@example.com' })).body.api_key;
    hasTriggers = (await t.api('GET', '/v1/triggers', undefined, key)).status === 200;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('without the triggers API, says so in one line', async (ctx) => {
    if (hasTriggers) ctx.skip(true, 'this hub has the triggers API');
    const r = await cli('triggers', 'list');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: This hub has no triggers API (GET /v1/triggers answered 404); update the hub\n');
  });

  it('connect --integration hook --triggers hook.received creates the hook and its trigger', async (ctx) => {
    needTriggers(ctx);
    const r = await cli('integrations', 'connect', '--integration', 'hook', '--auth-method', 'github', '--name', 'ci', '--triggers', 'hook.received', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    hookId = out.integration.id;
    expect(out.url).toContain(`/api/hooks/${hookId}`);
    expect(out.triggers).toEqual([expect.objectContaining({ trigger: expect.objectContaining({ event: 'hook.received', mode: 'agent', integration_id: hookId }) })]);
  });

  it('events by type and by connection; an unknown event is a one-line 400 naming the valid ones', async (ctx) => {
    needTriggers(ctx);
    const byType = await cli('integrations', 'webhooks', 'events', '--integration', 'telegram');
    expect(byType.stdout).toContain('• message.received');
    expect(byType.stdout).toContain('• reaction.added\n');
    // email.received belongs to Gmail; plain (Resend) email has only the hub's events.
    expect((await cli('triggers', 'events', '--integration', 'gmail')).stdout).toContain('• email.received [virtual, 5 min interval: 1 | 5 | 15 | 30 | 60]\n');
    expect((await cli('triggers', 'events', '--integration', 'email')).stdout).not.toContain('email.received');
    const byConn = JSON.parse((await cli('triggers', 'events', '--connection', hookId, '--json')).stdout);
    expect(byConn.events.map((e: any) => e.event)).toContain('hook.received');
    const missing = await cli('triggers', 'events');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: events needs --integration <type> or --connection <id>; see `switchboard triggers --help`\n');
    const bad = await cli('triggers', 'create', '--connection', hookId, '--event', 'nope.never');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/^error: .*hook\.received.*\(unknown_event, HTTP 400\)$/m);
  });

  it('create: a url trigger prints its secret once; a schedule with a wrong interval names the allowed ones', async (ctx) => {
    needTriggers(ctx);
    const url = await cli('triggers', 'create', '--connection', hookId, '--event', 'hook.received', '--hook-url', receiver.url);
    expect(url.code).toBe(0);
    expect(url.stdout).toMatch(/^✅ Created trigger hook\.received \(trg_\w+\), delivered to http:\/\/127\.0\.0\.1:\d+/m);
    expect(url.stdout).toMatch(/Signing secret \(shown once; verify deliveries with it\): whsec_\S+/);
    const tick = await cli('integrations', 'webhooks', 'create', '--event', 'schedule.tick', '--interval', '120', '--profile', 'default');
    expect(tick.stdout).toMatch(/Created trigger schedule\.tick \(trg_\w+\), waking profile prf_\w+, every 120 min\./);
    const wrong = await cli('triggers', 'create', '--event', 'schedule.tick', '--interval', '90');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .*60.*2880.*\(invalid_interval, HTTP 400\)\n$/);
    const nan = await cli('triggers', 'create', '--event', 'schedule.tick', '--interval', 'hourly');
    expect(nan.code).toBe(2);
  });

  it('list groups triggers by connection with ✅/⏸️ and ids; pause with a reason, resume, and --json', async (ctx) => {
    needTriggers(ctx);
    const { triggers } = JSON.parse((await cli('triggers', 'list', '--json')).stdout);
    expect(triggers).toHaveLength(3);
    const one = triggers.find((x: any) => x.mode === 'url');
    const paused = await cli('triggers', 'pause', '--webhook-id', one.id, '--reason', 'maintenance window');
    expect(paused.stdout).toBe(`⏸️ Trigger ${one.id} paused.\n`);
    const again = await cli('triggers', 'pause', '--trigger-id', one.id);
    expect(again.stdout).toBe(`⏸️ Trigger ${one.id} was already paused; unchanged.\n`);
    const list = await cli('integrations', 'webhooks', 'list');
    expect(list.stdout).toMatch(new RegExp(`📦 hook ci \\(${hookId}\\)`));
    expect(list.stdout).toMatch(new RegExp(`⏸️ hook\\.received \\(paused by you: maintenance window\\) \\(url http://127\\.0\\.0\\.1:\\d+[^)]*\\)\\n\\s+ID: ${one.id}`));
    expect(list.stdout).toMatch(/✅ hook\.received \(agent prf_\w+\)/);
    expect(list.stdout).toMatch(/📦 hub events\n\s+✅ schedule\.tick \(agent prf_\w+, every 120 min\)/);
    expect(list.stdout).toMatch(/Total: 3 triggers\n$/);
    const resumed = await cli('triggers', 'resume', '--webhook-id', one.id);
    expect(resumed.stdout).toBe(`✅ Trigger ${one.id} resumed.\n`);
    const filtered = JSON.parse((await cli('triggers', 'list', '--connection', hookId, '--json')).stdout);
    expect(filtered.total).toBe(2);
  });

  it('pause and resume every trigger of a connection; integrations list shows it ⏸️', async (ctx) => {
    needTriggers(ctx);
    const r = await cli('integrations', 'webhooks', 'pause', '--connection-id', hookId);
    expect(r.stdout).toBe(`Paused 2 of 2 triggers of ${hookId}.\n`);
    expect((await cli('integrations', 'list')).stdout).toMatch(new RegExp(`⏸️\\s+paused\\s+${hookId}\\s+hook\\s+ci \\*\\s+-\\s+on\\s+2`));
    const info = await cli('integrations', 'info', hookId);
    expect(info.stdout).toMatch(/Triggers: ⏸️ hook\.received \(trg_\w+\), ⏸️ hook\.received/);
    expect((await cli('triggers', 'resume', '--connection', hookId)).stdout).toBe(`Resumed 2 of 2 triggers of ${hookId}.\n`);
    expect((await cli('integrations', 'list')).stdout).toMatch(new RegExp(`🟢\\s+active\\s+${hookId}`));
  });

  it('delete by --webhook-id; a missing id is a usage error without a terminal; an unknown one is a 404', async (ctx) => {
    needTriggers(ctx);
    const { triggers } = JSON.parse((await cli('triggers', 'list', '--json')).stdout);
    const r = await cli('triggers', 'delete', '--webhook-id', triggers[0].id);
    expect(r.stdout).toBe(`Deleted trigger ${triggers[0].id}.\n`);
    expect(JSON.parse((await cli('triggers', 'list', '--json')).stdout).total).toBe(2);
    const missing = await cli('integrations', 'webhooks', 'delete');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: delete needs --webhook-id <id>; see `switchboard integrations webhooks --help`\n');
    const gone = await cli('triggers', 'delete', '--webhook-id', triggers[0].id);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('error: Trigger not found (not_found, HTTP 404)\n');
  });
});
