import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { fixture, installAndGrant, nextTs, postEvent, startSlackHub, type SlackHub } from './helpers.ts';

/**
 * Issue 8, item 5 (Slack): a correctly signed Events API payload whose fields have the wrong
 * types is answered 200 with the reason it was ignored (so Slack does not retry it), nothing of it
 * is stored, and the conversation it claims to belong to keeps working.
 */
describe.each(DIALECTS)('signed Slack garbage on %s', (dialect) => {
  let h: SlackHub;
  let owner: Awaited<ReturnType<typeof installAndGrant>>;

  beforeAll(async () => {
    h = await startSlackHub({ dialect });
    owner = await installAndGrant(h, 'garbage@example.com');
  });
  afterAll(() => h.close());

  /** A real DM event (adapters/slack/fixtures/message-im.json) with fresh ids and some fields replaced. */
  const dm = (event: Record<string, unknown>, top: Record<string, unknown> = {}) => {
    const ts = nextTs();
    return fixture('message-im', { ts, event_ts: ts, ...event }, { event_id: `EvG${ts}`, ...top });
  };
  const inboxRows = () => h.t.hub.db.kysely.selectFrom('inbox').selectAll().where('channel', '=', 'slack').execute();
  const replies = (text: string) => h.fake.posted().filter((p) => p.text === text);

  it('ignores wrong types with a reason naming the field, stores nothing, and answers the next good message', async () => {
    const cases: [string, unknown][] = [
      ['team_id', dm({ text: 'team array' }, { team_id: [] })],
      ['event', { ...dm({}), event: 'x' }],
      ['event.text', dm({ text: 5 })],
      ['event.ts', dm({ text: 'ts object', ts: {} })],
      ['event.channel', dm({ text: 'no channel', channel: null })],
      ['event.user', dm({ text: 'user list', user: ['U0INSTALL'] })],
      ['event.thread_ts', dm({ text: 'thread number', thread_ts: 17 })],
      ['event.files', dm({ text: 'files', subtype: 'file_share', files: [{ id: 42 }] })],
      ['event.type', dm({ type: 7 })],
      ['event_id', dm({ text: 'event id' }, { event_id: { id: 1 } })],
      ['authorizations', dm({ text: 'auth' }, { team_id: undefined, authorizations: 'T0001' })],
      ['event.tokens', fixture('tokens-revoked', { tokens: { bot: 'U0BOT' } }, { event_id: 'EvGREVOKE' })],
      ['challenge', { type: 'url_verification', challenge: { x: 1 } }],
    ];
    const before = (await inboxRows()).length;
    for (const [field, payload] of cases) {
      const res = await postEvent(h.t, payload);
      expect(res.status, field).toBe(200);
      const body = await res.json();
      expect(body.challenge, field).toBeUndefined();
      expect(String(body.ignored), field).toContain(field);
    }
    for (const payload of [null, [], 'event_callback', 5]) {
      const res = await postEvent(h.t, payload);
      expect(res.status).toBe(200);
      expect((await res.json()).ignored).toBeTruthy();
    }

    // The positive signal: a good message in the same DM is answered, after all of the above.
    await postEvent(h.t, dm({ text: 'still listening?' }));
    await eventually(() => replies('echo: still listening?').length === 1);
    expect((await inboxRows()).length).toBe(before + 1);
    expect(h.fake.posted().map((p) => p.text)).toEqual(['echo: still listening?']);
    const integration = await h.t.hub.store.integrations.byId(owner.integration.id);
    expect(integration?.status).toBe('active');
  });

  it('does not judge fields it never reads: malformed blocks beside good text are answered', async () => {
    await postEvent(h.t, dm({ text: 'blocks are broken', blocks: 'not a list' }));
    await postEvent(h.t, dm({ text: 'blocks are odd', blocks: [{ type: 9, elements: {} }] }));
    await eventually(() => replies('echo: blocks are broken').length === 1 && replies('echo: blocks are odd').length === 1);
  });

  it('keeps url_verification, app_uninstalled and tokens_revoked working', async () => {
    const challenge = await postEvent(h.t, fixture('url-verification'));
    expect(await challenge.json()).toEqual({ challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
    const other = await postEvent(h.t, fixture('tokens-revoked', { tokens: { oauth: [], bot: ['U0OTHERBOT'] } }, { event_id: 'EvGREVOKE2' }));
    expect(await other.json()).toEqual({ ok: true });
    await postEvent(h.t, fixture('tokens-revoked', {}, { event_id: 'EvGREVOKE3' }));
    await eventually(async () => (await h.t.hub.store.integrations.byId(owner.integration.id))?.status === 'unhealthy');
    expect((await h.t.hub.store.integrations.byId(owner.integration.id))?.statusReason).toContain('revoked');
  });
});
