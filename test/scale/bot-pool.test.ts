import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telegramConfig } from '../../adapters/telegram/config.ts';
import { BotPool } from '../../adapters/telegram/bots.ts';
import { adapterServices } from '../../src/bus/services.ts';
import type { AdapterSettings } from '../../src/channel/index.ts';
import { claim, connectBot, newBot, newUser, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';

/** The cache size under test, and how many more bots than that carry messages. */
const N = 3;
const K = 2;

describe('Telegram bot clients are an LRU of TELEGRAM_BOT_CACHE bots', () => {
  let env: TgEnv;
  let user: Awaited<ReturnType<typeof newUser>>;
  let token: string;
  const bots: { bot: ReturnType<typeof newBot>; id: string; tgUser: number }[] = [];

  beforeAll(async () => {
    env = await startTgEnv({ env: { TELEGRAM_BOT_CACHE: String(N), TELEGRAM_PACING: 'off' } });
    user = await newUser(env.t, 'lru@example.com');
    const profile = (await env.t.api('POST', '/v1/profiles', { name: 'lru' }, user.key)).body;
    token = profile.token;
    for (let i = 0; i < N + K; i++) {
      const bot = newBot(env.fake);
      const c = await connectBot(env, user.key, bot, profile.profile.id);
      // An inbound message through each bot (/link), answered through the same bot.
      await claim(env, bot, c.id, c.secret, c.code, 600 + i);
      bots.push({ bot, id: c.id, tgUser: 600 + i });
    }
  }, 60_000);
  afterAll(() => env?.close());

  it('holds at most N clients and secrets after messages through N+k bots; an evicted bot still sends when used again', async () => {
    const pool = new BotPool(
      adapterServices(
        env.t.hub.store,
        { publicUrl: 'http://127.0.0.1:9', allowPrivateUrls: [], slice: telegramConfig.parse({ TELEGRAM_API_ROOT: env.fake.url, TELEGRAM_BOT_CACHE: String(N) }) } as unknown as AdapterSettings,
        env.t.hub.log,
        async () => [],
        () => true,
      ),
    );
    for (const b of bots) {
      const row = (await env.t.hub.store.integrations.byId(b.id))!;
      await (await pool.forIntegration(row)).api.sendMessage(b.tgUser, `direct ${b.id}`);
      expect(await pool.webhookSecret(b.id)).toMatchObject({ integration: { id: b.id } });
    }
    expect(pool.cached.bots).toBe(N);
    expect(pool.cached.secrets).toBe(N);
    // The first bot dropped out of both caches; using it again builds it again from the database.
    const first = bots[0];
    const again = await pool.forIntegration((await env.t.hub.store.integrations.byId(first.id))!);
    await again.api.sendMessage(first.tgUser, 'evicted, and back');
    expect(pool.cached.bots).toBe(N);
    expect((await waitSent(env, first.bot.token, first.tgUser, 3)).at(-1)!.text).toBe('evicted, and back');
    expect((await pool.webhookSecret(first.id))?.secret).toBeTruthy();
  });

  it('through the hub: notifies via all N+k bots arrive, and again via the least recently used one', async () => {
    for (const b of [...bots, bots[0]]) {
      const before = env.fake.sentBy(b.bot.token, b.tgUser).length;
      const r = await env.t.api('POST', '/v1/notify', { channel: `telegram:${b.id}`, message: `hub via ${b.id}` }, token);
      expect(r.status).toBe(202);
      expect((await waitSent(env, b.bot.token, b.tgUser, before + 1)).at(-1)!.text).toBe(`hub via ${b.id}`);
    }
  });

  it('refuses a TELEGRAM_BOT_CACHE that is not a whole number of bots', () => {
    for (const bad of ['0', '-1', 'many', '1.5']) {
      expect(() => telegramConfig.parse({ TELEGRAM_BOT_CACHE: bad })).toThrow(/TELEGRAM_BOT_CACHE must be a whole number of bots/);
    }
    expect(telegramConfig.parse({}).botCache).toBe(1000);
  });
});
