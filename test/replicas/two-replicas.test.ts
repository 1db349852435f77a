import { afterEach, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { freshDatabase } from '../helpers/db.ts';
import { eventually } from '../helpers/hub.ts';
import { dm } from '../telegram/env.ts';
import { startApiProxy, type ApiProxy } from './api-proxy.ts';
import { needPostgres } from './pg.ts';
import { call, startReplica, type Replica } from './replica.ts';

const ADMIN = 'sb_replicas_admin_key_0000000000';
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

/** A fake Bot API, a fresh PostgreSQL database and the environment of replicas on it. */
async function setUp(extra: Record<string, string>) {
  const fake = await new FakeTelegram().start();
  cleanup.push(() => fake.close());
  const db = await freshDatabase('postgres');
  cleanup.push(db.drop);
  const env = { DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: generateMasterKey(), SWITCHBOARD_ADMIN_KEY: ADMIN, PUBLIC_URL: 'http://127.0.0.1:9', ...extra };
  const bot = fake.addBot({ token: '7100000001:AAHreplicasREPLICASreplicas_token', id: 7100000001, username: 'replicas_bot' });
  return { fake, env, bot };
}

/** Starts a replica whose Bot API calls go through its own counting proxy. */
async function replica(env: Record<string, string>, fake: FakeTelegram): Promise<{ r: Replica; api: ApiProxy }> {
  const api = await startApiProxy(fake.url);
  cleanup.push(() => api.close());
  const r = await startReplica({ ...env, TELEGRAM_API_ROOT: api.url });
  cleanup.push(() => r.kill());
  return { r, api };
}

/** Creates a user with the bot connected and granted to its default profile; returns the integration and its first /link code. */
async function connect(url: string, token: string): Promise<{ id: string; code: string }> {
  const user = await call(url, ADMIN, 'POST', '/v1/users', { email: 'owner@example.com' });
  const key = user.body.api_key as string;
  const profile = (await call(url, key, 'GET', '/v1/profiles')).body.profiles[0].id as string;
  const created = await call(url, key, 'POST', '/v1/integrations', { type: 'telegram', token });
  expect(created.status).toBe(201);
  const id = created.body.integration.id as string;
  expect((await call(url, key, 'PUT', `/v1/profiles/${profile}/grants/${id}`)).status).toBeLessThan(300);
  return { id, code: created.body.link.code };
}

async function postUpdate(url: string, id: string, secret: string, update: unknown): Promise<number> {
  const res = await fetch(`${url}/api/telegram/${id}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });
  await res.arrayBuffer();
  return res.status;
}

describe('two replicas on one PostgreSQL database', () => {
  it("keep one bot's per-chat rate under Telegram's limit across both (webhooks into both)", async (ctx) => {
    needPostgres(ctx);
    const { fake, env, bot } = await setUp({ TELEGRAM_PACING: 'telegram' });
    const a = await replica(env, fake);
    const b = await replica(env, fake);
    const { id, code } = await connect(a.r.url, bot.token);
    const secret = fake.webhooks.get(bot.token)!.secret_token!;
    const chat = 6100;
    expect(await postUpdate(a.r.url, id, secret, dm(chat, `/link ${code}`))).toBe(200);
    await eventually(() => fake.sentBy(bot.token, chat).length === 1, 10_000);

    // A burst of 6 messages, alternately through each replica's webhook: 7 replies in the chat in all.
    const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => postUpdate((i % 2 ? b : a).r.url, id, secret, dm(chat, `burst ${i}`))));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    await eventually(() => fake.sentBy(bot.token, chat).length >= 7, 20_000);
    const sent = fake.sentBy(bot.token, chat);
    expect(sent.filter((s) => s.text.includes('burst'))).toHaveLength(6);

    // Telegram's ~1 msg/s per chat, with the burst of 3 the pacer allows: any k+3 consecutive sends span ≥ k+1 s.
    const at = sent.map((s) => s.at).sort((x, y) => x - y);
    for (let i = 0; i < at.length; i++) {
      for (let j = i + 3; j < at.length; j++) expect(at[j] - at[i], `sends ${i} → ${j}`).toBeGreaterThanOrEqual((j - i - 2) * 1000 - 25);
    }
    ctx.annotate(`sendMessage calls: replica A ${a.api.count('sendMessage')}, replica B ${b.api.count('sendMessage')}; span ${at.at(-1)! - at[0]} ms`);
    expect(a.api.count('sendMessage') + b.api.count('sendMessage')).toBe(7);
  });

  it('let only one of them long-poll a bot, and the other takes over within 15 s of a SIGKILL', async (ctx) => {
    needPostgres(ctx);
    const { fake, env, bot } = await setUp({ TELEGRAM_MODE: 'polling', TELEGRAM_PACING: 'off' });
    const a = await replica(env, fake);
    const { code } = await connect(a.r.url, bot.token);
    await eventually(() => a.api.count('getUpdates') > 0, 10_000);
    const b = await replica(env, fake);

    const chat = 6200;
    fake.pushUpdate(bot.token, dm(chat, `/link ${code}`));
    await eventually(() => fake.sentBy(bot.token, chat).length === 1, 10_000);
    // B has had its scan at start and at least one more try at the lease while A polled on.
    const seen = a.api.count('getUpdates');
    await eventually(() => a.api.count('getUpdates') >= seen + 4, 15_000);
    expect(b.api.count('getUpdates')).toBe(0);

    await a.r.kill();
    const killedAt = Date.now();
    await eventually(() => b.api.count('getUpdates') > 0, 15_000, 50);
    const tookOverMs = Date.now() - killedAt;
    ctx.annotate(`takeover after ${tookOverMs} ms`);
    expect(tookOverMs).toBeLessThan(15_000);
    fake.pushUpdate(bot.token, dm(chat, 'after the takeover'));
    await eventually(() => fake.sentBy(bot.token, chat).some((s) => s.text.includes('after the takeover')), 10_000);
  }, 60_000);
});
