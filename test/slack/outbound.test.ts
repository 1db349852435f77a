import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture, installAndGrant, nextTs, postEvent, startSlackHub, type SlackHub } from './helpers.ts';

describe.each(DIALECTS)('Slack notifications, claims, rate limits and disconnect on %s', (dialect) => {
  let h: SlackHub;
  let owner: Awaited<ReturnType<typeof installAndGrant>>;

  beforeAll(async () => {
    h = await startSlackHub({ dialect });
    owner = await installAndGrant(h, 'owner@example.com');
  });
  afterAll(() => h.close());

  const postsWith = (text: string) => h.fake.posted().filter((p) => p.text === text);
  const waitFor = async (text: string) => (await eventually(() => (postsWith(text).length ? postsWith(text) : undefined)))!;
  const notification = async (id: string) => (await h.t.api('GET', `/v1/notifications/${id}`, undefined, owner.user.key)).body.notification;
  const sent = (id: string) => eventually(async () => {
    const n = await notification(id);
    return n.deliveries.every((d: any) => d.status === 'sent') && n;
  });

  it('DMs the installer for notify channel "slack", in mrkdwn', async () => {
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: '**Build** finished', subject: 'CI' }, owner.token);
    expect(r.status).toBe(202);
    await sent(r.body.notification.id);
    expect(h.fake.callsOf('conversations.open').at(-1)!.params.users).toBe('U0INSTALL');
    const [post] = postsWith('*CI*\n*Build* finished');
    expect(post.channel).toBe('D0INSTALL');
    expect(post.thread_ts).toBeUndefined();
  });

  it('posts to the default channel the user chose', async () => {
    expect((await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { notify_channel: 'bogus' }, owner.user.key)).status).toBe(400);
    expect((await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { notify_channel: 'C0ALERTS' }, owner.user.key)).status).toBe(200);
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'to the channel' }, owner.token);
    await sent(r.body.notification.id);
    expect(postsWith('to the channel')[0].channel).toBe('C0ALERTS');
    await h.t.api('PATCH', `/v1/integrations/${owner.integration.id}`, { notify_channel: null }, owner.user.key);
  });

  it("routes a reply in a claimed notification's thread to the profile that sent it", async () => {
    const other = await h.t.api('POST', '/v1/profiles', { name: 'notifier' }, owner.user.key);
    await h.t.api('PUT', `/v1/profiles/${other.body.profile.id}/grants/${owner.integration.id}`, undefined, owner.user.key);
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'Approve the deploy?', claim: true }, other.body.token);
    expect(r.status).toBe(202);
    await sent(r.body.notification.id);
    const [note] = postsWith('Approve the deploy?');

    const ts = nextTs();
    await postEvent(h.t, fixture('message-im', { channel: note.channel, text: 'yes, go', ts, event_ts: ts, thread_ts: note.ts }, { event_id: `EvC${ts}` }));
    const [reply] = await waitFor('echo: yes, go');
    expect(reply).toMatchObject({ channel: note.channel, thread_ts: note.ts });
    const logged = await h.t.hub.db.kysely.selectFrom('messages').selectAll().where('type', '=', 'user_message').where('text', '=', 'yes, go').executeTakeFirstOrThrow();
    expect(logged.profile_id).toBe(other.body.profile.id);

    const top = nextTs();
    await postEvent(h.t, fixture('message-im', { channel: note.channel, text: 'unrelated', ts: top, event_ts: top }, { event_id: `EvU${top}` }));
    await eventually(() => postsWith('echo: unrelated').length === 1);
    const plain = await h.t.hub.db.kysely.selectFrom('messages').selectAll().where('type', '=', 'user_message').where('text', '=', 'unrelated').executeTakeFirstOrThrow();
    expect(plain.profile_id).toBe(owner.profile.id);
  });

  it('waits Retry-After on a 429 and then sends once, losing nothing', async () => {
    h.fake.failNext({ kind: 'ratelimit', retryAfter: 1 }, 'chat.postMessage');
    const before = h.fake.callsOf('chat.postMessage').length;
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'after the wait' }, owner.token);
    const n = await sent(r.body.notification.id);
    expect(n.deliveries[0].attempts).toBe(2);
    expect(postsWith('after the wait').length).toBe(1);
    const calls = h.fake.callsOf('chat.postMessage').slice(before);
    expect(calls.length).toBe(2);
  });

  it('splits a long text at the limit, in order', async () => {
    const text = Array.from({ length: 1200 }, (_, i) => `word${i}`).join(' ');
    const before = h.fake.posted().length;
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: text }, owner.token);
    await sent(r.body.notification.id);
    const parts = h.fake.posted().slice(before);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    for (const p of parts) expect(p.text.length).toBeLessThanOrEqual(4000);
    expect(parts.map((p) => p.text).join(' ')).toBe(text);
  });

  it('marks the integration unhealthy when Slack says the token is revoked', async () => {
    h.fake.failNext({ kind: 'refused', error: 'token_revoked' }, 'chat.postMessage');
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'into the void' }, owner.token);
    await eventually(async () => (await notification(r.body.notification.id)).deliveries[0].status === 'failed');
    const row = await h.t.hub.store.integrations.byId(owner.integration.id);
    expect(row?.status).toBe('unhealthy');
    expect(row?.statusReason).toContain('token_revoked');
    await h.t.hub.store.integrations.setStatus(owner.integration.id, 'active', null);
  });

  it('disconnects: auth.revoke, secrets and links gone, pending deliveries failed, 204', async () => {
    h.fake.failNext({ kind: 'ratelimit', retryAfter: 60 }, 'chat.postMessage');
    const r = await h.t.api('POST', '/v1/notify', { channel: 'slack', message: 'never mind' }, owner.token);
    await eventually(async () => (await notification(r.body.notification.id)).deliveries[0].attempts === 1 && h.fake.callsOf('chat.postMessage').some((c) => c.params.text === 'never mind'));
    const token = (await h.t.hub.store.integrations.secrets<any>(owner.integration.id))!.bot_token;
    const del = await h.t.api('DELETE', `/v1/integrations/${owner.integration.id}`, undefined, owner.user.key);
    expect(del.status).toBe(204);
    expect(h.fake.callsOf('auth.revoke').map((c) => c.token)).toContain(token);
    expect(await h.t.hub.store.integrations.byId(owner.integration.id)).toBeUndefined();
    expect(await h.t.hub.store.links.find('slack', owner.integration.id, 'T0001:U0INSTALL')).toBeUndefined();
    const d = (await notification(r.body.notification.id)).deliveries[0];
    expect(d.status).toBe('failed');
    expect(d.last_error).toContain('disconnected');
    const rows = await h.t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(token);
  });
});
