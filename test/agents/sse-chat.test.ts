import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_UNREACHABLE_REPLY } from '../../src/bus/turn.ts';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

/** The streamed form of the HTTP agent contract, through the console channel (which has no preview). */
describe('an HTTP agent answering with Server-Sent Events', () => {
  let t: TestHub;
  let agent: FakeAgent;
  let profileId: string;
  const secret = newWebhookSecret();
  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { agentTimeoutMs: 300 } });
    profileId = (await t.api('POST', '/v1/profiles', { name: 'streamer', agent: { kind: 'http', url: agent.url, secret } })).body.profile.id;
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  const chat = (text: string, waitMs?: number) => t.api('POST', `/v1/profiles/${profileId}/chat`, { text, ...(waitMs === undefined ? {} : { wait_ms: waitMs }) });
  const errors = async (threadId: string): Promise<string[]> => (await t.api('GET', `/v1/messages?type=error&thread=${threadId}`)).body.messages.map((m: any) => m.text as string);

  it('a JSON-answering agent is unchanged, and every POST offers both forms, signed', async () => {
    agent.calls.length = 0;
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `agent: ${c.body.message.text}` } } });
    const r = await chat('plain please');
    expect(r.status).toBe(200);
    expect(r.body.reply).toBe('agent: plain please');
    expect(agent.calls).toHaveLength(1);
    expect(agent.calls[0].headers.accept).toBe('application/json, text/event-stream');
    expect(agent.calls[0].verified).toBe(true);
    expect(agent.calls[0].headers['webhook-id']).toBe(agent.calls[0].body.turn_id);
  });

  it('without a done event, the reply is the deltas put together', async () => {
    agent.calls.length = 0;
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'Hello, ' } }, { comment: 'thinking' }, { event: 'delta', data: { text: 'wörld' }, delayMs: 30 }, { event: 'delta', data: { text: '!' } }] });
    const r = await chat('greet me');
    expect(r.body.reply).toBe('Hello, wörld!');
    expect(agent.calls).toHaveLength(1);
    expect(agent.calls[0].verified).toBe(true);
  });

  it('done carries the final text; replace resets the text so far', async () => {
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'a rough ' } }, { event: 'delta', data: { text: 'draft' } }, { event: 'done', data: { reply: { text: 'The final answer.' } } }, { event: 'delta', data: { text: ' ignored' } }], end: 'hang' });
    expect((await chat('final?')).body.reply).toBe('The final answer.');
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'wrong' } }, { event: 'replace', data: { text: 'Right' } }, { event: 'delta', data: { text: ' again' } }, { event: 'done', data: {} }] });
    expect((await chat('replace?')).body.reply).toBe('Right again');
    // `{"reply":null}` is no reply, as in the JSON form.
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'never mind' } }, { event: 'done', data: { reply: null } }] });
    const none = await chat('nothing?', 200);
    expect(none.status).toBe(202);
    expect(none.body.reply).toBeNull();
    // The turn ended without a reply: the log has the person's message and no agent response after it.
    const log = (await t.api('GET', `/v1/messages?thread=${none.body.thread.id}&limit=1`)).body.messages;
    expect(log.map((m: any) => [m.type, m.text])).toEqual([['user_message', 'nothing?']]);
  });

  it('event: error ends the turn with the apology and the reason in the log, without a second POST', async () => {
    agent.calls.length = 0;
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'Half an ans' } }, { event: 'error', data: { message: 'the model is overloaded' } }] });
    const r = await chat('fail please');
    expect(r.body.reply).toBe(AGENT_UNREACHABLE_REPLY);
    expect(r.body.agent_failed).toBe(true);
    expect(agent.calls).toHaveLength(1);
    expect(await errors(r.body.thread.id)).toContainEqual(expect.stringContaining('agent reported an error: the model is overloaded'));
  });

  it('a malformed event ends the turn with the apology', async () => {
    agent.answer = () => ({ sse: [{ event: 'delta', data: 'not json' }] });
    const r = await chat('garbage');
    expect(r.body.reply).toBe(AGENT_UNREACHABLE_REPLY);
    expect(await errors(r.body.thread.id)).toContainEqual(expect.stringContaining('malformed delta event'));
  });

  it('a stream that stalls before any text is tried again; comments do not keep it alive', async () => {
    agent.calls.length = 0;
    agent.answer = () => ({ sse: [{ comment: 'ping', delayMs: 100 }, { comment: 'ping', delayMs: 100 }, { comment: 'ping', delayMs: 100 }], end: 'hang' });
    const r = await chat('stall early');
    expect(r.body.reply).toBe(AGENT_UNREACHABLE_REPLY);
    expect(agent.calls).toHaveLength(3);
    expect(new Set(agent.calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    expect((await errors(r.body.thread.id)).filter((e) => /attempt \d: agent stream stalled: no event for 300 ms/.test(e))).toHaveLength(3);
  });

  it('once text arrived, a stalled or cut stream fails the turn and is not POSTed again', async () => {
    agent.calls.length = 0;
    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'I was say' } }], end: 'hang' });
    const stalled = await chat('stall late');
    expect(stalled.body.reply).toBe(AGENT_UNREACHABLE_REPLY);
    expect(agent.calls).toHaveLength(1);
    expect(await errors(stalled.body.thread.id)).toContainEqual(expect.stringContaining('agent stream stalled'));

    agent.answer = () => ({ sse: [{ event: 'delta', data: { text: 'I was cut' } }], end: 'destroy' });
    const cut = await chat('cut late');
    expect(cut.body.reply).toBe(AGENT_UNREACHABLE_REPLY);
    expect(agent.calls).toHaveLength(2);
    expect(await errors(cut.body.thread.id)).toContainEqual(expect.stringContaining('agent stream broke'));
  });
});
