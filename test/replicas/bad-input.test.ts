import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { createHub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabase } from '../helpers/db.ts';
import { TEST_MASTER_KEY } from '../helpers/hub.ts';
import { connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, claim, type TgEnv } from '../telegram/env.ts';
import { needPostgres } from './pg.ts';
import { startReplica, type Replica } from './replica.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

describe('a second hub process on one SQLite file', () => {
  it('is refused at start with a clear message naming the holder, and a SIGKILLed holder blocks no restart', async () => {
    const db = await freshDatabase('sqlite');
    cleanup.push(db.drop);
    const env = { DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: generateMasterKey(), SWITCHBOARD_ADMIN_KEY: 'sb_sqlite_lock_admin_key_000000' };
    const first = await startReplica(env);
    cleanup.push(() => first.kill());

    const refused = await startReplica(env).then(
      (r: Replica) => (cleanup.push(() => r.kill()), undefined),
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused, 'the second process started').toBeDefined();
    expect(refused!.code).not.toBe(0);
    expect(refused!.stderr).toContain(`is in use by another Switchboard hub (process ${first.child.pid} on`);
    expect(refused!.stderr).toContain('SQLite serves one hub process');
    // The first one still serves.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    await first.kill();
    const again = await startReplica(env);
    cleanup.push(() => again.kill());
    expect((await fetch(`${again.url}/healthz`)).status).toBe(200);
  });
});

describe('TELEGRAM_PACING', () => {
  it('stops start-up on a wrong value, naming the allowed ones, before the database is opened', async () => {
    const db = await freshDatabase('sqlite');
    cleanup.push(db.drop);
    const config = loadConfig({ DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, TELEGRAM_PACING: 'fast' });
    const err = await createHub(config, { logger: createLogger('silent') }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(/TELEGRAM_PACING: must be one of: telegram .*, off; got "fast"/);
    expect(err.message).toContain('(telegram channel)');
  });

  it('takes a per-bot broadcast_rate of up to 1000 msg/s, and refuses anything else', async () => {
    const env = await startTgEnv({ env: { TELEGRAM_PACING: 'off' } });
    cleanup.push(() => env.close());
    const owner = await newUser(env.t, 'rate@example.com');
    const bot = await connectBot(env, owner.key, newBot(env.fake));
    for (const bad of [5000, 10, 1.5, '1000', true]) {
      const r = await env.t.api('PATCH', `/v1/integrations/${bot.id}`, { broadcast_rate: bad }, owner.key);
      expect(r.status, String(bad)).toBe(400);
      expect(r.body.error.message).toMatch(/broadcast_rate must be a whole number of messages per second from 30 to 1000/);
    }
    const ok = await env.t.api('PATCH', `/v1/integrations/${bot.id}`, { broadcast_rate: 1000 }, owner.key);
    expect(ok.status).toBe(200);
    expect((await env.t.api('GET', `/v1/integrations/${bot.id}`, undefined, owner.key)).body.integration.config.broadcast_rate).toBe(1000);
  });
});

describe('a replica that loses PostgreSQL', () => {
  it('answers 503 on webhooks while the database is away and resumes by itself when it is back', async (ctx) => {
    needPostgres(ctx);
    const db = await freshDatabase('postgres');
    cleanup.push(db.drop);
    const target = new URL(db.url);
    const proxy: TcpProxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    cleanup.push(() => proxy.close());
    const viaProxy = new URL(db.url);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const env: TgEnv = await startTgEnv({ database: { url: viaProxy.toString(), dataDir: db.dataDir } });
    cleanup.push(() => env.close());
    const owner = await newUser(env.t, 'outage@example.com');
    const fakeBot = newBot(env.fake);
    const bot = await connectBot(env, owner.key, fakeBot, owner.profileId);
    await claim(env, fakeBot, bot.id, bot.secret, bot.code, 5150);

    proxy.cut();
    const during = dm(5150, 'while the database is away');
    const refused = await fetch(`${env.t.url}/api/telegram/${bot.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': bot.secret },
      body: JSON.stringify(during),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await refused.json()).error.code).toBe('database_unavailable');

    proxy.restore();
    // Telegram delivers the refused update again; the hub takes it without a restart and answers it.
    const retried = await postUpdate(env, bot.id, bot.secret, during);
    expect(retried.status).toBe(200);
    const sent = await waitSent(env, fakeBot.token, 5150, 2, 15_000);
    expect(sent.at(-1)!.text).toContain('while the database is away');
  });
});
