import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import readline from 'node:readline';
import { generateMasterKey } from '../src/crypto/keyring.ts';
import { FakeTelegram, type FakeBot } from '../test/fakes/telegram-api.ts';
import { freshDatabase } from '../test/helpers/db.ts';
import { buildHub, startFlags } from './compiled-hub.ts';
import type { BenchResult } from './run.ts';
import { percentile, pool } from './stats.ts';

/**
 * Ten thousand bots on one hub (issue 14). One user connects 1k, then 5k, then 10k Telegram bots,
 * 16 connects at a time, against a fake Bot API in this process; the hub runs in its own process
 * (bench/scale-hub.mjs, running the compiled dist/ that `npm start` runs) so its RSS and CPU are
 * read from /proc. Reports per step the connect rate, the hub's CPU per connect and its RSS; webhook
 * p50/p99 at the first and the last step (updates to 1,000 bots: they are the active ones); `/healthz`
 * p99 probed while the last step's connects run; RSS with every bot connected and 1,000 active, and
 * the peak (VmHWM); then the boot time of a new hub process on the 10k rows. On SQLite, and on PostgreSQL when BENCH_DATABASE_URL or
 * TEST_DATABASE_URL is set.
 *
 * `npm run bench -- scale --bots 2000`: a smaller run (steps at a tenth, a half and all of it).
 * Env: BENCH_SCALE_DB=sqlite|postgres to run one dialect only; BENCH_SCALE_UPDATES (default 3000)
 * webhook updates per latency measurement; BENCH_SCALE_TSX=1 runs the hub's sources through tsx
 * instead; BENCH_SCALE_NODE_ARGS extra node flags for the hub (`--trace-gc`…); BENCH_PROFILE_DIR
 * writes `--cpu-prof` profiles of the hub there.
 */
export async function bench(): Promise<BenchResult[]> {
  const at = process.argv.indexOf('--bots');
  const total = at > 0 ? Number(process.argv[at + 1]) : 10_000;
  if (!Number.isInteger(total) || total < 10) throw new Error('--bots must be a whole number, 10 or more');
  const steps = [...new Set([Math.round(total / 10), Math.round(total / 2), total])];
  const pgUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const only = process.env.BENCH_SCALE_DB;
  const dialects = (['sqlite', 'postgres'] as const).filter((d) => (only ? d === only : d === 'sqlite' || pgUrl));
  if (pgUrl) process.env.TEST_DATABASE_URL = pgUrl;
  if (!TSX) buildHub();
  const out: BenchResult[] = [];
  for (const dialect of dialects) out.push(...(await run(dialect, steps)));
  return out;
}

/** A hub process: its port and pid; `stop()` drains it. */
interface HubProcess {
  url: string;
  pid: number;
  bootMs: number;
  importMs: number;
  stop(): Promise<void>;
}

/** Whether the hub runs the TypeScript sources through tsx (BENCH_SCALE_TSX=1) instead of the compiled dist/. */
const TSX = process.env.BENCH_SCALE_TSX === '1';

async function startHub(env: Record<string, string>): Promise<HubProcess> {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const nodeArgs = [...startFlags(), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), ...(process.env.BENCH_SCALE_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const args = TSX ? [...nodeArgs, '--import', 'tsx', 'bench/scale-hub.mjs', '--tsx'] : [...nodeArgs, 'bench/scale-hub.mjs'];
  const child: ChildProcess = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  // READY is the hub's line; anything else it prints (--trace-gc…) goes to stderr.
  const ready = await new Promise<string>((resolve) => {
    lines.on('line', (line) => (line.startsWith('READY ') ? resolve(line) : process.stderr.write(`  [hub] ${line}\n`)));
    child.once('exit', (code) => resolve(`exited with ${code}`));
  });
  const m = /^READY (\d+) (\d+) (\d+)/.exec(ready);
  if (!m) throw new Error(`hub did not start: ${ready}`);
  return {
    url: `http://127.0.0.1:${m[1]}`,
    pid: child.pid!,
    bootMs: Number(m[2]),
    importMs: Number(m[3]),
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** RSS now and its peak (VmHWM) of a process, in MB. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function run(dialect: 'sqlite' | 'postgres', steps: number[]): Promise<BenchResult[]> {
  const total = steps.at(-1)!;
  const tag = (s: string) => `${dialect}: ${s}`;
  const updates = Number(process.env.BENCH_SCALE_UPDATES ?? 3000);
  const fake = await new FakeTelegram().start();
  fake.countOnly = true;
  const bots: FakeBot[] = Array.from({ length: total }, (_, i) => fake.addBot({ token: `${6_000_000_000 + i}:AAHscale${String(i).padStart(8, '0')}benchTOKENxx`, id: 6_000_000_000 + i, username: `scale${i}_bot` }));
  const db = await freshDatabase(dialect);
  const adminKey = 'sb_bench_admin_key_0123456789';
  const env = {
    PORT: '0',
    DATA_DIR: db.dataDir,
    DATABASE_URL: db.url,
    SWITCHBOARD_MASTER_KEY: generateMasterKey(),
    SWITCHBOARD_ADMIN_KEY: adminKey,
    LOG_LEVEL: 'silent',
    TELEGRAM_API_ROOT: fake.url,
    PUBLIC_URL: 'http://127.0.0.1:9',
    TELEGRAM_PACING: 'off',
  };
  const results: BenchResult[] = [];
  // Each figure also goes to stderr as it is measured: a long run shows its progress.
  const push = results.push.bind(results);
  results.push = (...r: BenchResult[]) => {
    for (const x of r) process.stderr.write(`  … ${x.name}: ${x.value.toFixed(1)} ${x.unit}\n`);
    return push(...r);
  };
  let hub = await startHub(env);
  try {
    const api = async (method: string, path: string, body: unknown, key: string) => {
      const res = await fetch(hub.url + path, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const key = (await api('POST', '/v1/users', { email: 'scale@example.com' }, adminKey)).body.api_key as string;
    results.push({ name: tag('hub RSS before any bot'), value: memory(hub.pid).rss, unit: 'MB' });
    const ids: string[] = [];
    let secrets: string[] = [];
    let connected = 0;
    const webhookLatency = async (label: string) => {
      secrets = ids.map((_, i) => fake.webhooks.get(bots[i].token)!.secret_token!);
      const active = Math.min(1000, ids.length);
      const sentBefore = fake.sentCount;
      let non200 = 0;
      const latencies = await pool(updates, 16, async (i) => {
        const b = i % active;
        const chat = 9_000_000 + (i % 997);
        const res = await fetch(`${hub.url}/api/telegram/${ids[b]}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secrets[b] },
          body: JSON.stringify({ update_id: 1 + i + connected * 10, message: { message_id: 1 + i, from: { id: chat, is_bot: false, first_name: 'S' }, chat: { id: chat, type: 'private' }, date: 1763900000, text: `hello ${i}` } }),
        });
        await res.arrayBuffer();
        if (res.status !== 200) non200++;
      });
      // Every update is answered (an unclaimed bot explains itself) through its bot's client.
      const deadline = Date.now() + 120_000;
      while (fake.sentCount < sentBefore + updates && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      results.push({ name: tag(`webhook p50 at ${label} bots (${active} active)`), value: percentile(latencies, 50), unit: 'ms' });
      results.push({ name: tag(`webhook p99 at ${label} bots`), value: percentile(latencies, 99), unit: 'ms' });
      if (non200) results.push({ name: tag(`webhook non-200 at ${label} bots`), value: non200, unit: 'answers' });
      results.push({ name: tag(`hub peak RSS so far, after the webhooks at ${label}`), value: memory(hub.pid).peak, unit: 'MB' });
      return percentile(latencies, 50);
    };
    let firstRate = 0;
    let lastRate = 0;
    let p50First = 0;
    let p50Last = 0;
    for (const [s, step] of steps.entries()) {
      const n = step - connected;
      const last = s === steps.length - 1;
      const health: number[] = [];
      let connecting = true;
      const probe = last
        ? (async () => {
            while (connecting) {
              const t0 = performance.now();
              await (await fetch(`${hub.url}/healthz`)).arrayBuffer();
              health.push(performance.now() - t0);
              await new Promise((r) => setTimeout(r, 10));
            }
          })()
        : Promise.resolve();
      const cpu0 = cpuSeconds(hub.pid);
      const t0 = performance.now();
      const base = connected;
      const connectMs = await pool(n, 16, async (i) => {
        const r = await api('POST', '/v1/integrations', { type: 'telegram', token: bots[base + i].token }, key);
        if (r.status !== 201) throw new Error(`connect ${base + i} failed: ${r.status} ${JSON.stringify(r.body)}`);
        ids[base + i] = r.body.integration.id;
      });
      const secs = (performance.now() - t0) / 1000;
      connecting = false;
      await probe;
      connected = step;
      const rate = n / secs;
      if (s === 0) firstRate = rate;
      lastRate = rate;
      results.push({ name: tag(`connect rate, bots ${base + 1}–${step}`), value: rate, unit: 'bots/s' });
      results.push({ name: tag(`hub CPU per connect, bots ${base + 1}–${step}`), value: ((cpuSeconds(hub.pid) - cpu0) / n) * 1000, unit: 'ms' });
      const after = memory(hub.pid);
      results.push({ name: tag(`hub RSS after ${step} bots`), value: after.rss, unit: 'MB' });
      results.push({ name: tag(`hub peak RSS so far, after connecting ${step}`), value: after.peak, unit: 'MB' });
      if (last) {
        results.push({ name: tag(`/healthz p50 during 16 concurrent connects`), value: percentile(health, 50), unit: 'ms' });
        results.push({ name: tag(`/healthz p99 during 16 concurrent connects`), value: percentile(health, 99), unit: 'ms' });
        results.push({ name: tag(`connect latency p50 / p99, bots ${base + 1}–${step}`), value: percentile(connectMs, 50), unit: `/ ${percentile(connectMs, 99).toFixed(0)} ms` });
      }
      if (s === 0) p50First = await webhookLatency(String(step));
      if (last) p50Last = await webhookLatency(String(step));
    }
    const mem = memory(hub.pid);
    results.push({ name: tag(`hub RSS with ${total} bots, 1000 active`), value: mem.rss, unit: 'MB' });
    results.push({ name: tag('hub peak RSS (VmHWM) over the run'), value: mem.peak, unit: 'MB' });
    results.push({ name: tag(`connect rate at ${total} vs ${steps[0]} bots`), value: (lastRate / firstRate) * 100, unit: '%' });
    results.push({ name: tag(`webhook p50 at ${total} vs ${steps[0]} bots`), value: (p50Last / p50First) * 100, unit: '%' });
    await hub.stop();
    const wall0 = performance.now();
    hub = await startHub(env);
    results.push({ name: tag(`boot with ${total} rows (createHub → listening)`), value: hub.bootMs, unit: 'ms' });
    results.push({ name: tag(`boot with ${total} rows (spawn → listening${TSX ? ', tsx' : ''})`), value: performance.now() - wall0, unit: 'ms' });
    results.push({ name: tag(`module loading before createHub${TSX ? ' (tsx)' : ''}`), value: hub.importMs, unit: 'ms' });
    results.push({ name: tag('hub RSS right after boot'), value: memory(hub.pid).rss, unit: 'MB' });
  } finally {
    await hub.stop();
    await fake.close();
    await db.drop();
  }
  return results;
}
