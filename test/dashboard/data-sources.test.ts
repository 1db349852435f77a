import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationsCsp } from '../../src/dashboard/data-sources.ts';
import { DASHBOARD_CSP } from '../../src/dashboard/security.ts';
import { FAKE_CONNECT_JS, rowsOf, startDataSourcesEnv, type DataSourcesEnv } from './data-sources-env.ts';
import { signIn, type DashboardSession } from './session.ts';

describe('dashboard Data sources over HTTP (Teller Connect, Connect Gmail)', () => {
  let env: DataSourcesEnv;
  let s: DashboardSession;
  const callback = (token: string) => ({ access_token: token, enrollment: { id: env.chase.id, institution: { name: 'Chase' } }, user: { id: 'usr_dash_1' } });

  beforeAll(async () => {
    env = await startDataSourcesEnv();
    s = await signIn(env.t, env.key);
  });
  afterAll(async () => env?.close());

  it('the Integrations page has the Data sources section and allows Teller Connect\'s script origin only', async () => {
    const res = await fetch(`${env.t.url}/ui/integrations`, { headers: { cookie: s.cookie } });
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self' https://cdn.teller.test;");
    expect(csp).toContain('frame-src https://cdn.teller.test');
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    const body = await res.text();
    expect(body).toContain('<h2 id="h-data">Data sources</h2>');
    expect(body).toMatch(/<button type="button" id="connect-teller">Connect Teller<\/button>/);
    expect(body).toMatch(/<button type="button" id="connect-gmail">Connect Gmail<\/button>/);
    // Other pages keep the strict policy.
    const other = await fetch(`${env.t.url}/ui/profiles`, { headers: { cookie: s.cookie } });
    expect(other.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
    // Teller's own CDN: its script origin, and teller.io for the Connect frame.
    expect(integrationsCsp('https://cdn.teller.io')).toContain("script-src 'self' https://cdn.teller.io;");
    expect(integrationsCsp('https://cdn.teller.io')).toContain('frame-src https://cdn.teller.io https://teller.io https://*.teller.io');
    expect(integrationsCsp(undefined)).toBe(DASHBOARD_CSP);
  });

  it('the dashboard session gets the Connect settings; /teller/connect redirects to Data sources', async () => {
    const info = await s.api('GET', '/v1/integrations/teller/connect');
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ application_id: 'app_dash_123', environment: 'sandbox', connect_js: FAKE_CONNECT_JS, callback: '/v1/integrations/teller/callback' });
    expect(info.body.page).toMatch(/\/ui\/integrations#data-sources$/);
    const old = await fetch(`${env.t.url}/teller/connect`, { redirect: 'manual' });
    expect(old.status).toBe(302);
    expect(old.headers.get('location')).toBe('/ui/integrations#data-sources');
    const gmail = await s.api('GET', '/v1/integrations/gmail/install');
    expect(new URL(gmail.body.url).origin).toBe(env.google.url);
  });

  it('a token Teller refuses is a 422 through the dashboard session too, and nothing is stored', async () => {
    const refused = await s.api('POST', '/v1/integrations/teller/callback', callback(env.refusedToken));
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('teller_token_refused');
    expect(JSON.stringify(refused.body)).not.toContain(env.refusedToken);
    // Without the CSRF token the session may not post at all.
    const forged = await s.api('POST', '/v1/integrations/teller/callback', callback(env.chase.token), null);
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe('csrf_failed');
    expect(await rowsOf(env, 'teller')).toEqual([]);
  });

  it('an accepted enrollment posted by the dashboard session becomes a row; the token is never answered', async () => {
    const ok = await s.api('POST', '/v1/integrations/teller/callback', callback(env.chase.token));
    expect(ok.status).toBe(201);
    expect(ok.body.integration).toMatchObject({ type: 'teller', name: 'Chase', status: 'active', external_id: env.chase.id });
    const rows = await rowsOf(env, 'teller');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(ok.body) + JSON.stringify(rows)).not.toContain(env.chase.token);
  });
});
