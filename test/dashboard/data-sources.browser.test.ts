import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launch } from './browser.ts';
import { FAKE_CONNECT_JS, rowsOf, startDataSourcesEnv, type DataSourcesEnv } from './data-sources-env.ts';

const missing = chromiumMissing();

/**
 * A stand-in for Teller Connect's connect.js: `TellerConnect.setup(options).open()` calls
 * `onSuccess` with an enrollment shaped as Teller's (accessToken, user, enrollment, signatures) and
 * records what setup was given.
 */
const fakeConnectJs = (e: { token: string; id: string; bank: string }) => `
window.TellerConnect = {
  setup(options) {
    window.__tellerSetup = { applicationId: options.applicationId, environment: options.environment };
    return {
      open() {
        setTimeout(() => options.onSuccess({
          accessToken: ${JSON.stringify(e.token)},
          user: { id: 'usr_browser_1' },
          enrollment: { id: ${JSON.stringify(e.id)}, institution: { name: ${JSON.stringify(e.bank)} } },
          signatures: ['c2lnbmF0dXJlLW9uZQ=='],
        }), 10);
      },
    };
  },
};`;

describe('dashboard Data sources in Chromium', () => {
  let env: DataSourcesEnv;
  let browser: Browser | undefined;
  beforeAll(async () => {
    env = await startDataSourcesEnv();
    if (!missing) browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${env.t.url}/`);
    await page.getByLabel('API key').fill(env.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/ui/integrations');
  }

  it('Connect Teller opens Teller Connect and its enrollment becomes a healthy row; Connect Gmail goes to Google', { timeout: 60_000 }, async (ctx) => {
    if (!browser) return ctx.skip(missing);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const errors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    let scriptLoads = 0;
    await page.route(FAKE_CONNECT_JS, (route) => {
      scriptLoads++;
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeConnectJs({ token: env.chase.token, id: env.chase.id, bank: 'Chase' }) });
    });
    await signIn(page);
    const list = page.locator('#list-data');
    await expect.poll(() => list.textContent()).toContain('None connected yet.');

    await page.getByRole('button', { name: 'Connect Teller' }).click();
    const row = list.locator('li[data-type="teller"]');
    await row.waitFor();
    expect(await row.locator('.name').textContent()).toBe('Chase');
    expect(await row.locator('.icon').textContent()).toBe('🟢');
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Chase connected (1 account)');
    expect(await page.evaluate(() => (window as any).__tellerSetup)).toEqual({ applicationId: 'app_dash_123', environment: 'sandbox' });
    expect(scriptLoads).toBe(1);
    // The token went to the hub, never into the page; REST shows the row without it.
    expect(await page.content()).not.toContain(env.chase.token);
    const rows = await rowsOf(env, 'teller');
    expect(rows).toEqual([expect.objectContaining({ name: 'Chase', status: 'active', external_id: env.chase.id })]);
    expect(JSON.stringify(rows)).not.toContain(env.chase.token);
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);

    // Connect Gmail leaves for Google's consent page with the hub's client and PKCE.
    await page.route(`${env.google.url}/o/oauth2/v2/auth**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Google consent</title>' }));
    await page.getByRole('button', { name: 'Connect Gmail' }).click();
    await page.waitForURL(`${env.google.url}/o/oauth2/v2/auth**`);
    const consent = new URL(page.url());
    expect(consent.searchParams.get('client_id')).toBe(env.google.clientId);
    expect(consent.searchParams.get('code_challenge_method')).toBe('S256');
    await context.close();
  });

  it('a script origin the page does not allow is blocked by its CSP', { timeout: 60_000 }, async (ctx) => {
    if (!browser) return ctx.skip(missing);
    const page = await browser.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => void (/Content Security Policy/i.test(m.text()) && blocked.push(m.text())));
    await signIn(page);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.src = 'https://evil.example/connect.js';
      document.head.append(s);
    });
    await expect.poll(() => blocked.length).toBeGreaterThan(0);
    await page.close();
  });
});
