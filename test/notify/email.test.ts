import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEmail, defaultSubject } from '../../adapters/email/index.ts';
import { startFakeResend, type FakeResend } from '../fakes/resend-api.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';

describe('email rendering', () => {
  it('renders Markdown to HTML with raw HTML escaped and unsafe links dropped', () => {
    const { html, text } = renderEmail('# Hi <script>alert(1)</script>\n\n**ok** [x](javascript:alert(1)) [docs](https://example.com)');
    expect(html).toContain('<h1>Hi &lt;script&gt;alert(1)&lt;/script&gt;</h1>');
    expect(html).toContain('<strong>ok</strong>');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('<a href="https://example.com">docs</a>');
    expect(text).toContain('**ok**');
  });

  it('derives a subject from the first line', () => {
    expect(defaultSubject('## Deploy **done**\nmore')).toBe('Deploy done');
    expect(defaultSubject('   ')).toBe('Notification from Switchboard');
    expect(defaultSubject('x'.repeat(200)).length).toBeLessThanOrEqual(78);
  });
});

describe('email channel (Resend)', () => {
  let t: TestHub;
  let resend: FakeResend;
  let key: string;
  let token: string;
  let profileId: string;
  let integrationId: string;

  beforeAll(async () => {
    resend = await startFakeResend(['re_test_good']);
    t = await startTestHub({ env: { RESEND_BASE_URL: resend.url } });
    key = (await t.api('POST', '/v1/users', { email: 'mail@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'mailer' }, key);
    token = p.body.token;
    profileId = p.body.profile.id;
  });
  afterAll(async () => {
    await t.close();
    await resend.close();
  });

  const delivery = async (id: string) => (await t.api('GET', `/v1/notifications/${id}`, undefined, token)).body.notification.deliveries[0];

  it('refuses a bad API key with 422 and stores nothing', async () => {
    const res = await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_wrong_key', from: 'hub@example.com' }, key);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('invalid_api_key');
    expect(JSON.stringify(res.body)).not.toContain('re_wrong_key');
    expect((await t.api('GET', '/v1/integrations', undefined, key)).body.integrations).toEqual([]);
    const noFrom = await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_test_good', from: 'nope' }, key);
    expect(noFrom.status).toBe(400);
  });

  it('connects with a valid key, stores it encrypted, and defaults `to` to the user', async () => {
    const res = await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_test_good', from: 'Hub <hub@example.com>' }, key);
    expect(res.status).toBe(201);
    integrationId = res.body.integration.id;
    expect(res.body.integration.config).toEqual({ from: 'Hub <hub@example.com>', to: ['mail@example.com'] });
    expect(JSON.stringify(res.body)).not.toContain('re_test_good');
    const raw = await t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute();
    expect(JSON.stringify(raw)).not.toContain('re_test_good');
    await t.api('PUT', `/v1/profiles/${profileId}/grants/${integrationId}`, undefined, key);
  });

  it('accepts a sending-only (restricted) key', async () => {
    resend.keys.add('re_restricted');
    const other = (await t.api('POST', '/v1/users', { email: 'mail2@example.com' })).body.api_key;
    const res = await t.api('POST', '/v1/integrations', { type: 'email', api_key: 're_restricted', from: 'hub@example.com', to: 'ops@example.com' }, other);
    expect(res.status).toBe(201);
    expect(res.body.integration.config.to).toEqual(['ops@example.com']);
  });

  it('sends HTML and text with the delivery idempotency key as Idempotency-Key', async () => {
    const res = await t.api('POST', '/v1/notify', { channel: 'email', message: 'Disk **full** <img src=x onerror=alert(1)>', subject: 'Alert' }, token);
    expect(res.status).toBe(202);
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent');
    const mail = resend.emails.at(-1)!;
    expect(mail.body.subject).toBe('Alert');
    expect(mail.body.to).toEqual(['mail@example.com']);
    expect(mail.body.from).toBe('Hub <hub@example.com>');
    expect(mail.body.html).toContain('<strong>full</strong>');
    expect(mail.body.html).not.toContain('<img');
    expect(mail.body.text).toContain('Disk **full**');
    const row = await t.hub.store.outbox.byNotification(res.body.notification.id);
    expect(mail.idempotencyKey).toBe(row[0].idempotency_key);
  });

  it('retries a 429 after retry-after with the same Idempotency-Key, and sends once', async () => {
    const before = resend.emails.length;
    const keysBefore = resend.idempotencyKeys.length;
    resend.failNext({ retryAfterSeconds: 1 });
    const started = Date.now();
    const res = await t.api('POST', '/v1/notify', { channel: 'email', message: 'second try' }, token);
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent', 10_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    const seen = resend.idempotencyKeys.slice(keysBefore);
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(seen[1]);
    expect(resend.emails.length).toBe(before + 1);
    expect(resend.emails.at(-1)!.body.subject).toBe('second try');
    expect((await delivery(res.body.notification.id)).attempts).toBe(2);
  });

  it('retries 5xx and network errors', async () => {
    resend.failNext('server_error');
    resend.failNext('unreachable');
    const res = await t.api('POST', '/v1/notify', { channel: 'email', message: 'flaky' }, token);
    await eventually(async () => (await delivery(res.body.notification.id)).status === 'sent', 10_000);
    expect((await delivery(res.body.notification.id)).attempts).toBe(3);
  });

  it('fails a validation error for good, and a revoked key marks the integration unhealthy', async () => {
    resend.failNext('refused');
    const bad = await t.api('POST', '/v1/notify', { channel: 'email', message: 'bad to' }, token);
    await eventually(async () => (await delivery(bad.body.notification.id)).status === 'failed');
    expect((await delivery(bad.body.notification.id)).last_error).toContain('validation_error');
    resend.failNext('bad_key');
    const revoked = await t.api('POST', '/v1/notify', { channel: 'email', message: 'key gone' }, token);
    await eventually(async () => (await delivery(revoked.body.notification.id)).status === 'failed');
    const integ = await t.api('GET', `/v1/integrations/${integrationId}`, undefined, key);
    expect(integ.body.integration.status).toBe('unhealthy');
    expect(JSON.stringify(integ.body)).not.toContain('re_test_good');
  });
});
