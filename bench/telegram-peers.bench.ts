import type { BenchResult } from './run.ts';
import { startChild } from './peers/child.ts';
import { cpuMs, figures, postUpdates, waitForReplies, type RunFigures } from './peers/load.ts';
import { startPeer, startSwitchboard, type System } from './peers/systems.ts';

/**
 * Telegram echo against peers, end to end: update posted → `sendMessage` seen by a fake Bot API in
 * its own process (bench/peers/bot-api.ts). Each system runs in its own process(es); this process is
 * the load generator: concurrency 32 over 200 chats, a warm-up, then the measured updates.
 *
 * Systems: our hub on SQLite; on PostgreSQL with one replica and with two behind a round-robin
 * splitter (when BENCH_DATABASE_URL or TEST_DATABASE_URL is set); the Vercel Chat SDK (`chat` +
 * `@chat-adapter/telegram` + memory state); a bare `node:http` echo with no storage. Our hub makes
 * every update durable before its 200 and runs with Telegram pacing off.
 *
 * Env: BENCH_PEERS_N (measured updates, default 6000), BENCH_PEERS_WARMUP (default 1000),
 * BENCH_PEERS_RUNS (measured runs per system, default 1), BENCH_PEERS_ROUNDS (times the whole set of
 * systems is run in turn, default 1: on a machine whose speed drifts, rounds spread every system over
 * the same stretch of time; each system's best run counts), BENCH_PEERS_ONLY (comma-separated
 * substrings of system names), BENCH_PROFILE_DIR (write `--cpu-prof` profiles of our hub there),
 * BENCH_LOG_LEVEL (the hub's, default info), BENCH_PEERS_TSX=1 (run the hub's sources through tsx
 * instead of the compiled dist/), BENCH_HUB_NODE_ARGS (extra node flags for the hub, e.g. GC sizes).
 */
const N = Number(process.env.BENCH_PEERS_N ?? 6000);
const WARMUP = Number(process.env.BENCH_PEERS_WARMUP ?? 1000);
const RUNS = Number(process.env.BENCH_PEERS_RUNS ?? 1);
const ROUNDS = Number(process.env.BENCH_PEERS_ROUNDS ?? 1);
const CHATS = 200;
const CONCURRENCY = 32;
const PG_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;

interface Contender {
  name: string;
  start: (fakeUrl: string) => Promise<System>;
}

function contenders(): Contender[] {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const all: (Contender | undefined)[] = [
    { name: 'Switchboard SQLite', start: (f) => startSwitchboard(f, { dialect: 'sqlite', profileDir }) },
    PG_URL ? { name: 'Switchboard PostgreSQL ×1', start: (f) => startSwitchboard(f, { dialect: 'postgres', profileDir }) } : undefined,
    PG_URL ? { name: 'Switchboard PostgreSQL ×2', start: (f) => startSwitchboard(f, { dialect: 'postgres', replicas: 2, profileDir }) } : undefined,
    { name: 'Chat SDK (memory state)', start: (f) => startPeer('bench/peers/chat-sdk-echo.ts', f) },
    { name: 'bare node:http', start: (f) => startPeer('bench/peers/bare-echo.ts', f) },
  ];
  const only = (process.env.BENCH_PEERS_ONLY ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  return all.filter((c): c is Contender => !!c && (only.length === 0 || only.some((o) => c.name.toLowerCase().includes(o))));
}

/** Warm-up, then RUNS measured runs, on one system; fresh update ids for each. */
async function measure(fakeUrl: string, sys: System): Promise<RunFigures[]> {
  const plan = { targets: sys.targets, secret: sys.secret, chats: CHATS, concurrency: CONCURRENCY };
  let nextId = 1;
  const round = async (n: number) => {
    await fetch(`${fakeUrl}/_reset`, { method: 'POST' });
    const cpu0 = cpuMs(sys.pids);
    const load = await postUpdates({ ...plan, firstUpdateId: nextId, n });
    nextId += n;
    const seen = await waitForReplies(fakeUrl, n, 3000);
    return figures(load, seen, cpuMs(sys.pids) - cpu0);
  };
  if (WARMUP > 0) await round(WARMUP);
  const out: RunFigures[] = [];
  for (let r = 0; r < RUNS; r++) out.push(await round(N));
  return out;
}

const f0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');

function printTable(rows: { name: string; f: RunFigures }[]): void {
  console.log(`  ${N} updates after ${WARMUP} warm-up, ${CONCURRENCY} concurrent over ${CHATS} chats, ${ROUNDS} round(s); latencies in ms;`);
  console.log('  CPU ms/reply: user+system time of the system\'s own processes (steady on a busy machine, unlike replies/s)');
  console.log(`  ${'system'.padEnd(28)} ${'replies/s'.padStart(9)} ${'replies'.padStart(7)} ${'non200'.padStart(6)} ${'hook p50'.padStart(8)} ${'hook p99'.padStart(8)} ${'e2e p50'.padStart(8)} ${'e2e p99'.padStart(8)} ${'CPU ms/reply'.padStart(12)}`);
  for (const { name, f } of rows) {
    console.log(`  ${name.padEnd(28)} ${f0(f.repliesPerSec).padStart(9)} ${String(f.replies).padStart(7)} ${String(f.non200).padStart(6)} ${f1(f.webhookP50).padStart(8)} ${f1(f.webhookP99).padStart(8)} ${f1(f.e2eP50).padStart(8)} ${f1(f.e2eP99).padStart(8)} ${f.cpuMsPerReply.toFixed(3).padStart(12)}`);
  }
}

/** Ratio lines against the goals, from the best run of each system. */
function ratios(best: Map<string, RunFigures>): BenchResult[] {
  const rate = (name: string) => best.get(name)?.repliesPerSec ?? NaN;
  const ours = rate('Switchboard SQLite');
  const out: BenchResult[] = [
    { name: 'ours (SQLite) / Chat SDK   (goal ≥ 5×)', value: ours / rate('Chat SDK (memory state)'), unit: '×' },
    { name: 'ours (SQLite) / bare node:http (goal ≥ 50 %)', value: (100 * ours) / rate('bare node:http'), unit: '%' },
    { name: 'ours (SQLite) webhook p99 (goal ≤ 20 ms)', value: best.get('Switchboard SQLite')?.webhookP99 ?? NaN, unit: 'ms' },
  ];
  if (PG_URL) {
    out.push({ name: 'PostgreSQL ×1 / SQLite (goal ≥ 60 %)', value: (100 * rate('Switchboard PostgreSQL ×1')) / ours, unit: '%' });
    out.push({ name: 'PostgreSQL ×2 / SQLite', value: (100 * rate('Switchboard PostgreSQL ×2')) / ours, unit: '%' });
  } else {
    console.log('  PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)');
  }
  return out.filter((r) => Number.isFinite(r.value));
}

export async function bench(): Promise<BenchResult[]> {
  const fake = await startChild('bench/peers/bot-api.ts', {});
  const rows: { name: string; f: RunFigures }[] = [];
  const best = new Map<string, RunFigures>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of contenders()) {
        const sys = await c.start(fake.ready);
        try {
          for (const f of await measure(fake.ready, sys)) {
            rows.push({ name: c.name, f });
            if (!best.has(c.name) || f.repliesPerSec > best.get(c.name)!.repliesPerSec) best.set(c.name, f);
          }
        } finally {
          await sys.stop();
        }
      }
    }
  } finally {
    await fake.stop();
  }
  printTable(rows);
  return [...[...best].map(([name, f]) => ({ name: `${name}: end-to-end replies/s`, value: f.repliesPerSec, unit: 'replies/s' })), ...ratios(best)];
}
