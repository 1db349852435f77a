/**
 * Diagnostics for the peer benchmark (BENCH_SQL_STATS=<file>): times every better-sqlite3 statement
 * and every PostgreSQL query (wall time, round trip included) run in this process and, at exit, writes to that file the statements by total time (calls, total ms,
 * mean µs). Patches the Statement prototype, so it must be installed before the hub opens its
 * database. Never loaded by the hub itself.
 */
import { writeFileSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import pg from 'pg';

interface Stat {
  calls: number;
  ms: number;
}

/** Installs the timing wrappers; returns a function that prints the table. */
export function installSqlStats(file: string): () => void {
  const stats = new Map<string, Stat>();
  const record = (source: string, t0: number) => {
    const key = source.replace(/\s+/g, ' ').replace(/\(\?(, \?)+\)(, \(\?(, \?)+\))*/g, '(?…)').replace(/\(\$\d+(, \$\d+)+\)(, \(\$\d+(, \$\d+)+\))*/g, '($…)').slice(0, 110);
    const s = stats.get(key) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += performance.now() - t0;
    stats.set(key, s);
  };
  const pgQuery = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const t0 = performance.now();
    const out = pgQuery.apply(this, args);
    const text = typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? '');
    if (out && typeof (out as Promise<unknown>).finally === 'function') void (out as Promise<unknown>).finally(() => record(text, t0)).catch(() => undefined);
    return out;
  } as typeof pg.Client.prototype.query;
  const probe = new SQLite(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  probe.close();
  for (const name of ['run', 'all', 'get'] as const) {
    const original = proto[name];
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      const t0 = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        record(this.source, t0);
      }
    };
  }
  return () => {
    const rows = [...stats].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((t, [, s]) => t + s.ms, 0);
    const lines = [`SQL: ${rows.reduce((t, [, s]) => t + s.calls, 0)} statements, ${total.toFixed(0)} ms`];
    for (const [sql, s] of rows.slice(0, 30)) lines.push(`${String(s.calls).padStart(7)} ${s.ms.toFixed(0).padStart(7)} ms ${((1000 * s.ms) / s.calls).toFixed(0).padStart(6)} µs  ${sql}`);
    writeFileSync(file, lines.join('\n') + '\n');
  };
}
