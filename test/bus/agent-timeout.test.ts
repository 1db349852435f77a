import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';

describe('an HTTP agent that does not answer in time', () => {
  let t: TestHub;
  let agent: FakeAgent;
  const secret = newWebhookSecret();
  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { agentTimeoutMs: 150 } });
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  it('is retried, then reported in the log and to the person, never silently', async () => {
    agent.answer = () => ({ status: 200, body: { reply: { text: 'too late' } }, delayMs: 1000 });
    const p = (await t.api('POST', '/v1/profiles', { name: 'slow', agent: { kind: 'http', url: agent.url, secret } })).body.profile;
    const r = await t.api('POST', `/v1/profiles/${p.id}/chat`, { text: 'hurry' });
    expect(r.body.reply).toBe('Sorry, the agent could not be reached. Please try again later.');
    expect(agent.calls).toHaveLength(3);
    expect(new Set(agent.calls.map((c) => c.headers['webhook-id'])).size).toBe(1);
    const errors = (await t.api('GET', `/v1/messages?type=error&thread=${r.body.thread.id}`)).body.messages.map((m: any) => m.text);
    expect(errors.filter((e: string) => /attempt \d: agent timed out/.test(e))).toHaveLength(3);
  });
});
