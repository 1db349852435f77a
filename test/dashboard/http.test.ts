import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/crypto/tokens.ts';
import { DASHBOARD_CSP } from '../../src/dashboard/security.ts';
import { FREE_FAILURES } from '../../src/dashboard/throttle.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { postSignIn, signIn } from './session.ts';

describe('dashboard over HTTP', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => t?.close());

  it('GET / leads to the Integrations page, and a page without a session to sign-in', async () => {
    const root = await fetch(`${t.url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/integrations');
    const page = await fetch(`${t.url}/ui/triggers`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/sign-in?next=%2Fui%2Ftriggers');
    const form = await fetch(`${t.url}/ui/sign-in`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<label for="api_key">API key</label>');
  });

  it('signing in sets an httpOnly, SameSite=Strict session cookie with an expiry; only its hash is stored', async () => {
    const res = await postSignIn(t, t.adminKey);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/activity');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sb_session=sbs_\w+;/);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const token = cookie.split(';')[0].split('=')[1];
    expect(await t.hub.store.sessions.find(token)).toBeDefined();
    const rows = await (t.hub.store.sessions as any).db.selectFrom('dashboard_sessions').selectAll().execute();
    expect(rows.some((r: any) => r.token_hash === hashToken(token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('pages carry the strict CSP, the CSRF token in a meta tag, and no inline script', async () => {
    const s = await signIn(t);
    for (const page of ['integrations', 'profiles', 'triggers', 'activity', 'chat', 'users']) {
      const res = await fetch(`${t.url}/ui/${page}`, { headers: { cookie: s.cookie } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-security-policy')).toBe(DASHBOARD_CSP);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      const body = await res.text();
      expect(body).toContain(`<meta name="csrf-token" content="${s.csrf}">`);
      expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(body).not.toMatch(/ on[a-z]+=/);
      expect(body).not.toContain(t.adminKey);
    }
    expect(DASHBOARD_CSP).toContain("default-src 'self'");
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).toContain("img-src 'self' data:");
    const asset = await fetch(`${t.url}/ui/assets/api.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  it('the API with a session cookie but no or a wrong X-CSRF-Token is 403 and changes nothing', async () => {
    const s = await signIn(t);
    const none = await s.api('POST', '/v1/profiles', { name: 'csrf-none' }, null);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('csrf_failed');
    const wrong = await s.api('POST', '/v1/profiles', { name: 'csrf-wrong' }, 'x'.repeat(43));
    expect(wrong.status).toBe(403);
    const list = await t.api('GET', '/v1/profiles');
    expect(list.body.profiles.map((p: any) => p.name)).not.toContain('csrf-none');
    expect(list.body.profiles.map((p: any) => p.name)).not.toContain('csrf-wrong');
    const ok = await s.api('POST', '/v1/profiles', { name: 'csrf-ok' });
    expect(ok.status).toBe(201);
    // A cross-site sign-in form post is refused too.
    const cross = await postSignIn(t, t.adminKey, { origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    expect(cross.headers.get('set-cookie')).toBeNull();
  });

  it('an expired session goes back to sign-in and is 401 session_expired on the API', async () => {
    const found = await t.hub.store.users.apiKeys.find(t.adminKey);
    const { token } = await t.hub.store.sessions.open(found!.user.id, found!.key.id, 60_000, Date.now() - 120_000);
    const page = await fetch(`${t.url}/ui/profiles`, { headers: { cookie: `sb_session=${token}` }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/ui/sign-in?next=%2Fui%2Fprofiles&expired=1');
    const api = await fetch(`${t.url}/v1/profiles`, { headers: { cookie: `sb_session=${token}`, 'x-csrf-token': 'whatever' } });
    expect(api.status).toBe(401);
    expect((await api.json()).error.code).toBe('session_expired');
    const signInPage = await (await fetch(`${t.url}/ui/sign-in?expired=1&next=/ui/profiles`)).text();
    expect(signInPage).toContain('Your session has expired');
    expect(signInPage).toContain('value="/ui/profiles"');
  });

  it('signing out needs the CSRF token, deletes the session and clears the cookie', async () => {
    const s = await signIn(t);
    const post = (csrf: string) =>
      fetch(`${t.url}/ui/sign-out`, { method: 'POST', redirect: 'manual', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ csrf }) });
    expect((await post('wrong')).status).toBe(403);
    expect((await s.api('GET', '/v1/me')).status).toBe(200);
    const out = await post(s.csrf);
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/sb_session=;/);
    expect((await s.api('GET', '/v1/me')).status).toBe(401);
  });

  it('the Users page is for admins; GET /v1/users lists users with their integrations count', async () => {
    const created = await t.api('POST', '/v1/users', { email: 'plain@example.com' });
    const plain = await signIn(t, created.body.api_key);
    const page = await fetch(`${t.url}/ui/users`, { headers: { cookie: plain.cookie } });
    expect(page.status).toBe(403);
    expect((await plain.api('GET', '/v1/users')).status).toBe(403);
    const list = await t.api('GET', '/v1/users');
    const row = list.body.users.find((u: any) => u.email === 'plain@example.com');
    expect(row).toMatchObject({ integrations: 0, is_admin: false });
    expect(JSON.stringify(list.body)).not.toContain(created.body.api_key);
  });

  it('QR codes are drawn for t.me links only', async () => {
    const s = await signIn(t);
    const ok = await fetch(`${t.url}/ui/qr.svg?text=${encodeURIComponent('https://t.me/some_bot')}`, { headers: { cookie: s.cookie } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await ok.text()).toContain('<svg');
    const bad = await fetch(`${t.url}/ui/qr.svg?text=${encodeURIComponent('javascript:alert(1)')}`, { headers: { cookie: s.cookie } });
    expect(bad.status).toBe(400);
  });
});

describe('dashboard sign-in', () => {
  it('a wrong key gets a message and no session; after repeated failures even the right key must wait', async () => {
    const t = await startTestHub();
    try {
      const wrong = await postSignIn(t, 'sb_wrong_key');
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('set-cookie')).toBeNull();
      expect(await wrong.text()).toContain('That API key is not valid.');
      for (let i = 1; i < FREE_FAILURES; i++) expect((await postSignIn(t, `sb_wrong_${i}`)).status).toBe(401);
      const blocked = await postSignIn(t, t.adminKey);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(blocked.headers.get('set-cookie')).toBeNull();
      expect(await blocked.text()).toContain('Too many failed sign-ins');
    } finally {
      await t.close();
    }
  });

  it('Secure is set on the cookie when PUBLIC_URL is https', async () => {
    const t = await startTestHub({ env: { PUBLIC_URL: 'https://hub.example.com' } });
    try {
      const res = await postSignIn(t, t.adminKey);
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await t.close();
    }
  });
});
