/**
 * The world a crash test runs in: a fake Bot API, an HTTP agent, a webhook receiver (all in the test
 * process, talking real HTTP), and the env a hub child process needs. {@link configureHub} connects
 * one bot and one webhook to an HTTP-agent profile through the REST API of a running hub.
 */
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { FakeTelegram, type FakeBot } from '../fakes/telegram-api.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../fakes/webhook-receiver.ts';
import { freshDatabase } from '../helpers/db.ts';
import { dm, eventually } from '../telegram/env.ts';

/** The admin key every hub of a crash world is started with. */
export const CRASH_ADMIN_KEY = 'sb_crash_admin_key_000000000000';

/** The Telegram user who owns the bot (links it with `/link`). */
export const OWNER_TG_ID = 5_000_001;

/** Fakes, database and hub env of one crash test. */
export interface CrashWorld {
  fake: FakeTelegram;
  bot: FakeBot;
  agent: FakeAgent;
  receiver: WebhookReceiver;
  /** The agent's `whsec_` secret. */
  agentSecret: string;
  /** Environment for every hub process of this world (same database, same master key). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Options of {@link startCrashWorld}. */
export interface CrashWorldOptions {
  /** Agent answer delay range in ms, so turns are in flight. Default [20, 100]. */
  agentDelayMs?: [number, number];
  /** Receiver answer delay in ms. Default 10. */
  receiverDelayMs?: number;
  /** Bot API sendMessage latency in ms. Default 5. */
  telegramLatencyMs?: number;
}

/** Starts the fakes and a fresh database of `dialect`. */
export async function startCrashWorld(dialect: 'sqlite' | 'postgres', o: CrashWorldOptions = {}): Promise<CrashWorld> {
  const db = await freshDatabase(dialect);
  const fake = await new FakeTelegram().start();
  fake.sendLatencyMs = o.telegramLatencyMs ?? 5;
  const bot = fake.addBot({ token: '7100000001:AAHcrashCRASHcrashCRASHcrash_test', id: 7_100_000_001, username: 'crash_test_bot' });
  const agentSecret = newWebhookSecret();
  const agent = await startFakeAgent(agentSecret);
  const [lo, hi] = o.agentDelayMs ?? [20, 100];
  let n = 0;
  // A deterministic spread of delays (no Math.random: a failure replays the same way).
  agent.answer = (c) => ({ status: 200, body: { reply: { text: `agent: ${c.body.message.text}` } }, delayMs: lo + ((n++ * 37) % (hi - lo + 1)) });
  const receiver = await startWebhookReceiver({ answerDelayMs: o.receiverDelayMs ?? 10 });
  const env = {
    DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    SWITCHBOARD_MASTER_KEY: generateMasterKey(),
    SWITCHBOARD_ADMIN_KEY: CRASH_ADMIN_KEY,
    SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1',
    TELEGRAM_API_ROOT: fake.url,
    PUBLIC_URL: 'http://127.0.0.1:9',
    // Pacing is not what these tests measure: 1,000 replies at Telegram's 30/s would take 33 s.
    TELEGRAM_PACING: 'off',
    HUB_TELEGRAM_PACING: 'off',
  };
  return {
    fake,
    bot,
    agent,
    receiver,
    agentSecret,
    env,
    async close() {
      await agent.close();
      await receiver.close();
      await fake.close();
      await db.drop();
    },
  };
}

/** What {@link configureHub} made. */
export interface HubSetup {
  profileId: string;
  /** The profile's token, for notify. */
  token: string;
  integrationId: string;
  /** The bot's webhook secret header value. */
  webhookSecret: string;
  webhookIntegrationId: string;
}

/** Calls a hub's REST API as the admin (or with `key`). */
export async function api(url: string, method: string, path: string, body?: unknown, key = CRASH_ADMIN_KEY): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const must = (what: string, r: { status: number; body: any }, ok = [200, 201]) => {
  if (!ok.includes(r.status)) throw new Error(`${what} failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/**
 * Through a running hub: an HTTP-agent profile, the bot connected and claimed by its owner with
 * `/link`, open to anyone (`dm_policy: open`), and a signed webhook integration; both granted to the profile.
 */
export async function configureHub(world: CrashWorld, url: string): Promise<HubSetup> {
  const p = must('profile', await api(url, 'POST', '/v1/profiles', { name: 'crash-agent', agent: { kind: 'http', url: world.agent.url, secret: world.agentSecret } }));
  const profileId = p.profile.id as string;
  const tg = must('telegram connect', await api(url, 'POST', '/v1/integrations', { type: 'telegram', token: world.bot.token }));
  const integrationId = tg.integration.id as string;
  const webhookSecret = world.fake.webhooks.get(world.bot.token)!.secret_token!;
  must('telegram grant', await api(url, 'PUT', `/v1/profiles/${profileId}/grants/${integrationId}`));
  const link = dm(OWNER_TG_ID, `/link ${tg.link.code}`);
  const posted = await fetch(`${url}/api/telegram/${integrationId}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret },
    body: JSON.stringify(link),
  });
  if (posted.status !== 200) throw new Error(`/link update answered ${posted.status}`);
  await eventually(() => world.fake.sentBy(world.bot.token, OWNER_TG_ID).some((s) => /^Linked/.test(s.text)), 10_000);
  must('dm_policy', await api(url, 'PATCH', `/v1/integrations/${integrationId}`, { dm_policy: 'open' }));
  const wh = must('webhook connect', await api(url, 'POST', '/v1/integrations', { type: 'webhook', url: world.receiver.url, secret: true }));
  const webhookIntegrationId = wh.integration.id as string;
  must('webhook grant', await api(url, 'PUT', `/v1/profiles/${profileId}/grants/${webhookIntegrationId}`));
  return { profileId, token: p.token as string, integrationId, webhookSecret, webhookIntegrationId };
}
