import { spawn, spawnSync } from 'node:child_process';
import { startTestHub } from '../test/helpers/hub.ts';
import type { BenchResult } from './run.ts';
import { percentile } from './stats.ts';

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 15);
const BIN = 'src/cli/switchboard.mjs';
/** Preloaded into each run: writes the process's peak RSS (KiB) to fd 3 when it exits. */
const PEAK = `data:text/javascript,${encodeURIComponent("import fs from 'node:fs'; process.on('exit', () => { try { fs.writeSync(3, String(process.resourceUsage().maxRSS)); } catch {} });")}`;

/** One CLI run: wall time (ms) and peak RSS (MB). */
function once(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; mb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK, ...(args[0] === '-e' ? args : [BIN, ...args])], { env, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let rss = '';
    let err = '';
    child.stdio[3]!.on('data', (d) => (rss += d));
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`switchboard ${args.join(' ')} exited ${code}: ${err}`));
      resolve({ ms, mb: Number(rss) / 1024 });
    });
  });
}

async function measure(label: string, args: string[], env: NodeJS.ProcessEnv, goalMs: number, goalMb?: number): Promise<BenchResult[]> {
  await once(args, env); // warm the file cache
  const runs: { ms: number; mb: number }[] = [];
  for (let i = 0; i < RUNS; i++) runs.push(await once(args, env));
  const ms = runs.map((r) => r.ms);
  const mb = runs.map((r) => r.mb);
  return [
    { name: `${label}: median wall${goalMs ? ` (goal ≤ ${goalMs} ms)` : ''}`, value: percentile(ms, 50), unit: 'ms' },
    { name: `${label}: p90 wall`, value: percentile(ms, 90), unit: 'ms' },
    { name: `${label}: peak RSS, median${goalMb ? ` (goal ≤ ${goalMb} MB)` : ''}`, value: percentile(mb, 50), unit: 'MB' },
    { name: `${label}: peak RSS, max`, value: Math.max(...mb), unit: 'MB' },
  ];
}

/**
 * Start-up of the compiled CLI (`npm run bench -- cli`): `switchboard --help`, and `switchboard
 * integrations list` against a running hub with a few integrations. Builds dist/ first, so the
 * compiled code is what is measured. Goals: --help ≤ 250 ms and ≤ 80 MB; list ≤ 400 ms.
 */
export async function bench(): Promise<BenchResult[]> {
  const built = spawnSync(process.execPath, ['src/cli/build.mjs'], { stdio: 'inherit' });
  if (built.status !== 0) throw new Error('npm run build failed; the CLI bench measures the compiled CLI');
  const t = await startTestHub({ dialect: 'sqlite', env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
  try {
    for (let i = 0; i < 3; i++) {
      const r = await t.api('POST', '/v1/profiles', { name: `bench-${i}` });
      if (r.status !== 201) throw new Error(`profile: ${r.status}`);
    }
    const hook = await t.api('POST', '/v1/integrations', { type: 'webhook', url: 'http://127.0.0.1:9/bench', secret: true });
    if (hook.status !== 201) throw new Error(`connect: ${hook.status} ${JSON.stringify(hook.body)}`);
    const env = { ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: t.adminKey, SWITCHBOARD_ADMIN_KEY: '' };
    // The bare `node` start on this machine at this moment: what the CLI adds is the difference.
    const baseline = await measure('node -e 0 (baseline)', ['-e', '0'], env, 0);
    return [
      baseline[0],
      baseline[2],
      ...(await measure('switchboard --help', ['--help'], env, 250, 80)),
      ...(await measure('switchboard integrations list', ['integrations', 'list'], env, 400)),
    ];
  } finally {
    await t.close();
  }
}
