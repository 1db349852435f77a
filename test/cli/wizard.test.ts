import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { KEY, runOnPty } from './run.ts';

describe('the interactive CLI on a pseudo-terminal (script(1))', () => {
  let t: TestHub;
  let receiver: WebhookReceiver;
  let key: string;
  let env: NodeJS.ProcessEnv;
  let hasTriggers = false;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    key = (await t.api('POST', '/v1/users', { email: 'cli-wizard@example.com' })).body.api_key;
    env = { ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '' };
    hasTriggers = (await t.api('GET', '/v1/triggers', undefined, key)).status === 200;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('connect with no flags runs the wizard: type → credentials → profile, and the webhook works', async () => {
    const types: string[] = (await t.api('GET', '/v1/integrations/available', undefined, key)).body.integrations.map((i: any) => i.type);
    const pty = runOnPty(env, ['integrations', 'connect']);
    await pty.waitFor('Which integration?');
    pty.send(KEY.down.repeat(types.indexOf('webhook')));
    await pty.waitFor(/❯ 🔑 Webhook \(webhook\)/);
    pty.send(KEY.enter);
    await pty.waitFor('Webhook URL (https):');
    pty.send(`${receiver.url}${KEY.enter}`);
    await pty.waitFor('Sign deliveries with a secret (generated)?');
    pty.send(KEY.enter);
    await pty.waitFor('Grant it to which profile?');
    pty.send(KEY.enter);
    if (hasTriggers) {
      // The opt-in trigger step (default: skip); on a hub with the triggers API.
      await pty.waitFor('Do you want to configure triggers now?');
      pty.send(`y${KEY.enter}`);
      await pty.waitFor('Which events?');
      pty.send(`${KEY.space}${KEY.enter}`);
      await pty.waitFor('When one happens:');
      pty.send(KEY.enter);
      await pty.waitFor(/Trigger \S+ created \(trg_\w+\)/);
    }
    await pty.waitFor(/secret \(shown once\): whsec_\S+/);
    expect(await pty.exit).toBe(0);
    expect(pty.output()).toMatch(/Connected webhook webhook 127\.0\.0\.1:\d+ \(int_\w+\)\./);
    expect(pty.output()).toContain('Granted to profile default.');
    const [row] = (await t.api('GET', '/v1/integrations', undefined, key)).body.integrations;
    expect(row).toMatchObject({ type: 'webhook', config: { signed: true } });
    const profiles = (await t.api('GET', '/v1/profiles', undefined, key)).body.profiles;
    expect(profiles.find((p: any) => p.name === 'default').grants).toEqual([row.id]);
    if (hasTriggers) expect((await t.api('GET', '/v1/triggers', undefined, key)).body.triggers).toEqual([expect.objectContaining({ integration_id: row.id, mode: 'agent' })]);
  });

  it('`integrations` alone shows a menu; its first entry lists the connections', async () => {
    const pty = runOnPty(env, ['integrations']);
    await pty.waitFor('What do you want to do?');
    await pty.waitFor('❯ List my connections');
    pty.send(KEY.enter);
    await pty.waitFor(/Total: 1 connection\b/);
    expect(await pty.exit).toBe(0);
    expect(pty.output()).toMatch(/🟢\s+active\s+int_\w+\s+webhook/);
  });

  it('disconnect asks on a terminal; "no" changes nothing, "yes" disconnects', async () => {
    const [row] = (await t.api('GET', '/v1/integrations', undefined, key)).body.integrations;
    const no = runOnPty(env, ['integrations', 'disconnect', row.id]);
    await no.waitFor(`Disconnect webhook ${row.name} (${row.id})?`);
    no.send(`n${KEY.enter}`);
    await no.waitFor('Nothing changed.');
    expect(await no.exit).toBe(0);
    expect((await t.api('GET', `/v1/integrations/${row.id}`, undefined, key)).status).toBe(200);
    const yes = runOnPty(env, ['integrations', 'disconnect']);
    await yes.waitFor('Which integration to disconnect?');
    yes.send(KEY.enter);
    await yes.waitFor('Disconnect webhook');
    yes.send(`y${KEY.enter}`);
    await yes.waitFor(`Disconnected ${row.id}.`);
    expect(await yes.exit).toBe(0);
    expect((await t.api('GET', `/v1/integrations/${row.id}`, undefined, key)).status).toBe(404);
  });
});
