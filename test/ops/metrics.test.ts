import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DepthGauges, type DepthCounts } from '../../src/metrics/index.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { claim, connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';
import { parseProm, type Scrape } from './prom-text.ts';

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string; m: Scrape }> {
  const res = await fetch(`${url}/metrics`, { headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, m: res.status === 200 ? parseProm(text) : parseProm('') };
}

describe('GET /metrics after real traffic', () => {
  let env: TgEnv;
  let t: TestHub;
  let rx: WebhookReceiver;

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { retryScheduleScale: 0.0001 } });
    t = env.t;
  });
  afterAll(async () => {
    await env?.close();
    await rx?.close();
  });

  it('counts deliveries, turns, webhook requests, pacing waits and lease takeovers, and reports depth by status', async () => {
    const user = await newUser(t, 'ops@example.com');
    const token = (await t.api('POST', '/v1/profiles', { name: 'notifier' }, user.key)).body.token as string;
    const profileId = (await t.api('GET', '/v1/profiles', undefined, user.key)).body.profiles.find((p: any) => p.name === 'notifier').id;

    // A console chat line through the whole bus.
    const chat = await t.api('POST', `/v1/profiles/${user.profileId}/chat`, { text: 'hello metrics' }, user.key);
    expect(chat.body.reply).toBe('echo: hello metrics');

    // Two notifies to a webhook; the first attempt of the second is answered 500, so it is retried once.
    const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url: rx.url }, user.key);
    expect((await t.api('PUT', `/v1/profiles/${profileId}/grants/${hook.body.integration.id}`, undefined, user.key)).status).toBe(200);
    expect((await t.api('POST', '/v1/notify', { channel: 'webhook', message: 'one' }, token)).status).toBe(202);
    await eventually(() => rx.received.length === 1);
    rx.answerNext({ status: 500 });
    expect((await t.api('POST', '/v1/notify', { channel: 'webhook', message: 'two' }, token)).status).toBe(202);
    await eventually(() => rx.received.length === 3);

    // Telegram: a bot linked by /link, then three messages in one chat. With the confirmation that
    // is four sends to one chat within a second: the fourth waits for its pacing slot.
    const bot = newBot(env.fake);
    const tg = await connectBot(env, user.key, bot, user.profileId);
    await claim(env, bot, tg.id, tg.secret, tg.code, 4242);
    for (const text of ['a', 'b', 'c']) expect((await postUpdate(env, tg.id, tg.secret, dm(4242, text))).status).toBe(200);
    expect((await postUpdate(env, tg.id, 'wrong-secret', dm(4242, 'x'))).status).toBe(401);
    await waitSent(env, bot.token, 4242, 4);

    // A row a crashed process left leased: the sweeper takes it back and the turn runs.
    const crashed = await t.hub.db.kysely
      .insertInto('inbox')
      .values({
        channel: 'console',
        source: user.profileId,
        external_event_id: randomUUID(),
        ordering_key: `console|${user.profileId}|crashed`,
        payload: JSON.stringify({ userId: user.id, profileId: user.profileId, thread: 'crashed', text: 'left behind', sentAt: Date.now() }),
        status: 'processing',
        attempts: 1,
        locked_until: Date.now() - 1,
        last_error: null,
        received_at: Date.now(),
        processed_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await eventually(async () => (await t.hub.store.inbox.byId(Number(crashed.id)))?.status === 'done', 10_000);
    await eventually(async () => (await t.hub.store.counts.all('outbox')).sent === 8);

    const s = await scrape(t.url);
    expect(s.status).toBe(200);
    expect(s.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const { m } = s;
    // Deliveries by channel and outcome: 2 console replies, 2 webhook sends (one after a retry), 4 Telegram sends.
    expect(m.value('switchboard_deliveries_total', { channel: 'console', outcome: 'sent' })).toBe(2);
    expect(m.value('switchboard_deliveries_total', { channel: 'webhook', outcome: 'sent' })).toBe(2);
    expect(m.value('switchboard_deliveries_total', { channel: 'webhook', outcome: 'retried' })).toBe(1);
    expect(m.value('switchboard_deliveries_total', { channel: 'telegram', outcome: 'sent' })).toBe(4);
    expect(m.types.get('switchboard_deliveries_total')).toBe('counter');
    // Agent turns: the two console lines and the three Telegram messages (/link is a command, not a turn).
    expect(m.value('switchboard_agent_turn_duration_seconds_count', { kind: 'echo', outcome: 'ok' })).toBe(5);
    expect(m.types.get('switchboard_agent_turn_duration_seconds')).toBe('histogram');
    // Webhook latency by channel and status: /link + 3 messages answered 200, the wrong secret 401.
    expect(m.value('switchboard_inbound_request_duration_seconds_count', { channel: 'telegram', status: '200' })).toBe(4);
    expect(m.value('switchboard_inbound_request_duration_seconds_count', { channel: 'telegram', status: '401' })).toBe(1);
    expect(m.value('switchboard_inbound_request_duration_seconds_bucket', { channel: 'telegram', status: '200', le: '+Inf' })).toBe(4);
    // The fourth send to chat 4242 waited for the chat's slot.
    expect(m.value('switchboard_pacing_wait_seconds_count', { channel: 'telegram' })).toBeGreaterThanOrEqual(1);
    expect(m.value('switchboard_pacing_wait_seconds_sum', { channel: 'telegram' })).toBeGreaterThan(0);
    expect(m.value('switchboard_lease_takeovers_total', { table: 'inbox' })).toBe(1);
    expect(m.value('switchboard_lease_takeovers_total', { table: 'outbox' })).toBe(0);
    // Depth by status, as the database holds it: every status that is work or failed for good, and
    // no finished one (their count would read the whole history).
    const inbox = await t.hub.store.counts.all('inbox');
    const outbox = await t.hub.store.counts.all('outbox');
    expect(inbox.done).toBeGreaterThanOrEqual(6);
    for (const status of ['pending', 'processing', 'failed']) expect(m.value('switchboard_inbox_rows', { status })).toBe(inbox[status] ?? 0);
    for (const status of ['pending', 'sending', 'failed', 'dead']) expect(m.value('switchboard_outbox_rows', { status })).toBe(outbox[status] ?? 0);
    for (const status of ['done', 'ignored']) expect(m.value('switchboard_inbox_rows', { status })).toBeUndefined();
    expect(m.value('switchboard_outbox_rows', { status: 'sent' })).toBeUndefined();
    expect(m.types.get('switchboard_inbox_rows')).toBe('gauge');
    // prom-client's default process metrics.
    expect(m.value('process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(m.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(m.types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    // Nothing secret in the text.
    expect(s.text).not.toContain(bot.token);
    expect(s.text).not.toContain(tg.secret);
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestHub;
  const METRICS_TOKEN = 'scrape-me-0123456789abcdef';
  beforeAll(async () => {
    t = await startTestHub({ env: { METRICS_TOKEN } });
  });
  afterAll(async () => t?.close());

  it('answers 401 without the bearer token or with a wrong one, and the metrics with it', async () => {
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: METRICS_TOKEN }];
    for (const headers of attempts) {
      const res = await fetch(`${t.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await res.json();
      expect(body.error.code).toBe('unauthorized');
      expect(JSON.stringify(body)).not.toContain(METRICS_TOKEN);
    }
    const ok = await scrape(t.url, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.m.value('switchboard_inbox_rows', { status: 'pending' })).toBe(0);
  });

  it('a short METRICS_TOKEN stops start-up with a clear message that does not repeat it', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.ts');
    expect(() => loadConfig({ METRICS_TOKEN: 'short-secret' })).toThrow(ConfigError);
    try {
      loadConfig({ METRICS_TOKEN: 'short-secret' });
    } catch (e) {
      expect((e as Error).message).toMatch(/METRICS_TOKEN: must be at least 16 characters/);
      expect((e as Error).message).not.toContain('short-secret');
    }
  });
});

describe('depth gauges', () => {
  const log = { debug() {}, info() {}, warn() {}, error() {} };

  it('answer a scrape storm and every scrape within 2 s from one reading per table, then read again', async () => {
    let reads = 0;
    let clock = 1_000_000;
    let counts: DepthCounts = { inbox: { pending: 3, failed: 10 }, outbox: { dead: 4 } };
    const depth = new DepthGauges({ log, now: () => clock, read: async () => (reads++, structuredClone(counts)) });
    const texts = await Promise.all(Array.from({ length: 50 }, () => depth.registry.metrics()));
    expect(reads).toBe(1);
    const m = parseProm(texts[49]);
    expect(m.value('switchboard_inbox_rows', { status: 'pending' })).toBe(3);
    expect(m.value('switchboard_inbox_rows', { status: 'processing' })).toBe(0);
    expect(m.value('switchboard_outbox_rows', { status: 'dead' })).toBe(4);
    expect(m.value('switchboard_outbox_rows', { status: 'pending' })).toBe(0);

    counts = { inbox: { failed: 13 }, outbox: { dead: 4 } };
    clock += 1999;
    expect(parseProm(await depth.registry.metrics()).value('switchboard_inbox_rows', { status: 'pending' })).toBe(3);
    expect(reads).toBe(1);
    clock += 1;
    const fresh = parseProm(await depth.registry.metrics());
    expect(reads).toBe(2);
    expect(fresh.value('switchboard_inbox_rows', { status: 'pending' })).toBe(0);
    expect(fresh.value('switchboard_inbox_rows', { status: 'failed' })).toBe(13);
  });

  it('leave the gauges out of a scrape when the database cannot be read, and warn', async () => {
    const warnings: string[] = [];
    const depth = new DepthGauges({ log: { ...log, warn: (_o: object, msg?: string) => void warnings.push(msg ?? '') }, read: () => Promise.reject(new Error('connection refused')) });
    const m = parseProm(await depth.registry.metrics());
    expect(m.samples.filter((s) => s.name === 'switchboard_inbox_rows')).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('could not read inbox/outbox depth')]);
  });
});

describe('GET /metrics on PostgreSQL', () => {
  let t: TestHub | undefined;
  afterAll(async () => t?.close());

  it('reports the depth the database holds (counts come back as numbers)', async (ctx) => {
    if (!process.env.TEST_DATABASE_URL) return ctx.skip('TEST_DATABASE_URL is not set: PostgreSQL metrics not tested');
    t = await startTestHub({ dialect: 'postgres' });
    const user = await newUser(t, 'pg-ops@example.com');
    expect((await t.api('POST', `/v1/profiles/${user.profileId}/chat`, { text: 'on pg' }, user.key)).body.reply).toBe('echo: on pg');
    await eventually(async () => (await t!.hub.store.counts.all('outbox')).sent === 1);
    // A delivery that ran out of attempts, as the outbox worker leaves one.
    const sent = (await t.hub.db.kysely.selectFrom('outbox').selectAll().executeTakeFirstOrThrow()) as Record<string, unknown>;
    await t.hub.db.kysely
      .insertInto('outbox')
      .values({ ...sent, id: undefined, idempotency_key: randomUUID(), status: 'dead', result: null, sent_at: null } as never)
      .execute();
    const { m } = await scrape(t.url);
    expect(m.value('switchboard_outbox_rows', { status: 'dead' })).toBe(1);
    expect(m.value('switchboard_outbox_rows', { status: 'pending' })).toBe(0);
    expect(m.value('switchboard_inbox_rows', { status: 'processing' })).toBe(0);
  });
});
