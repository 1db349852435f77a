import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_COMPOSE, SCOPE_READONLY } from '../fakes/google-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { connectGmail, consent, gmailRows, newUser, startGmailEnv, type GmailEnv } from './env.ts';

describe.each(DIALECTS)('Connect Gmail (Google OAuth) on %s', (dialect) => {
  let h: GmailEnv;
  beforeAll(async () => {
    h = await startGmailEnv({ dialect });
  });
  afterAll(() => h?.close());

  it('is listed under data sources with OAuth, its scopes and tools', async () => {
    const r = await h.t.api('GET', '/v1/integrations/available');
    const gmail = r.body.integrations.find((i: any) => i.type === 'gmail');
    expect(gmail).toMatchObject({ category: 'data', auth_methods: ['oauth'], inbound: false, multi_row: true, scopes: [SCOPE_READONLY, SCOPE_COMPOSE] });
    expect(gmail.tools).toEqual(['gmail_search', 'gmail_read', 'gmail_draft', 'gmail_send', 'gmail_labels']);
  });

  it('answers an install URL with a PKCE S256 challenge, offline access, consent and a state bound to the caller', async () => {
    expect((await fetch(`${h.t.url}/v1/integrations/gmail/install`)).status).toBe(401);
    const ann = await newUser(h.t);
    const r = await h.t.api('GET', '/v1/integrations/gmail/install', undefined, ann.key);
    expect(r.status).toBe(200);
    const url = new URL(r.body.url);
    expect(url.origin + url.pathname).toBe(`${h.google.url}/o/oauth2/v2/auth`);
    const q = Object.fromEntries(url.searchParams);
    expect(q).toMatchObject({ client_id: h.google.clientId, response_type: 'code', access_type: 'offline', prompt: 'consent', code_challenge_method: 'S256', scope: `${SCOPE_READONLY} ${SCOPE_COMPOSE}` });
    expect(q.redirect_uri).toMatch(/\/api\/google\/callback$/);
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state.length).toBeGreaterThanOrEqual(32);
    const again = new URL((await h.t.api('GET', '/v1/integrations/gmail/install', undefined, ann.key)).body.url);
    expect(again.searchParams.get('state')).not.toBe(q.state);
    expect(again.searchParams.get('code_challenge')).not.toBe(q.code_challenge);
  });

  it('stores one row per Google account with its tokens encrypted, after checking the PKCE verifier', async () => {
    const bo = await newUser(h.t);
    h.google.approveAs = { email: 'bo@example.com', scopes: undefined };
    const page = await connectGmail(h, bo.key);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Gmail is connected');
    expect(page.html).toContain('bo@example.com');
    const exchange = h.google.callsTo('/token').at(-1)!;
    expect(exchange.body.grant_type).toBe('authorization_code');
    expect(createHash('sha256').update(exchange.body.code_verifier).digest('base64url')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await gmailRows(h.t, bo.key);
    expect(row).toMatchObject({ name: 'bo@example.com', external_id: 'bo@example.com', status: 'active' });
    expect(row.config).toMatchObject({ email: 'bo@example.com', allow_send: false, scopes: [SCOPE_READONLY, SCOPE_COMPOSE] });
    const secrets = await h.t.hub.store.integrations.secrets<any>(row.id);
    expect(secrets.access_token).toMatch(/^ya29\./);
    expect(secrets.refresh_token).toMatch(/^1\/\/0g/);
    const stored = JSON.stringify(await h.t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute());
    expect(stored).not.toContain(secrets.access_token);
    expect(stored).not.toContain(secrets.refresh_token);
    expect(JSON.stringify(row)).not.toContain(secrets.refresh_token);

    // A second account is a second row; the same account again updates its row.
    h.google.approveAs = { email: 'bo.work@example.com', scopes: undefined };
    expect((await connectGmail(h, bo.key)).status).toBe(200);
    h.google.approveAs = { email: 'bo@example.com', scopes: undefined };
    expect((await connectGmail(h, bo.key)).status).toBe(200);
    const rows = await gmailRows(h.t, bo.key);
    expect(rows.map((r: any) => r.external_id).sort()).toEqual(['bo.work@example.com', 'bo@example.com']);
    expect((await h.t.hub.store.integrations.secrets<any>(row.id)).refresh_token).not.toBe(secrets.refresh_token);
  });

  it('answers a forged or reused state with a 400 page and stores nothing', async () => {
    const cy = await newUser(h.t);
    const first = await connectGmail(h, cy.key);
    expect(first.status).toBe(200);
    const before = await h.t.hub.db.kysely.selectFrom('user_integrations').select('id').execute();
    const reused = await fetch(first.callback);
    expect(reused.status).toBe(400);
    expect(await reused.text()).toContain('already used');
    const forged = new URL(first.callback);
    forged.searchParams.set('state', 'forged-state-forged-state-forged-state');
    const f = await fetch(forged);
    expect(f.status).toBe(400);
    expect(await f.text()).toContain('not valid');
    const none = new URL(first.callback);
    none.searchParams.delete('state');
    expect((await fetch(none)).status).toBe(400);
    const denied = await consent(h, (await h.t.api('GET', '/v1/integrations/gmail/install', undefined, cy.key)).body.url);
    denied.searchParams.delete('code');
    denied.searchParams.set('error', 'access_denied');
    expect((await fetch(denied)).status).toBe(400);
    expect((await h.t.hub.db.kysely.selectFrom('user_integrations').select('id').execute()).length).toBe(before.length);
  });

  it('refuses a consent without read access, revokes what Google gave, and stores nothing', async () => {
    const di = await newUser(h.t);
    h.google.approveAs = { email: 'di@example.com', scopes: [SCOPE_COMPOSE] };
    const page = await connectGmail(h, di.key);
    expect(page.status).toBe(400);
    expect(page.html).toContain('Read access to Gmail was not granted');
    expect(await gmailRows(h.t, di.key)).toEqual([]);
    expect(h.google.hasGrant('di@example.com')).toBe(false);
  });

  it('disconnecting revokes the refresh token at Google, then deletes the row', async () => {
    const ed = await newUser(h.t);
    h.google.approveAs = { email: 'ed@example.com', scopes: undefined };
    await connectGmail(h, ed.key);
    const [row] = await gmailRows(h.t, ed.key);
    const refresh = (await h.t.hub.store.integrations.secrets<any>(row.id)).refresh_token;
    expect(h.google.hasGrant('ed@example.com')).toBe(true);
    expect((await h.t.api('DELETE', `/v1/integrations/${row.id}`, undefined, ed.key)).status).toBe(204);
    expect(h.google.callsTo('/revoke').at(-1)!.query.token).toBe(refresh);
    expect(h.google.hasGrant('ed@example.com')).toBe(false);
    expect(await gmailRows(h.t, ed.key)).toEqual([]);
  });

  it('refuses a token POST, notifications, and unknown settings with clear errors', async () => {
    const fi = await newUser(h.t);
    const post = await h.t.api('POST', '/v1/integrations', { type: 'gmail' }, fi.key);
    expect(post.status).toBe(400);
    expect(post.body.error.code).toBe('use_oauth');
    h.google.approveAs = { email: 'fi@example.com', scopes: undefined };
    await connectGmail(h, fi.key);
    const [row] = await gmailRows(h.t, fi.key);
    const bad = await h.t.api('PATCH', `/v1/integrations/${row.id}`, { allow_send: 'yes' }, fi.key);
    expect(bad.status).toBe(400);
    expect((await h.t.api('PATCH', `/v1/integrations/${row.id}`, { signature: 'x' }, fi.key)).status).toBe(400);
    const ok = await h.t.api('PATCH', `/v1/integrations/${row.id}`, { allow_send: true }, fi.key);
    expect(ok.body.integration.config.allow_send).toBe(true);
  });
});

describe('Connect Gmail without a Google client', () => {
  it('answers 503 gmail_not_configured for the install URL and a 503 page for the callback', async () => {
    const h = await startGmailEnv({ configured: false });
    try {
      const u = await newUser(h.t);
      const r = await h.t.api('GET', '/v1/integrations/gmail/install', undefined, u.key);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('gmail_not_configured');
      expect((await fetch(`${h.t.url}/api/google/callback?state=x&code=y`)).status).toBe(503);
    } finally {
      await h.close();
    }
  });
});
