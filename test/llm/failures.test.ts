import { afterEach, describe, expect, it } from 'vitest';
import { MALFORMED_APOLOGY, MODEL_APOLOGY } from '../../src/bus/runtimes/llm.ts';
import { startLlmTgEnv, type LlmTgEnv } from './env.ts';

describe('llm agent limits and failures', () => {
  let h: LlmTgEnv | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  const errors = async () => (await h!.env.t.api('GET', '/v1/messages?type=error', undefined, h!.user.key)).body.messages.map((m: any) => m.text as string);

  it('retries a 429 after its retry-after and answers', async () => {
    h = await startLlmTgEnv();
    h.model.script({ kind: 'rate_limit', retryAfter: 1 }, { kind: 'text', chunks: ['after the wait'] });
    await h.say('hello');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('after the wait');
    expect(h.model.requests).toHaveLength(2);
    expect(h.model.requests[1].at - h.model.requests[0].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a 429 whose wait passes the turn budget, with an apology and the detail in the log', async () => {
    h = await startLlmTgEnv({ timeout_ms: 2000 });
    h.model.script({ kind: 'rate_limit', retryAfter: 30 });
    await h.say('hello');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe(MODEL_APOLOGY);
    expect(h.model.requests).toHaveLength(1);
    expect((await errors()).join('\n')).toMatch(/HTTP 429.*time budget/);
  });

  it('ends the turn with an apology when the model sends a malformed tool call; no tool runs', async () => {
    h = await startLlmTgEnv();
    h.model.script({ kind: 'tools', text: 'Let me notify you', calls: [{ name: 'notify_user', arguments: '{"channel": "webhook", "message": ' }] });
    await h.say('notify me');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe(MALFORMED_APOLOGY);
    const calls = await h.env.t.api('GET', '/v1/messages?type=tool_call', undefined, h.user.key);
    expect(calls.body.messages).toHaveLength(0);
    expect((await errors()).join('\n')).toMatch(/malformed|not JSON/);
    // Only the apology went out: the partial text ("Let me notify you") was a draft, never a message.
    h.model.script({ kind: 'text', chunks: ['next'] });
    await h.say('again');
    expect((await h.replies(2)).map((m) => m.text)).toEqual([MALFORMED_APOLOGY, 'next']);
  });

  it('apologises when the stream is not valid JSON or the server fails', async () => {
    h = await startLlmTgEnv({ timeout_ms: 3000 });
    h.model.script({ kind: 'garbage' });
    await h.say('one');
    expect((await h.replies(1))[0].text).toBe(MODEL_APOLOGY);
    h.model.script({ kind: 'error', status: 401, message: 'Incorrect API key provided' });
    await h.say('two');
    expect((await h.replies(2))[1].text).toBe(MODEL_APOLOGY);
    expect((await errors()).join('\n')).toMatch(/HTTP 401/);
  });

  it('apologises when the model does not finish within timeout_ms', async () => {
    h = await startLlmTgEnv({ timeout_ms: 1000 });
    h.model.script({ kind: 'text', chunks: ['never', ' finished'], holdAfter: 1 });
    await h.say('slow');
    const [reply] = await h.replies(1, 6000);
    expect(reply.text).toBe(MODEL_APOLOGY);
    expect((await errors()).join('\n')).toMatch(/time budget|timed out|aborted/i);
  });
});

describe('llm profiles over REST', () => {
  let h: LlmTgEnv | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses a private base_url with 422 unless allowed, and never shows the API key', async () => {
    h = await startLlmTgEnv();
    const t = h.env.t;
    const bad = await t.api('POST', '/v1/profiles', { name: 'meta', agent: { kind: 'llm', model: 'm', base_url: 'http://169.254.169.254/v1' } }, h.user.key);
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('url_refused');
    const badMcp = await t.api('POST', '/v1/profiles', { name: 'meta2', agent: { kind: 'llm', model: 'm', mcp_servers: [{ url: 'http://10.0.0.1/mcp' }] } }, h.user.key);
    expect(badMcp.status).toBe(422);
    const unknown = await t.api('POST', '/v1/profiles', { name: 'x', agent: { kind: 'llm', model: 'm', temperature: 5 } }, h.user.key);
    expect(unknown.status).toBe(400);
    const list = await t.api('GET', '/v1/profiles', undefined, h.user.key);
    expect(list.body.profiles.map((p: any) => p.name)).not.toContain('meta');

    // 127.0.0.1 is allowed in this hub (SWITCHBOARD_ALLOW_PRIVATE_URLS), as for a local Ollama.
    const ok = await t.api('POST', '/v1/profiles', { name: 'local', agent: { kind: 'llm', model: 'llama3.2', base_url: h.model.baseUrl, api_key: 'sk-very-secret-1234' } }, h.user.key);
    expect(ok.status).toBe(201);
    expect(ok.body.profile.agent).toMatchObject({ kind: 'llm', model: 'llama3.2', base_url: h.model.baseUrl, stream: true, has_secret: true });
    const shown = await t.api('GET', `/v1/profiles/${ok.body.profile.id}`, undefined, h.user.key);
    expect(JSON.stringify([ok.body, shown.body])).not.toContain('sk-very-secret');
    const row = await t.hub.db.kysely.selectFrom('agent_profiles').selectAll().where('id', '=', ok.body.profile.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain('sk-very-secret');
  });

  it("sends the profile's own API key, not the default", async () => {
    h = await startLlmTgEnv({ api_key: 'sk-profile-key' });
    await h.say('hi');
    await h.replies(1);
    expect(h.model.requests[0].authorization).toBe('Bearer sk-profile-key');
  });
});
