/**
 * Our hub as the peer benchmark runs it: one process, configured from the environment like
 * `switchboard serve` (DATABASE_URL, DATA_DIR, SWITCHBOARD_MASTER_KEY, SWITCHBOARD_ADMIN_KEY,
 * TELEGRAM_API_ROOT, TELEGRAM_PACING=off, LOG_LEVEL; production bus defaults). By default it runs
 * the compiled hub in dist/ (what `npm start` runs; the bench builds it first); with `--tsx` (under
 * `node --import tsx`) it runs the TypeScript sources. Logs go to stderr. BENCH_SQL_STATS=<file>
 * (sources only) writes a table of statement times there at exit. Prints `READY <port>` once
 * listening on 127.0.0.1; closes cleanly when stdin ends (so a `--cpu-prof` profile is written).
 */
const tsx = process.argv.includes('--tsx');
const at = (file) => new URL(tsx ? `../../src/${file}.ts` : `../../dist/src/${file}.js`, import.meta.url).href;
const printSqlStats = process.env.BENCH_SQL_STATS ? (await import('./sql-stats.ts')).installSqlStats(process.env.BENCH_SQL_STATS) : undefined;
const [{ loadConfig }, { createHub }, { createLogger }, { default: pino }] = await Promise.all([import(at('config')), import(at('hub')), import(at('log')), import('pino')]);

const config = loadConfig({ ...process.env, TELEGRAM_PACING: 'off' });
const hub = await createHub(config, { logger: createLogger(config.logLevel, pino.destination(2)) });
const port = await hub.listen(0, '127.0.0.1');
process.stdout.write(`READY ${port}\n`);
process.stdin.on('end', async () => {
  await hub.close(2000);
  printSqlStats?.();
  process.exit(0);
});
process.stdin.resume();
