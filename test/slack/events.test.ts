import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture, installAndGrant, nextTs, postEvent, startSlackHub, type SlackHub } from './helpers.ts';

describe.each(DIALECTS)('Slack Events API on %s', (dialect) => {
  let h: SlackHub;
  let owner: Awaited<ReturnType<typeof installAndGrant>>;

  beforeAll(async () => {
    h = await startSlackHub({ dialect });
    owner = await installAndGrant(h, 'owner@example.com');
  });
  afterAll(() => h.close());

  const dm = (text: string, extra: Record<string, unknown> = {}) => {
    const ts = nextTs();
    return fixture('message-im', { text, ts, event_ts: ts, ...extra }, { event_id: `Ev${ts}` });
  };
  const mention = (text: string, extra: Record<string, unknown> = {}) => {
    const ts = nextTs();
    return fixture('app-mention', { text: `<@U0BOT> ${text}`, ts, event_ts: ts, ...extra }, { event_id: `EvM${ts}` });
  };
  const postsWith = (text: string) => h.fake.posted().filter((p) => p.text === text);
  const waitFor = async (text: string) => (await eventually(() => (postsWith(text).length ? postsWith(text) : undefined)))!;
  const inboxRows = () => h.t.hub.db.kysely.selectFrom('inbox').selectAll().where('channel', '=', 'slack').execute();
  const settled = () => eventually(async () => (await inboxRows()).every((r) => r.status !== 'pending' && r.status !== 'processing'));
  const userMessages = (text: string) => h.t.hub.db.kysely.selectFrom('messages').selectAll().where('type', '=', 'user_message').where('text', '=', text).execute();

  it('answers url_verification with the challenge', async () => {
    const res = await postEvent(h.t, fixture('url-verification'));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  });

  it('refuses a wrong signature, a missing one and a request older than five minutes with 401, storing nothing', async () => {
    const before = (await inboxRows()).length;
    expect((await postEvent(h.t, dm('forged'), { secret: 'not-the-secret' })).status).toBe(401);
    expect((await postEvent(h.t, dm('unsigned'), { signature: '' })).status).toBe(401);
    const stale = await postEvent(h.t, dm('stale'), { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(stale.status).toBe(401);
    expect((await stale.json()).error.message).toContain('older than five minutes');
    expect((await inboxRows()).length).toBe(before);
  });

  it('answers a DM in the DM, through the granted profile', async () => {
    const ev = dm('hello there');
    expect((await postEvent(h.t, ev)).status).toBe(200);
    const [reply] = await waitFor('echo: hello there');
    expect(reply.channel).toBe('D0DM001');
    expect(reply.thread_ts).toBeUndefined();
    const [logged] = await userMessages('hello there');
    expect(logged.profile_id).toBe(owner.profile.id);
  });

  it('answers a DM thread reply in that thread', async () => {
    const parent = nextTs();
    await postEvent(h.t, dm('in a thread', { thread_ts: parent }));
    const [reply] = await waitFor('echo: in a thread');
    expect(reply).toMatchObject({ channel: 'D0DM001', thread_ts: parent });
  });

  it("answers a mention in the post's thread, and later replies in that thread without a mention", async () => {
    const ev = mention('what is the status?');
    await postEvent(h.t, ev);
    const [reply] = await waitFor('echo: what is the status?');
    expect(reply).toMatchObject({ channel: 'C0GENERAL', thread_ts: ev.event.ts });
    expect((await userMessages('what is the status?'))[0].profile_id).toBe(owner.profile.id);
    const ts = nextTs();
    await postEvent(h.t, fixture('message-thread-reply', { text: 'and one more thing', ts, event_ts: ts, thread_ts: ev.event.ts }, { event_id: `EvT${ts}` }));
    const [second] = await waitFor('echo: and one more thing');
    expect(second).toMatchObject({ channel: 'C0GENERAL', thread_ts: ev.event.ts });
  });

  it('makes one turn of an event Slack retries three times', async () => {
    const ev = dm('say it once');
    for (let n = 0; n <= 3; n++) {
      const res = await postEvent(h.t, ev, n ? { headers: { 'x-slack-retry-num': String(n), 'x-slack-retry-reason': 'http_timeout' } } : {});
      expect(res.status).toBe(200);
    }
    await eventually(() => postsWith('echo: say it once').length === 1);
    await settled();
    await new Promise((r) => setTimeout(r, 150));
    expect(postsWith('echo: say it once').length).toBe(1);
    expect((await userMessages('say it once')).length).toBe(1);
  });

  it('makes one reply of a post delivered as message and as app_mention', async () => {
    const ts = nextTs();
    const asMessage = fixture('message-channel-mention', { text: '<@U0BOT> twice delivered', ts, event_ts: ts }, { event_id: `EvA${ts}` });
    const asMention = fixture('app-mention', { text: '<@U0BOT> twice delivered', ts, event_ts: ts }, { event_id: `EvB${ts}` });
    await Promise.all([postEvent(h.t, asMessage), postEvent(h.t, asMention)]);
    await eventually(() => postsWith('echo: twice delivered').length === 1);
    await settled();
    await new Promise((r) => setTimeout(r, 150));
    expect(postsWith('echo: twice delivered').length).toBe(1);
  });

  it("ignores the bot's own messages, other bots and edits", async () => {
    const before = h.fake.posted().length;
    const own = nextTs();
    await postEvent(h.t, fixture('message-im', { user: 'U0BOT', bot_id: 'B0BOT', text: 'echo: loop', ts: own, event_ts: own }, { event_id: `EvO${own}` }));
    const other = nextTs();
    await postEvent(h.t, fixture('message-bot', { ts: other, event_ts: other }, { event_id: `EvX${other}` }));
    const changed = nextTs();
    await postEvent(h.t, fixture('message-changed', { ts: changed, event_ts: changed }, { event_id: `EvC${changed}` }));
    await settled();
    expect(h.fake.posted().length).toBe(before);
    const reasons = (await inboxRows()).filter((r) => r.status === 'ignored').map((r) => r.last_error);
    expect(reasons).toEqual(expect.arrayContaining(["the bot's own message", "another bot's message", 'message subtype message_changed is not a new post']));
  });

  it('stores an event of an unknown team, answers 200 and routes nothing', async () => {
    const before = h.fake.posted().length;
    const ev = dm('who am I', { team: 'T0NOBODY' });
    ev.team_id = 'T0NOBODY';
    expect((await postEvent(h.t, ev)).status).toBe(200);
    await settled();
    const row = (await inboxRows()).find((r) => r.source === 'T0NOBODY');
    expect(row).toMatchObject({ status: 'ignored', last_error: 'no Slack installation for team T0NOBODY' });
    expect(h.fake.posted().length).toBe(before);
  });

  it('drops other members under the installer policy (logged), and answers them under workspace', async () => {
    await postEvent(h.t, dm('let me in', { user: 'U0STRANGER' }));
    await settled();
    expect(postsWith('echo: let me in').length).toBe(0);
    const log = await h.t.api('GET', '/v1/messages?type=policy', undefined, owner.user.key);
    expect(JSON.stringify(log.body)).toContain('U0STRANGER is not the linked installer');

    const bad = await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { policy: 'everyone' }, owner.user.key);
    expect(bad.status).toBe(400);
    const ok = await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { policy: 'workspace' }, owner.user.key);
    expect(ok.status).toBe(200);
    expect(ok.body.integration.config.policy).toBe('workspace');
    await postEvent(h.t, dm('let me in again', { user: 'U0STRANGER' }));
    await eventually(() => postsWith('echo: let me in again').length === 1);
    await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { policy: 'installer' }, owner.user.key);
  });

  it('turns the integration unhealthy and drops its token on app_uninstalled (tokens_revoked of another bot changes nothing)', async () => {
    await postEvent(h.t, fixture('tokens-revoked', { tokens: { oauth: [], bot: ['U0SOMEBODYELSE'] } }));
    await settled();
    expect((await h.t.hub.store.integrations.byId(owner.integration.id))?.status).toBe('active');
    expect((await postEvent(h.t, fixture('app-uninstalled'))).status).toBe(200);
    await eventually(async () => (await h.t.hub.store.integrations.byId(owner.integration.id))?.status === 'unhealthy');
    const row = await h.t.hub.store.integrations.byId(owner.integration.id);
    expect(row?.statusReason).toContain('uninstalled');
    expect(await h.t.hub.store.integrations.secrets(owner.integration.id)).toBeUndefined();
    const notify = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'anyone?' }, owner.token);
    expect(notify.status).toBe(422);
    expect(notify.body.error.code).toBe('integration_unhealthy');
  });
});
