import { afterEach, describe, expect, it } from 'vitest';
import { startFakeMcpServer, type FakeMcpServer } from '../fakes/mcp-server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually } from '../helpers/hub.ts';
import { startLlmTgEnv, type LlmTgEnv } from './env.ts';

describe('llm agent tools', () => {
  let h: LlmTgEnv | undefined;
  let hook: WebhookReceiver | undefined;
  let mcp: FakeMcpServer | undefined;
  afterEach(async () => {
    await h?.close();
    await hook?.close();
    await mcp?.close();
    h = hook = mcp = undefined;
  });

  it('calls notify_user, which reaches the granted webhook, logs the call and its answer, then replies', async () => {
    h = await startLlmTgEnv();
    hook = await startWebhookReceiver();
    const t = h.env.t;
    const wh = await t.api('POST', '/v1/integrations', { type: 'webhook', url: hook.url }, h.user.key);
    expect(wh.status).toBe(201);
    await t.api('PUT', `/v1/profiles/${h.user.profileId}/grants/${wh.body.integration.id}`, undefined, h.user.key);
    h.model.script(
      { kind: 'tools', calls: [{ name: 'notify_user', arguments: JSON.stringify({ channel: 'webhook', message: 'The report is ready' }) }] },
      { kind: 'text', chunks: ['Done: ', 'I sent it to your webhook.'] },
    );
    await h.say('send the report to my webhook');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('Done: I sent it to your webhook.');
    await eventually(() => hook!.received.length === 1);
    expect(hook.received[0].body).toContain('The report is ready');

    // The model was offered the same tools /mcp offers this profile (Telegram granted → telegram_send_message).
    const offered = h.model.requests[0].body.tools.map((x: any) => x.function.name).sort();
    expect(offered).toEqual(['list_channels', 'notify_user', 'telegram_send_message']);
    // The second call carried the tool's answer.
    const toolMsg = h.model.requests[1].body.messages.find((m: any) => m.role === 'tool');
    expect(toolMsg.content).toContain('"notification"');

    const calls = await t.api('GET', '/v1/messages?type=tool_call', undefined, h.user.key);
    expect(calls.body.messages).toHaveLength(1);
    expect(calls.body.messages[0].meta).toMatchObject({ tool: 'notify_user', arguments: { channel: 'webhook', message: 'The report is ready' } });
    const results = await t.api('GET', '/v1/messages?type=tool_result', undefined, h.user.key);
    expect(results.body.messages[0].meta.is_error).toBe(false);
  });

  it('refuses a tool the profile was not granted as a tool error, and the model goes on', async () => {
    h = await startLlmTgEnv();
    h.model.script(
      { kind: 'tools', calls: [{ name: 'slack_send_message', arguments: JSON.stringify({ text: 'hi' }) }] },
      { kind: 'tools', calls: [{ name: 'notify_user', arguments: JSON.stringify({ channel: 'email', message: 'hi' }) }] },
      { kind: 'text', chunks: ['I may not use Slack or email.'] },
    );
    await h.say('post to slack');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('I may not use Slack or email.');
    const second = h.model.requests[1].body.messages.at(-1);
    expect(second).toMatchObject({ role: 'tool' });
    expect(second.content).toMatch(/^ERROR: not_granted: slack_send_message/);
    // The notify service's own scope check: no email integration granted.
    const third = h.model.requests[2].body.messages.at(-1);
    expect(third.content).toMatch(/^ERROR: /);
    const results = await h.env.t.api('GET', '/v1/messages?type=tool_result', undefined, h.user.key);
    expect(results.body.messages.every((m: any) => m.meta.is_error)).toBe(true);
  });

  it("uses a remote MCP server's tool, sending the profile's headers", async () => {
    mcp = await startFakeMcpServer('mcp-secret-token');
    h = await startLlmTgEnv({ mcp_servers: [{ url: mcp.url, headers: { Authorization: 'Bearer mcp-secret-token' } }] });
    h.model.script(
      { kind: 'tools', calls: [{ name: 'get_weather', arguments: JSON.stringify({ city: 'Lisbon' }) }] },
      { kind: 'text', chunks: ['It is sunny in Lisbon.'] },
    );
    await h.say('weather in Lisbon?');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('It is sunny in Lisbon.');
    expect(mcp.calls).toEqual(['Lisbon']);
    expect(h.model.requests[0].body.tools.map((x: any) => x.function.name)).toContain('get_weather');
    expect(h.model.requests[1].body.messages.at(-1).content).toBe('Sunny and 21 °C in Lisbon');
    // The header value is a secret: the profile shows only its name.
    const shown = await h.env.t.api('GET', `/v1/profiles/${h.user.profileId}`, undefined, h.user.key);
    expect(shown.body.profile.agent.mcp_servers).toEqual([{ url: mcp.url, header_names: ['Authorization'] }]);
    expect(JSON.stringify(shown.body)).not.toContain('mcp-secret-token');
  });
});
