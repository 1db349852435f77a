import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { freshDatabase } from '../../test/helpers/db.ts';
import { buildHub, startFlags } from '../compiled-hub.ts';
import { BENCH_BOT } from '../telegram-bot.ts';
import { startChild, type Child } from './child.ts';
import { waitForReplies } from './load.ts';

/** A running system under test: where to post updates, with which secret, and how to stop it. */
export interface System {
  targets: string[];
  secret: string;
  /** Process ids of the system (for its CPU time). */
  pids: number[];
  stop(): Promise<void>;
}

/** Options of {@link startSwitchboard}. */
export interface SwitchboardOptions {
  dialect: 'sqlite' | 'postgres';
  /** Hub processes on the one database (PostgreSQL only for more than one). Default 1. */
  replicas?: number;
  /** Folder for `--cpu-prof` profiles of the hub processes; none when undefined. */
  profileDir?: string;
}

const ADMIN_KEY = 'sb_bench_admin_key_0123456789';
/** Our hub's entry: the compiled dist/ that `npm start` runs, or the sources with `--tsx`. */
const HUB_SCRIPT = 'bench/peers/switchboard-hub.mjs';

const PEER_SECRET = 'bench-webhook-secret-0123456789';

async function api(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/**
 * Our hub in its own process(es) on a fresh database: the bench bot connected through the REST
 * API (getMe and setWebhook at the fake), granted to the admin's default echo profile, DMs open.
 * With replicas > 1 every process serves the same database and gets a share of the webhooks.
 */
export async function startSwitchboard(fakeUrl: string, o: SwitchboardOptions): Promise<System> {
  const db = await freshDatabase(o.dialect);
  const env = {
    DATABASE_URL: db.url,
    DATA_DIR: db.dataDir,
    SWITCHBOARD_MASTER_KEY: generateMasterKey(),
    SWITCHBOARD_ADMIN_KEY: ADMIN_KEY,
    TELEGRAM_API_ROOT: fakeUrl,
    PUBLIC_URL: 'http://127.0.0.1:9',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
  };
  // `npm start`'s flags (plus BENCH_HUB_NODE_ARGS); the sources run through tsx when asked (BENCH_PEERS_TSX=1) or for SQL stats.
  const sources = process.env.BENCH_PEERS_TSX === '1' || !!process.env.BENCH_SQL_STATS;
  const extra = (process.env.BENCH_HUB_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const nodeArgs = [...startFlags(), ...extra, ...(sources ? ['--import', 'tsx'] : []), ...(o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${o.profileDir}`] : [])];
  const start = () => startChild(HUB_SCRIPT, env, nodeArgs, 30_000, sources ? ['--tsx'] : []);
  if (!sources) buildHub();
  const hubs: Child[] = [];
  try {
    hubs.push(await start());
    const first = `http://127.0.0.1:${hubs[0].ready}`;
    const profile = (await api(first, 'GET', '/v1/profiles')).profiles[0].id;
    const connected = await api(first, 'POST', '/v1/integrations', { type: 'telegram', token: BENCH_BOT.token });
    const id = connected.integration.id;
    await api(first, 'PUT', `/v1/profiles/${profile}/grants/${id}`);
    await api(first, 'PATCH', `/v1/integrations/${id}`, { dm_policy: 'open' });
    const hook = (await (await fetch(`${fakeUrl}/_webhook?token=${encodeURIComponent(BENCH_BOT.token)}`)).json()) as { secret_token: string };
    // The owner claims the bot with /link <code> (an unclaimed bot answers every chat with a hint).
    await claim(fakeUrl, `${first}/api/telegram/${id}/webhook`, hook.secret_token, connected.link.code);
    for (let r = 1; r < (o.replicas ?? 1); r++) hubs.push(await start());
    return {
      targets: hubs.map((h) => `http://127.0.0.1:${h.ready}/api/telegram/${id}/webhook`),
      pids: hubs.map((h) => h.proc.pid!),
      secret: hook.secret_token,
      async stop() {
        await Promise.all(hubs.map((h) => h.stop()));
        await db.drop();
      },
    };
  } catch (e) {
    await Promise.all(hubs.map((h) => h.stop()));
    await db.drop();
    throw e;
  }
}

/** Sends `/link <code>` from the owner's chat and waits for the bot's answer at the fake. */
async function claim(fakeUrl: string, webhook: string, secret: string, code: string): Promise<void> {
  await fetch(`${fakeUrl}/_reset`, { method: 'POST' });
  const owner = 7_000_001;
  const update = { update_id: 900_000_000, message: { message_id: 1, from: { id: owner, is_bot: false, first_name: 'Owner' }, chat: { id: owner, first_name: 'Owner', type: 'private' }, date: 1763900000, text: `/link ${code}` } };
  const res = await fetch(webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret }, body: JSON.stringify(update) });
  if (res.status !== 200) throw new Error(`the /link update answered ${res.status}`);
  if ((await waitForReplies(fakeUrl, 1, 10_000)).count < 1) throw new Error('the bot never answered /link');
}

/** A peer echo bot (`bench/peers/chat-sdk-echo.ts` or `bare-echo.ts`) in its own process. */
export async function startPeer(script: string, fakeUrl: string): Promise<System> {
  const child = await startChild(script, { BOT_API_ROOT: fakeUrl, BOT_TOKEN: BENCH_BOT.token, WEBHOOK_SECRET: PEER_SECRET });
  return { targets: [`http://127.0.0.1:${child.ready}/api/webhooks/telegram`], secret: PEER_SECRET, pids: [child.proc.pid!], stop: () => child.stop() };
}
