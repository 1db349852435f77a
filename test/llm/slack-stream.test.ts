import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_APOLOGY } from '../../src/bus/runtimes/llm.ts';
import { FakeOpenAI } from '../fakes/openai-api.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture, installAndGrant, nextTs, postEvent, startSlackHub, type SlackHub } from '../slack/helpers.ts';

describe('llm agent answering a Slack mention', () => {
  let h: SlackHub;
  let model: FakeOpenAI;
  let owner: Awaited<ReturnType<typeof installAndGrant>>;

  beforeAll(async () => {
    model = await new FakeOpenAI().start();
    h = await startSlackHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    owner = await installAndGrant(h, 'llm-owner@example.com');
    const r = await h.t.api('PATCH', `/v1/profiles/${owner.profile.id}`, { agent: { kind: 'llm', model: 'test-model', base_url: model.baseUrl } }, owner.user.key);
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await h.close();
    await model.close();
  });

  const mention = (text: string) => {
    const ts = nextTs();
    return { ts, body: fixture('app-mention', { text: `<@U0BOT> ${text}`, ts, event_ts: ts }, { event_id: `EvL${ts}` }) };
  };
  /** The streamed message in a thread once it stopped streaming. */
  const finished = (threadTs: string) => eventually(() => [...h.fake.streams.values()].find((s) => s.thread_ts === threadTs && !s.streaming));

  it('streams with start/append/stop in the thread, and the outbox finishes that message with the whole text', async () => {
    const chunks = ['Status: ', 'all ', 'systems ', 'are ', 'working ', 'as ', 'expected.'];
    model.script({ kind: 'text', chunks, delayMs: 150 });
    const m = mention('what is the status?');
    expect((await postEvent(h.t, m.body)).status).toBe(200);
    const msg = (await finished(m.ts))!;
    expect(msg.text).toBe(chunks.join(''));
    expect(msg.channel).toBe('C0GENERAL');
    expect(h.fake.callsOf('chat.startStream')).toHaveLength(1);
    expect(h.fake.callsOf('chat.startStream')[0].params).toMatchObject({ channel: 'C0GENERAL', thread_ts: m.ts, recipient_team_id: 'T0001', recipient_user_id: 'U0INSTALL' });
    expect(h.fake.callsOf('chat.appendStream').length).toBeGreaterThanOrEqual(1);
    expect(h.fake.callsOf('chat.stopStream')).toHaveLength(1);
    // No second message: nothing was posted with chat.postMessage for this thread.
    expect(h.fake.posted().filter((p) => p.thread_ts === m.ts)).toHaveLength(0);
    expect(msg.updates).toBe(0);
    // The delivery is one outbox row, sent.
    // The sent-mark commits with the next group commit, just after Slack accepted the stop.
    const statuses = async () =>
      (await h.t.hub.db.kysely.selectFrom('outbox').select(['status', 'payload']).where('channel', '=', 'slack').execute())
        .filter((r) => r.payload.includes(m.ts))
        .map((r) => r.status);
    await eventually(async () => ((await statuses()).includes('sending') ? undefined : true));
    expect(await statuses()).toEqual(['sent']);
  });

  it('replaces what was streamed with the apology when the model then sends a malformed tool call', async () => {
    model.script({ kind: 'tools', text: 'I will look that up', calls: [{ name: 'notify_user', arguments: 'not json' }] });
    const m = mention('look it up');
    await postEvent(h.t, m.body);
    // The stream is stopped, then chat.update sets the apology over the partial text.
    const msg = (await eventually(() => [...h.fake.streams.values()].find((s) => s.thread_ts === m.ts && !s.streaming && s.updates === 1)))!;
    expect(msg.text).toBe(MALFORMED_APOLOGY);
    expect(h.fake.posted().filter((p) => p.thread_ts === m.ts)).toHaveLength(0);
  });
});
