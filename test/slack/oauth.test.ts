import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { callback, installViaOAuth, newUser, startSlackHub, type SlackHub } from './helpers.ts';

describe.each(DIALECTS)('Slack OAuth install on %s', (dialect) => {
  let h: SlackHub;
  beforeAll(async () => {
    h = await startSlackHub({ dialect });
  });
  afterAll(() => h.close());

  const slackRows = async (userKey: string) => (await h.t.api('GET', '/v1/integrations', undefined, userKey)).body.integrations.filter((i: any) => i.type === 'slack');

  it('needs an authenticated user for the install URL, and binds its state to them', async () => {
    expect((await fetch(`${h.t.url}/v1/integrations/slack/install`)).status).toBe(401);
    const alice = await newUser(h.t, 'alice@example.com');
    const r = await h.t.api('GET', '/v1/integrations/slack/install', undefined, alice.key);
    expect(r.status).toBe(200);
    const url = new URL(r.body.url);
    expect(url.pathname).toBe('/oauth/v2/authorize');
    expect(url.searchParams.get('client_id')).toBe(h.fake.clientId);
    expect(url.searchParams.get('scope')).toContain('chat:write');
    expect(url.searchParams.get('redirect_uri')).toMatch(/\/api\/slack\/callback$/);
    expect(url.searchParams.get('state')!.length).toBeGreaterThanOrEqual(32);
  });

  it('plays the whole round trip: code exchange, auth.test, stored installation, linked installer, success page', async () => {
    const bob = await newUser(h.t, 'bob@example.com');
    h.fake.approveAs = { teamId: 'T0BOB', teamName: 'Bob Corp', userId: 'U0BOB', botUserId: 'U0BOTB' };
    const page = await installViaOAuth(h, bob.key);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Slack is connected');
    expect(page.html).toContain('Bob Corp');
    expect(h.fake.callsOf('oauth.v2.access').length).toBeGreaterThanOrEqual(1);
    expect(h.fake.callsOf('auth.test').length).toBeGreaterThanOrEqual(1);
    const [row] = await slackRows(bob.key);
    expect(row).toMatchObject({ name: 'Bob Corp', external_id: 'T0BOB', status: 'active' });
    expect(row.config).toMatchObject({ team_id: 'T0BOB', bot_user_id: 'U0BOTB', installer_user_id: 'U0BOB', policy: 'installer', app_id: 'A0APP' });
    expect(row.config.scopes).toContain('chat:write');
    const token = h.fake.callsOf('auth.test').at(-1)!.token!;
    expect(JSON.stringify(row)).not.toContain(token);
    const stored = await h.t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await h.t.hub.store.integrations.secrets<any>(row.id))?.bot_token).toBe(token);
    const link = await h.t.hub.store.links.find('slack', row.id, 'T0BOB:U0BOB');
    expect(link?.user_id).toBe(bob.id);

    // Reinstalling the same workspace updates the one row.
    const again = await installViaOAuth(h, bob.key);
    expect(again.status).toBe(200);
    const rows = await slackRows(bob.key);
    expect(rows.length).toBe(1);
    expect(rows[0].id).toBe(row.id);
    expect(rows[0].updated_at >= row.updated_at).toBe(true);

    // Another workspace for the same user is refused: one Slack integration per user.
    h.fake.approveAs = { teamId: 'T0OTHER', teamName: 'Other', userId: 'U0BOB2', botUserId: 'U0BOTO' };
    const other = await installViaOAuth(h, bob.key);
    expect(other.status).toBe(409);
    expect(other.html).toContain('already have a Slack integration');
    expect((await slackRows(bob.key)).map((r: any) => r.external_id)).toEqual(['T0BOB']);
  });

  it('refuses a forged, reused or missing state with a failure page, storing nothing and exchanging no code', async () => {
    const carol = await newUser(h.t, 'carol@example.com');
    h.fake.approveAs = { teamId: 'T0CAROL', teamName: 'Carol Inc', userId: 'U0CAROL', botUserId: 'U0BOTC' };
    const exchanges = h.fake.callsOf('oauth.v2.access').length;
    const forged = await callback(h, `?code=${h.fake.issueCode()}&state=forged-state-value-0123456789abcdef`);
    expect(forged.status).toBe(400);
    expect(forged.html).toContain('Slack could not be connected');
    expect(forged.html).toContain('not valid');
    const missing = await callback(h, `?code=${h.fake.issueCode()}`);
    expect(missing.status).toBe(400);
    expect(h.fake.callsOf('oauth.v2.access').length).toBe(exchanges);

    const ok = await installViaOAuth(h, carol.key);
    expect(ok.status).toBe(200);
    const replay = await callback(h, `?code=${h.fake.issueCode()}&state=${encodeURIComponent(ok.state)}`);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('already used');
    const cancelled = await callback(h, '?error=access_denied&state=x');
    expect(cancelled.status).toBe(400);
    expect(cancelled.html).toContain('cancelled');
    expect((await slackRows(carol.key)).length).toBe(1);
    const all = await h.t.hub.store.integrations.listByType('slack');
    expect(all.filter((i) => i.externalId === 'T0CAROL').length).toBe(1);
  });

  it('lets two users install one workspace, and keeps the shared bot token alive when one disconnects', async () => {
    h.fake.approveAs = { teamId: 'T0SHARED', teamName: 'Shared', userId: 'U0ERIN', botUserId: 'U0BOTS' };
    const erin = await newUser(h.t, 'erin@example.com');
    expect((await installViaOAuth(h, erin.key)).status).toBe(200);
    h.fake.approveAs = { ...h.fake.approveAs, userId: 'U0FRANK' };
    const frank = await newUser(h.t, 'frank@example.com');
    expect((await installViaOAuth(h, frank.key)).status).toBe(200);
    const [erinRow] = await slackRows(erin.key);
    const [frankRow] = await slackRows(frank.key);
    expect(erinRow.id).not.toBe(frankRow.id);
    expect(frankRow.config.installer_user_id).toBe('U0FRANK');
    const revokes = h.fake.callsOf('auth.revoke').length;
    expect((await h.t.api('DELETE', `/v1/integrations/${erinRow.id}`, undefined, erin.key)).status).toBe(204);
    expect(h.fake.callsOf('auth.revoke').length).toBe(revokes);
    expect((await h.t.hub.store.integrations.secrets<any>(frankRow.id))?.bot_token).toBeTruthy();
    expect((await h.t.api('DELETE', `/v1/integrations/${frankRow.id}`, undefined, frank.key)).status).toBe(204);
    expect(h.fake.callsOf('auth.revoke').length).toBe(revokes + 1);
  });

  it('shows a clear page when Slack refuses the code', async () => {
    const dave = await newUser(h.t, 'dave@example.com');
    h.fake.failNext({ kind: 'refused', error: 'invalid_code' }, 'oauth.v2.access');
    const page = await installViaOAuth(h, dave.key);
    expect(page.status).toBe(502);
    expect(page.html).toContain('invalid_code');
    expect(page.html).not.toContain(h.fake.clientSecret);
    expect((await slackRows(dave.key)).length).toBe(0);
  });
});
