import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeResend, type FakeResend } from '../fakes/resend-api.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { claim, connectBot, eventually, newBot, newUser, startTgEnv, type TgEnv } from '../telegram/env.ts';
import { runCli } from './run.ts';

describe('switchboard integrations … against a running hub', () => {
  let env: TgEnv;
  let resend: FakeResend;
  let receiver: WebhookReceiver;
  let key: string;
  let profileId: string;
  const cli = (...args: string[]) => runCli({ ...process.env, SWITCHBOARD_URL: env.t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '' }, args);
  const idIn = (out: string) => /\((int_[^)]+)\)/.exec(out)![1];

  beforeAll(async () => {
    resend = await startFakeResend(['re_first_key', 're_second_key']);
    receiver = await startWebhookReceiver();
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1', RESEND_BASE_URL: resend.url } });
    ({ key, profileId } = await newUser(env.t, 'cli-integrations@example.com'));
  });
  afterAll(async () => {
    await env.close();
    await resend.close();
    await receiver.close();
  });

  it('available: types grouped by category with 🔐 OAuth / 🔑 token marks, and JSON', async () => {
    const r = await cli('integrations', 'available');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^chat\n\s+🔐\s+slack/m);
    expect(r.stdout).toMatch(/^notification\n(.*\n)*\s+🔑\s+webhook/m);
    expect(r.stdout).toMatch(/Total: \d+ types/);
    const json = JSON.parse((await cli('integrations', 'available', '--json')).stdout);
    expect(json.integrations.find((i: any) => i.type === 'telegram').auth_methods).toEqual(['token', 'shared']);
  });

  it('info <type>: auth methods, scopes and settings', async () => {
    const slack = await cli('integrations', 'info', 'slack');
    expect(slack.stdout).toContain('Auth methods: oauth');
    expect(slack.stdout).toContain('✓ chat:write');
    expect(slack.stdout).toContain('mcp_tools');
    const json = JSON.parse((await cli('integrations', 'info', 'telegram', '--json')).stdout);
    expect(Object.keys(json.type.settings)).toEqual(expect.arrayContaining(['dm_policy', 'mcp_tools']));
    const unknown = await cli('integrations', 'info', 'nothing_like_it');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^error: nothing_like_it is neither an available type/);
  });

  it('connect: a clear one-line error for OAuth on a type without it, an unknown type, and missing flags without a terminal', async () => {
    const dropbox = await cli('integrations', 'connect', '--integration', 'dropbox', '--auth-method', 'oauth');
    expect(dropbox.code).toBe(1);
    expect(dropbox.stdout).toBe('');
    expect(dropbox.stderr).toMatch(/^error: dropbox is not available on this hub; available: .*telegram/);
    expect(dropbox.stderr).not.toContain('slack.com');
    const tgOauth = await cli('integrations', 'connect', '--integration', 'telegram', '--auth-method', 'oauth');
    expect(tgOauth.code).toBe(2);
    expect(tgOauth.stderr).toBe('error: telegram cannot be connected with --auth-method oauth; it offers: token, shared\n');
    const bare = await cli('integrations', 'connect');
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^error: connect needs --integration <type>.*see `switchboard integrations connect --help`\n$/);
    const email = await cli('integrations', 'connect', '--integration', 'email');
    expect(email.stderr).toBe('error: email needs --api-key <re_…>, --from <address>; see `switchboard integrations connect --help`\n');
    const hook = await cli('integrations', 'connect', '--integration', 'webhook', '--custom-webhook');
    expect(hook.stderr).toMatch(/^error: --custom-webhook needs --hook-url <url>; see/);
    const flag = await cli('integrations', 'connect', '--nope');
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe("error: unknown option '--nope'; see `switchboard integrations connect --help`\n");
  });

  it('connect a bot; list shows it 🟡 until its owner links it, then 🟢, with profiles, MCP and date', async () => {
    const bot = newBot(env.fake);
    const out = await cli('integrations', 'connect', '--integration', 'telegram', '--token', bot.token, '--profile', 'default');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('Granted to profile default.');
    expect(out.stdout).not.toContain(bot.token);
    const id = idIn(out.stdout);
    const code = /\/link ([A-Z2-9]{10})/.exec(out.stdout)![1];
    const before = await cli('integrations', 'list');
    expect(before.stdout).toMatch(/^ICON\s+STATE\s+ID\s+TYPE\s+NAME\s+PROFILES\s+MCP\s+TRIGGERS\s+CONNECTED/m);
    expect(before.stdout).toMatch(new RegExp(`🟡\\s+needs attention\\s+${id}\\s+telegram\\s+@${bot.username} \\*\\s+default\\s+on\\s+0\\s+\\d{4}-\\d\\d-\\d\\d`));
    expect(before.stdout).toContain(`🟡 ${id}: not linked yet`);
    expect(before.stdout).toMatch(/Total: 1 connection\b/);
    await claim(env, bot, id, env.fake.webhooks.get(bot.token)!.secret_token!, code, 4242);
    const after = await cli('integrations', 'list', '--json');
    const row = JSON.parse(after.stdout).integrations.find((i: any) => i.id === id);
    expect(row).toMatchObject({ state: 'active', granted_to: ['default'], mcp_tools: true, needs_attention: null });
    expect((await cli('integrations', 'list')).stdout).toMatch(new RegExp(`🟢\\s+active\\s+${id}`));
    const info = await cli('integrations', 'info', id);
    expect(info.stdout).toContain('State: active');
    expect(info.stdout).toContain(`Granted to: ${profileId}`);
  });

  it('update <id> --token: the same row takes a new bot, keeps grants and links, and sends with the new token', async () => {
    const old = newBot(env.fake);
    const c = await connectBot(env, key, old, profileId);
    await claim(env, old, c.id, c.secret, c.code, 5151);
    await env.t.api('PATCH', `/v1/integrations/${c.id}`, { dm_policy: 'open' }, key);
    const next = newBot(env.fake);
    const r = await cli('integrations', 'update', c.id, '--token', next.token);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Updated telegram @${next.username} (${c.id}): new credentials in place`);
    expect(r.stdout).not.toContain(next.token);
    expect(env.fake.webhooks.has(old.token)).toBe(false);
    expect(env.fake.webhooks.get(next.token)!.url).toContain(`/api/telegram/${c.id}/webhook`);
    const row = (await env.t.api('GET', `/v1/integrations/${c.id}`, undefined, key)).body.integration;
    expect(row).toMatchObject({ external_id: String(next.id), granted_to: [profileId] });
    expect(row.config.dm_policy).toBe('open');
    const sent = await env.t.api('POST', '/v1/notify', { profile_id: profileId, channel: `telegram:${c.id}`, message: 'after the new token' }, key);
    expect(sent.status).toBe(202);
    await eventually(() => env.fake.sentBy(next.token, 5151).some((m) => m.text === 'after the new token'));
    const bad = await cli('integrations', 'update', c.id, '--token', 'not-a-token');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: token must be a Telegram bot token/);
    expect((await env.t.api('GET', `/v1/integrations/${c.id}`, undefined, key)).body.integration.external_id).toBe(String(next.id));
  });

  it('connect email and webhook (a generated secret, masked with --hide-sensitive), then replace the Resend key and the webhook secret', async () => {
    const email = await cli('integrations', 'connect', '--integration', 'email', '--api-key', 're_first_key', '--from', 'Alerts <alerts@example.com>');
    expect(email.code).toBe(0);
    const emailId = idIn(email.stdout);
    const wrongKey = await cli('integrations', 'update', emailId, '--api-key', 're_unknown');
    expect(wrongKey.code).toBe(1);
    expect((await cli('integrations', 'update', emailId, '--api-key', 're_second_key')).code).toBe(0);
    await env.t.api('PUT', `/v1/profiles/${profileId}/grants/${emailId}`, undefined, key);
    await env.t.api('POST', '/v1/notify', { profile_id: profileId, channel: 'email', message: 'with the second key' }, key);
    await eventually(() => resend.emails.some((m) => m.body.text?.includes('with the second key')));
    expect(resend.emails.at(-1)!.body.from).toBe('Alerts <alerts@example.com>');

    const hidden = await cli('integrations', 'connect', '--integration', 'webhook', '--url', receiver.url, '--secret', '--hide-sensitive');
    expect(hidden.stdout).toMatch(/secret \(shown once\): whsec_… \(hidden by --hide-sensitive\)/);
    const hookId = idIn(hidden.stdout);
    const updated = await cli('integrations', 'update', hookId, '--secret');
    const secret = /secret \(shown once\): (whsec_\S+)/.exec(updated.stdout)![1];
    await env.t.api('PUT', `/v1/profiles/${profileId}/grants/${hookId}`, undefined, key);
    await env.t.api('POST', '/v1/notify', { profile_id: profileId, channel: 'webhook', message: 'signed with the new secret' }, key);
    const got = await eventually(() => receiver.received.find((h) => h.body.includes('signed with the new secret')));
    expect(() => new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>)).not.toThrow();
  });

  it('mcp deactivate hides a connection\'s tools from /mcp, activate offers them again', async () => {
    const bot = newBot(env.fake);
    const user = await newUser(env.t, 'cli-mcp@example.com');
    const c = await connectBot(env, user.key, bot, user.profileId);
    const token = (await env.t.api('POST', '/v1/profiles', { name: 'mcp-agent' }, user.key)).body;
    await env.t.api('PUT', `/v1/profiles/${token.profile.id}/grants/${c.id}`, undefined, user.key);
    const as = (...args: string[]) => runCli({ ...process.env, SWITCHBOARD_URL: env.t.url, SWITCHBOARD_API_KEY: user.key, SWITCHBOARD_ADMIN_KEY: '' }, args);
    const tools = async () => {
      const client = new Client({ name: 'cli-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${env.t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token.token}` } } }));
      const names = (await client.listTools()).tools.map((t) => t.name);
      await client.close();
      return names;
    };
    expect(await tools()).toContain('telegram_send_message');
    const off = await as('integrations', 'mcp', 'deactivate', '--connection', c.id);
    expect(off.stdout).toContain(`Deactivated the MCP tools of telegram @${bot.username} (${c.id})`);
    expect(await tools()).not.toContain('telegram_send_message');
    const list = await as('integrations', 'mcp', 'list');
    expect(list.stdout).toMatch(new RegExp(`Connection: ${c.id}\\n\\s+Integration: telegram @${bot.username}\\n\\s+Tools: telegram_send_message\\n\\s+Profiles: .*mcp-agent.*\\n\\s+Status: ⏸️ inactive`));
    expect((await as('integrations', 'list')).stdout).toMatch(new RegExp(`${c.id}.*\\boff\\b`));
    await as('integrations', 'mcp', 'activate', '--connection-id', c.id);
    expect(await tools()).toContain('telegram_send_message');
    const missing = await as('integrations', 'mcp', 'activate');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: activate needs --connection <id>; see `switchboard integrations mcp --help`\n');
  });

  it('disconnect: refuses without a terminal unless --force, then removes the row', async () => {
    const r = await cli('integrations', 'connect', '--integration', 'telegram', '--token', newBot(env.fake).token);
    const id = idIn(r.stdout);
    const asked = await cli('integrations', 'disconnect', id);
    expect(asked.code).toBe(2);
    expect(asked.stderr).toBe('error: this asks for confirmation: pass --force to run it without a terminal; see `switchboard integrations disconnect --help`\n');
    expect((await env.t.api('GET', `/v1/integrations/${id}`, undefined, key)).status).toBe(200);
    const done = await cli('integrations', 'disconnect', '--connection-id', id, '--force');
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`Disconnected ${id}.\n`);
    expect((await env.t.api('GET', `/v1/integrations/${id}`, undefined, key)).status).toBe(404);
    const gone = await cli('integrations', 'disconnect', id, '--force');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('error: Integration not found (not_found, HTTP 404)\n');
  });
});
