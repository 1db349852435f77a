/**
 * Our hub as the peer benchmark runs it: one process, configured from the environment like
 * `switchboard serve` (DATABASE_URL, DATA_DIR, SWITCHBOARD_MASTER_KEY, SWITCHBOARD_ADMIN_KEY,
 * TELEGRAM_API_ROOT, LOG_LEVEL; production bus defaults), with Telegram pacing off. Logs go to
 * stderr; BENCH_SQL_STATS=<file> writes a table of SQLite statement times there at exit. Prints `READY <port>` once listening on 127.0.0.1; closes cleanly when stdin ends (so a
 * `--cpu-prof` profile is written).
 */
import { createTelegramAdapter, NO_PACING } from '../../adapters/telegram/index.ts';
import { loadConfig } from '../../src/config.ts';
import { createHub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import pino from 'pino';
import { installSqlStats } from './sql-stats.ts';

const printSqlStats = process.env.BENCH_SQL_STATS ? installSqlStats(process.env.BENCH_SQL_STATS) : undefined;

const config = loadConfig({ TELEGRAM_PACING: 'off', ...process.env });
const hub = await createHub(config, {
  logger: createLogger(config.logLevel, pino.destination(2)),
  // Until TELEGRAM_PACING is read by the adapter itself, pacing is switched off here.
  extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) },
});
const port = await hub.listen(0, '127.0.0.1');
process.stdout.write(`READY ${port}\n`);
process.stdin.on('end', async () => {
  await hub.close(2000);
  printSqlStats?.();
  process.exit(0);
});
process.stdin.resume();
