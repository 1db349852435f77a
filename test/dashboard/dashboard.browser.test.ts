import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { newBot, startTgEnv, type TgEnv } from '../telegram/env.ts';
import { chromiumMissing, expectAccessible, expectNoHorizontalOverflow, launch } from './browser.ts';

/** Set DASHBOARD_SCREENSHOTS=1 to write docs/screenshots/*.png. */
const SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS ? new URL('../../docs/screenshots/', import.meta.url) : undefined;
const PAGES = ['integrations', 'profiles', 'triggers', 'activity', 'chat', 'users'];
const missing = chromiumMissing();
if (missing) console.warn(`\n##### ${missing} #####\n`);

describe('dashboard in Chromium', () => {
  let env: TgEnv;
  let rx: WebhookReceiver;
  let browser: Browser | undefined;
  beforeAll(async () => {
    rx = await startWebhookReceiver();
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { retryScheduleScale: 0.00001, sendTimeoutMs: 1000 } });
    if (!missing) browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await env?.close();
    await rx?.close();
  });

  async function signIn(page: Page): Promise<void> {
    await page.goto(`${env.t.url}/`);
    await page.getByLabel('API key').fill(env.t.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/ui/integrations');
  }

  it('signs in, connects a webhook and a Telegram bot, grants, notifies, pauses a trigger, chats, signs out', { timeout: 120_000 }, async (ctx) => {
    if (!browser) return ctx.skip(missing);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const cspErrors: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && cspErrors.push(m.text())));
    await signIn(page);

    // A form error: the field is marked with the API's message. Then a webhook: its whsec_ secret
    // is shown once, and it is 🟢 in the Notifications list.
    await page.getByText('Webhook', { exact: true }).click();
    await page.getByLabel('Webhook URL').fill('http://169.254.169.254/latest');
    await page.getByRole('button', { name: 'Connect webhook' }).click();
    await expect.poll(() => page.getByLabel('Webhook URL').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#wh-url-error').textContent()).toMatch(/^Webhook URL refused/);
    await page.getByLabel('Webhook URL').fill(rx.url);
    await page.getByRole('button', { name: 'Connect webhook' }).click();
    await expect.poll(() => page.locator('#shown').getByLabel('Signing secret', { exact: true }).inputValue()).toMatch(/^whsec_/);
    const hookItem = page.locator('#list-notification li[data-type="webhook"]');
    await hookItem.waitFor();
    expect(await hookItem.locator('.icon').textContent()).toBe('🟢');

    // A Telegram bot against the fake Bot API: its /link code, t.me link and QR code.
    const bot = newBot(env.fake);
    await page.getByText('Telegram bot', { exact: true }).click();
    await page.getByLabel('Bot token').fill(bot.token);
    await page.getByRole('button', { name: 'Connect bot' }).click();
    const code = page.locator('#shown .link-code');
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^\/link [A-Z2-9]{10}$/);
    expect(await page.locator('#shown a').first().getAttribute('href')).toBe(`https://t.me/${bot.username}`);
    const qr = page.locator('#shown img.qr');
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    await page.locator(`#list-chat li[data-type="telegram"]`).waitFor();
    const botId = await page.locator('#list-chat li[data-type="telegram"]').getAttribute('data-integration');
    const hookId = await hookItem.getAttribute('data-integration');

    // Grants as toggles on the default profile.
    await page.getByRole('link', { name: 'Profiles' }).click();
    const profile = page.locator('li[data-profile="default"]');
    await profile.getByRole('switch', { name: `@${bot.username} (telegram)` }).check();
    await expect.poll(() => page.locator('#notice').textContent()).toContain('Granted');
    await profile.getByRole('switch', { name: /webhook/ }).check();
    await expect.poll(async () => (await env.t.api('GET', '/v1/profiles/default')).body.profile.grants.sort()).toEqual([botId, hookId].sort());

    // A test notification turns "sent" in Activity without a reload.
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.evaluate(() => ((window as any).sameDocument = true));
    rx.answerNext('hang');
    await page.getByLabel('Channel (optional)').fill('webhook');
    await page.getByLabel('Message').fill('Hello from the dashboard');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('#log li[data-delivery]').first().waitFor();
    await page.locator('#log li[data-status="sent"]').first().waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as any).sameDocument)).toBe(true);
    expect(rx.received.some((r) => r.body.includes('Hello from the dashboard'))).toBe(true);

    // A trigger: create, pause with a reason, resume.
    await page.getByRole('link', { name: 'Triggers' }).click();
    await page.getByLabel('Event').selectOption('delivery.failed');
    await page.getByRole('button', { name: 'Create trigger' }).click();
    const trigger = page.locator('#triggers li[data-trigger]').first();
    await trigger.waitFor();
    await trigger.getByLabel('Reason (optional)').fill('maintenance window');
    await trigger.getByRole('button', { name: 'Pause' }).click();
    await page.locator('#triggers li[data-status="paused"]').waitFor();
    expect(await page.locator('#triggers li[data-status="paused"] .status-reason').textContent()).toBe('maintenance window');
    await page.locator('#triggers li[data-status="paused"]').getByRole('button', { name: 'Resume' }).click();
    await page.locator('#triggers li[data-status="active"]').waitFor();

    // Chat with the echo profile.
    await page.getByRole('link', { name: 'Chat' }).click();
    await page.getByLabel('Message').fill('ping');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.msg.agent').waitFor();
    expect(await page.locator('.msg.agent .said').textContent()).toBe('echo: ping');

    // Sign out: back to the sign-in page, and pages need signing in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/ui/sign-in?signed_out=1');
    await page.goto(`${env.t.url}/ui/activity`);
    await page.waitForURL('**/ui/sign-in?next=*');
    // An expired session: the next live refresh goes back to sign-in, keeping the page to return to.
    await signIn(page);
    await page.getByRole('link', { name: 'Activity' }).click();
    await page.locator('#log li').first().waitFor();
    await env.t.hub.store.sessions.purgeExpired(Date.now() + 24 * 3600_000);
    await page.waitForURL('**/ui/sign-in?expired=1&next=%2Fui%2Factivity');
    expect(await page.getByRole('status').textContent()).toContain('Your session has expired');
    expect(cspErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await context.close();
  });

  it('every page passes axe-core (no serious or critical violations) and fits 375 px', { timeout: 120_000 }, async (ctx) => {
    if (!browser) return ctx.skip(missing);
    // Only here: the CSP would refuse the injected axe script.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 375, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${env.t.url}/ui/sign-in`);
    await expectAccessible(page, 'sign-in');
    await expectNoHorizontalOverflow(page, 'sign-in');
    await signIn(page);
    for (const name of PAGES) {
      await page.goto(`${env.t.url}/ui/${name}`);
      await page.waitForFunction(() => !document.querySelector('.empty')?.textContent?.includes('Loading'));
      await expectAccessible(page, name);
      await expectNoHorizontalOverflow(page, name);
    }
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.setViewportSize({ width: 1200, height: 900 });
      for (const name of PAGES) {
        await page.goto(`${env.t.url}/ui/${name}`);
        await page.waitForFunction(() => !document.querySelector('.empty')?.textContent?.includes('Loading'));
        await page.screenshot({ path: new URL(`${name}.png`, SCREENSHOTS).pathname, fullPage: true });
      }
      await page.setViewportSize({ width: 375, height: 800 });
      await page.goto(`${env.t.url}/ui/integrations`);
      await page.waitForFunction(() => !document.querySelector('.empty')?.textContent?.includes('Loading'));
      await page.screenshot({ path: new URL('integrations-375.png', SCREENSHOTS).pathname, fullPage: true });
    }
    await context.close();
  });
});
