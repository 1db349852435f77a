import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture, installAndGrant, nextTs, postEvent, startSlackHub, type SlackHub } from '../slack/helpers.ts';

/** An external HTTP agent that streams, answering a Slack mention in its thread. */
describe('a streaming HTTP agent answering a Slack mention', () => {
  let h: SlackHub;
  let agent: FakeAgent;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    h = await startSlackHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    const owner = await installAndGrant(h, 'sse-slack@example.com');
    const r = await h.t.api('PATCH', `/v1/profiles/${owner.profile.id}`, { agent: { kind: 'http', url: agent.url, secret } }, owner.user.key);
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await h?.close();
    await agent?.close();
  });

  it('streams with start/append/stop in the thread, and the outbox finishes that message with the whole text', async () => {
    const words = ['Deploys ', 'are ', 'green ', 'on ', 'every ', 'region.'];
    agent.answer = () => ({ sse: words.map((w) => ({ event: 'delta', data: { text: w }, delayMs: 150 })) });
    const ts = nextTs();
    const body = fixture('app-mention', { text: '<@U0BOT> how are deploys?', ts, event_ts: ts }, { event_id: `EvS${ts}` });
    expect((await postEvent(h.t, body)).status).toBe(200);
    const msg = (await eventually(() => [...h.fake.streams.values()].find((s) => s.thread_ts === ts && !s.streaming)))!;
    expect(msg.text).toBe(words.join(''));
    expect(msg.updates).toBe(0);
    expect(h.fake.callsOf('chat.startStream').filter((c) => c.params.thread_ts === ts)).toHaveLength(1);
    expect(h.fake.callsOf('chat.appendStream').length).toBeGreaterThanOrEqual(1);
    expect(h.fake.callsOf('chat.stopStream')).toHaveLength(1);
    // One message: nothing was posted with chat.postMessage in the thread, and one outbox row was sent.
    expect(h.fake.posted().filter((p) => p.thread_ts === ts)).toHaveLength(0);
    // The sent-mark commits with the next group commit, just after Slack accepted the stop.
    const statuses = async () =>
      (await h.t.hub.db.kysely.selectFrom('outbox').select(['status', 'payload']).where('channel', '=', 'slack').execute())
        .filter((r) => r.payload.includes(ts))
        .map((r) => r.status);
    await eventually(async () => ((await statuses()).includes('sending') ? undefined : true));
    expect(await statuses()).toEqual(['sent']);
    expect(agent.calls).toHaveLength(1);
  });
});
