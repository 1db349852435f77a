import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

describe.each(DIALECTS)('inbound bus with an HTTP agent on %s', (dialect) => {
  let t: TestHub;
  let agent: FakeAgent;
  let profile: any;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    t = await startTestHub({ dialect, env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { inboxConcurrency: 16 } });
    const r = await t.api('POST', '/v1/profiles', { name: 'remote', agent: { kind: 'http', url: agent.url, secret } });
    expect(r.status).toBe(201);
    profile = r.body.profile;
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  /** Commits a console line to the inbox without waiting, like a platform webhook would. */
  const post = async (thread: string, text: string, eventId = `${thread}-${text}`) => {
    const me = (await t.api('GET', '/v1/me')).body.user.id;
    const [r] = await t.hub.store.inbox.append([
      { channel: 'console', source: profile.id, externalEventId: eventId, orderingKey: `console|${profile.id}|${thread}`, payload: { userId: me, profileId: profile.id, thread, text, sentAt: Date.now() } },
    ]);
    t.hub.bus.inboxWorker.wake();
    return r;
  };

  it('signs each call the Standard Webhooks way, with the message, thread, profile and history', async () => {
    const first = await t.api('POST', `/v1/profiles/${profile.id}/chat`, { text: 'one', thread: 'sig' });
    expect(first.body.reply).toBe('agent: one');
    await t.api('POST', `/v1/profiles/${profile.id}/chat`, { text: 'two', thread: 'sig' });
    const call = agent.calls.at(-1)!;
    expect(call.verified).toBe(true);
    expect(call.headers['webhook-id']).toMatch(/^turn_\d+$/);
    expect(call.body.type).toBe('message.received');
    expect(call.body.message.text).toBe('two');
    expect(call.body.profile).toMatchObject({ id: profile.id, name: 'remote' });
    expect(call.body.thread.id).toBe(first.body.thread.id);
    expect(call.body.history.map((h: any) => `${h.role}:${h.text}`)).toEqual(['user:one', 'agent:agent: one']);
  });

  it('handles one thread in order and different threads in parallel', async () => {
    agent.calls.length = 0;
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `ok ${c.body.message.text}` } }, delayMs: 40 + Math.floor(Math.random() * 40) });
    for (let i = 0; i < 6; i++) {
      await post('A', `a${i}`);
      await post('B', `b${i}`);
    }
    await eventually(() => agent.calls.filter((c) => c.endedAt).length === 12, 10_000);
    for (const thread of ['A', 'B']) {
      const calls = agent.calls.filter((c) => c.body.message.threadKey === thread);
      expect(calls.map((c) => c.body.message.text)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `${thread.toLowerCase()}${i}`));
      for (let i = 1; i < calls.length; i++) expect(calls[i].startedAt).toBeGreaterThanOrEqual(calls[i - 1].endedAt!);
    }
    const a = agent.calls.filter((c) => c.body.message.threadKey === 'A');
    const b = agent.calls.filter((c) => c.body.message.threadKey === 'B');
    const overlap = a.some((x) => b.some((y) => y.startedAt < x.endedAt! && x.startedAt < y.endedAt!));
    expect(overlap).toBe(true);
  });

  it('makes one agent turn for an event delivered three times', async () => {
    agent.calls.length = 0;
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `once ${c.body.message.text}` } } });
    const results = [await post('D', 'dup', 'evt-1'), await post('D', 'dup', 'evt-1'), await post('D', 'dup', 'evt-1')];
    expect(results.map((r) => r.duplicate)).toEqual([false, true, true]);
    await eventually(async () => (await t.hub.store.inbox.byId(results[0].id))?.status === 'done');
    await new Promise((r) => setTimeout(r, 100));
    expect(agent.calls).toHaveLength(1);
    const replies = (await t.api('GET', '/v1/messages?type=agent_response&limit=100')).body.messages.filter((m: any) => m.text === 'once dup');
    expect(replies).toHaveLength(1);
  });

  it('accepts a 202 and a later reply through POST /v1/threads/:id/messages with the profile token', async () => {
    agent.answer = () => ({ status: 202 });
    const token = (await t.api('POST', '/v1/profiles', { name: 'async', agent: { kind: 'http', url: agent.url, secret } })).body;
    const r = await t.api('POST', `/v1/profiles/${token.profile.id}/chat`, { text: 'think about it', wait_ms: 300 });
    expect(r.status).toBe(202);
    expect(r.body.reply).toBeNull();
    const later = await t.api('POST', `/v1/threads/${r.body.thread.id}/messages`, { text: 'done thinking' }, token.token);
    expect(later.status).toBe(202);
    const log = (await t.api('GET', `/v1/messages?thread=${r.body.thread.id}`)).body.messages;
    expect(log.map((m: any) => m.text)).toEqual(['done thinking', 'think about it']);
    await eventually(async () => (await t.api('GET', '/v1/messages?type=delivery&limit=5')).body.messages.some((d: any) => d.thread_id === r.body.thread.id && d.status === 'sent'));
    const other = await t.api('POST', `/v1/threads/${r.body.thread.id}/messages`, { text: 'intruder' }, (await t.api('POST', '/v1/profiles', { name: 'other' })).body.token);
    expect(other.status).toBe(404);
  });

  it('makes agent timeouts and errors visible in the log, and tells the person', async () => {
    agent.answer = () => ({ status: 500, body: { error: 'boom' } });
    const r = await t.api('POST', `/v1/profiles/${profile.id}/chat`, { text: 'are you there', thread: 'err' });
    expect(r.body.reply).toBe('Sorry, the agent could not be reached. Please try again later.');
    const errors = (await t.api('GET', `/v1/messages?type=error&thread=${r.body.thread.id}`)).body.messages.map((m: any) => m.text);
    expect(errors.some((e: string) => e.includes('attempt 1: agent answered HTTP 500'))).toBe(true);
    expect(errors.some((e: string) => e.includes('remote failed: agent answered HTTP 500'))).toBe(true);
  });
});
