import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../src/channel/index.ts';
import { fakeChatAdapter } from '../fakes/chat-adapter.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';

describe('MCP server (POST /mcp)', () => {
  let t: TestHub;
  let rx: WebhookReceiver;
  const chat: OutboundMessage[] = [];
  let alice: string;
  let token: string;
  let profileId: string;
  let hook: string;
  let bot: string;

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, extraAdapters: { telegram: fakeChatAdapter('telegram', chat) } });
    alice = (await t.api('POST', '/v1/users', { email: 'alice@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'mcp-agent' }, alice);
    token = p.body.token;
    profileId = p.body.profile.id;
    hook = (await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, alice)).body.integration.id;
    const aliceId = (await t.api('GET', '/v1/me', undefined, alice)).body.user.id;
    bot = (await t.hub.store.integrations.create({ userId: aliceId, type: 'telegram', name: 'bot', isDefault: true })).id;
    await t.api('PUT', `/v1/profiles/${profileId}/grants/${hook}`, undefined, alice);
    await t.api('PUT', `/v1/profiles/${profileId}/grants/${bot}`, undefined, alice);
  });
  afterAll(async () => {
    await t.close();
    await rx.close();
  });

  async function connect(key = token): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    return client;
  }
  const textOf = (r: any) => r.content.map((c: any) => c.text).join('\n');

  it('refuses calls without a profile token, and GET/DELETE', async () => {
    const init = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const post = (auth?: string) =>
      fetch(`${t.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body: JSON.stringify(init) });
    expect((await post()).status).toBe(401);
    expect((await post('sbp_wrong')).status).toBe(401);
    expect((await post(alice)).status).toBe(401);
    expect((await fetch(`${t.url}/mcp`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
    expect((await fetch(`${t.url}/mcp`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });

  const rawPost = (body: string, auth?: string, contentType = 'application/json') =>
    fetch(`${t.url}/mcp`, { method: 'POST', headers: { 'content-type': contentType, accept: 'application/json, text/event-stream', ...(auth ? { authorization: `Bearer ${auth}` } : {}) }, body });

  it('answers malformed JSON with a JSON-RPC parse error, not the REST error shape', async () => {
    for (const body of ['{"jsonrpc":"2.0","id":1,"method":', 'not json at all', '{"a":1}}']) {
      const res = await rawPost(body, token);
      expect(res.status).toBe(400);
      const answer = await res.json();
      expect(answer).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
      expect(typeof answer.error.message).toBe('string');
    }
    const garbled = await fetch(`${t.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` },
      body: '{"jsonrpc":"2.0"}',
    });
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
  });

  it('answers 401 with WWW-Authenticate: Bearer, naming invalid_token when a token was wrong', async () => {
    const init = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    const none = await rawPost(init);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"/);
    expect(none.headers.get('www-authenticate')).not.toContain('invalid_token');
    for (const wrong of ['sbp_wrong', alice]) {
      const res = await rawPost(init, wrong);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+", error="invalid_token"/);
      const answer = await res.json();
      expect(answer).toMatchObject({ jsonrpc: '2.0', id: null });
      expect(JSON.stringify(answer)).not.toContain(alice);
    }
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: 'Bearer sbp_wrong' } } });
    await expect(client.connect(transport)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('Invalid profile token') });
  });

  it('does not advertise tools.listChanged (a stateless server cannot send it)', async () => {
    const client = await connect();
    const caps = client.getServerCapabilities()!;
    expect(caps.tools).toBeDefined();
    expect(caps.tools!.listChanged).not.toBe(true);
    await client.close();
  });

  it('lists the tools the grants allow and the channels', async () => {
    const client = await connect();
    const names = (await client.listTools()).tools.map((x) => x.name).sort();
    expect(names).toEqual(['list_channels', 'notify_user', 'telegram_send_message']);
    const channels = JSON.parse(textOf(await client.callTool({ name: 'list_channels', arguments: {} }))).channels;
    expect(channels.map((c: any) => c.channel).sort()).toEqual(['telegram', 'webhook']);
    await client.close();
  });

  it('calls notify_user, idempotently', async () => {
    const client = await connect();
    const before = rx.received.length;
    const r = await client.callTool({ name: 'notify_user', arguments: { channel: 'webhook', message: 'from MCP', idempotency_key: 'mcp-1' } });
    expect(r.isError).toBeFalsy();
    const n = JSON.parse(textOf(r)).notification;
    await eventually(() => rx.received.length === before + 1);
    expect(rx.received.at(-1)!.json.data).toMatchObject({ message: 'from MCP', notification_id: n.id });
    const again = JSON.parse(textOf(await client.callTool({ name: 'notify_user', arguments: { channel: 'webhook', message: 'from MCP', idempotency_key: 'mcp-1' } })));
    expect(again.duplicate).toBe(true);
    expect(again.notification.id).toBe(n.id);
    await client.close();
  });

  it('sends to the linked chat through telegram_send_message', async () => {
    const client = await connect();
    const r = await client.callTool({ name: 'telegram_send_message', arguments: { text: 'hi on telegram' } });
    expect(r.isError).toBeFalsy();
    await eventually(() => chat.some((m) => m.text === 'hi on telegram'));
    expect(chat.find((m) => m.text === 'hi on telegram')!.target).toEqual({ chat: `owner-of-${bot}` });
    await client.close();
  });

  it('answers tool errors as MCP errors with a clear text', async () => {
    const client = await connect();
    const unknown = await client.callTool({ name: 'notify_user', arguments: { channel: 'carrier_pigeon', message: 'x' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('unknown_channel');
    const denied = await client.callTool({ name: 'notify_user', arguments: { channel: 'email', message: 'x' } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toContain('no_integration');
    const invalid = await client.callTool({ name: 'notify_user', arguments: { channel: 'webhook' } });
    expect(invalid.isError).toBe(true);
    await client.close();
  });

  it('loses a tool as soon as its grant is revoked', async () => {
    const client = await connect();
    expect((await client.listTools()).tools.map((x) => x.name)).toContain('telegram_send_message');
    expect((await t.api('DELETE', `/v1/profiles/${profileId}/grants/${bot}`, undefined, alice)).status).toBe(204);
    expect((await client.listTools()).tools.map((x) => x.name)).not.toContain('telegram_send_message');
    const gone = await client.callTool({ name: 'telegram_send_message', arguments: { text: 'x' } }).catch((e) => ({ isError: true, content: [{ text: String(e) }] }));
    expect(gone.isError).toBe(true);
    const denied = await client.callTool({ name: 'notify_user', arguments: { channel: 'telegram', message: 'x' } });
    expect(denied.isError).toBe(true);
    expect(textOf(denied)).toContain('not_granted');
    await client.close();
  });
});
