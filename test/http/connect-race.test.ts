import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeResend, type FakeResend } from '../fakes/resend-api.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { installViaOAuth, newUser as newSlackUser, startSlackHub, type SlackHub } from '../slack/helpers.ts';
import { newBot } from '../telegram/env.ts';

/** Concurrent connects and updates of integrations: the database, not luck, keeps them consistent. */
describe.each(DIALECTS)('concurrent connect and update on %s', (dialect) => {
  let t: TestHub;
  let resend: FakeResend;
  let fake: FakeTelegram;

  beforeAll(async () => {
    resend = await startFakeResend(['re_test_good']);
    fake = await new FakeTelegram().start();
    t = await startTestHub({ dialect, env: { RESEND_BASE_URL: resend.url, TELEGRAM_API_ROOT: fake.url, PUBLIC_URL: 'http://127.0.0.1:9' } });
  });
  afterAll(async () => {
    await t.close();
    await resend.close();
    await fake.close();
  });

  const newUser = async (email: string) => (await t.api('POST', '/v1/users', { email })).body.api_key as string;
  const rows = (userKey: string) => t.api('GET', '/v1/integrations', undefined, userKey).then((r) => r.body.integrations as any[]);

  it('8 concurrent email connects: exactly one 201, the others 409 integration_exists, one row, one default', async () => {
    const key = await newUser(`race-email-${dialect}@example.com`);
    const body = { type: 'email', api_key: 're_test_good', from: 'Hub <hub@example.com>' };
    const answers = await Promise.all(Array.from({ length: 8 }, () => t.api('POST', '/v1/integrations', body, key)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('integration_exists');
    const listed = await rows(key);
    expect(listed).toHaveLength(1);
    expect(listed[0].is_default).toBe(true);
    expect(listed[0].id).toBe(answers.find((a) => a.status === 201)!.body.integration.id);
  });

  it('concurrent connects of several Telegram bots: every bot connected, exactly one of them default', async () => {
    const key = await newUser(`race-tg-${dialect}@example.com`);
    const bots = Array.from({ length: 5 }, () => newBot(fake));
    const answers = await Promise.all(bots.map((b) => t.api('POST', '/v1/integrations', { type: 'telegram', token: b.token }, key)));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201]);
    const listed = await rows(key);
    expect(listed).toHaveLength(5);
    expect(listed.filter((i) => i.is_default)).toHaveLength(1);
  });

  it('concurrent PATCHes making different bots default leave exactly one default, and no 5xx', async () => {
    const key = await newUser(`race-default-${dialect}@example.com`);
    for (const b of Array.from({ length: 4 }, () => newBot(fake))) {
      expect((await t.api('POST', '/v1/integrations', { type: 'telegram', token: b.token }, key)).status).toBe(201);
    }
    const ids = (await rows(key)).map((i) => i.id as string);
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all(ids.map((id) => t.api('PATCH', `/v1/integrations/${id}`, { is_default: true }, key)));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect((await rows(key)).filter((i) => i.is_default)).toHaveLength(1);
    }
  });

  it('concurrent PATCHes of different settings of one bot all land', async () => {
    const key = await newUser(`race-patch-${dialect}@example.com`);
    const c = await t.api('POST', '/v1/integrations', { type: 'telegram', token: newBot(fake).token }, key);
    const id = c.body.integration.id as string;
    const answers = await Promise.all([
      t.api('PATCH', `/v1/integrations/${id}`, { dm_policy: 'open' }, key),
      t.api('PATCH', `/v1/integrations/${id}`, { allow_from: [4242] }, key),
      t.api('PATCH', `/v1/integrations/${id}`, { name: 'Renamed bot' }, key),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const got = (await t.api('GET', `/v1/integrations/${id}`, undefined, key)).body.integration;
    expect(got.name).toBe('Renamed bot');
    expect(got.config.dm_policy).toBe('open');
    expect(got.config.allow_from).toEqual([4242]);
  });
});

describe.each(DIALECTS)('concurrent Slack installs on %s', (dialect) => {
  let h: SlackHub;
  beforeAll(async () => {
    h = await startSlackHub({ dialect });
  });
  afterAll(() => h.close());

  it('4 concurrent "Add to Slack" returns for one user leave one row, one default, and no 5xx page', async () => {
    const carol = await newSlackUser(h.t, `carol-${dialect}@example.com`);
    h.fake.approveAs = { teamId: 'T0CAROL', teamName: 'Carol Corp', userId: 'U0CAROL', botUserId: 'U0BOTC' };
    const pages = await Promise.all(Array.from({ length: 4 }, () => installViaOAuth(h, carol.key)));
    for (const p of pages) expect([200, 409]).toContain(p.status);
    expect(pages.some((p) => p.status === 200)).toBe(true);
    const rows = (await h.t.api('GET', '/v1/integrations', undefined, carol.key)).body.integrations.filter((i: any) => i.type === 'slack');
    expect(rows).toHaveLength(1);
    expect(rows[0].is_default).toBe(true);
  });
});
