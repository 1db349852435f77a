import { afterAll, afterEach } from 'vitest';

/**
 * Fails the test during which an `unhandledRejection` or `uncaughtException` fired (vitest would
 * only report it at the end of the run, blamed on no test). Errors from hooks outside any test
 * fail the file's afterAll.
 */
const seen: unknown[] = [];
const KEY = Symbol.for('switchboard.test.crashWatch');
const g = globalThis as { [KEY]?: boolean };
if (!g[KEY]) {
  g[KEY] = true;
  process.on('unhandledRejection', (reason) => seen.push(reason));
  process.on('uncaughtException', (err) => seen.push(err));
}

function failOnCrashes(when: string): void {
  if (seen.length === 0) return;
  const errors = seen.splice(0);
  const text = errors.map((e) => (e instanceof Error ? (e.stack ?? e.message) : String(e))).join('\n---\n');
  throw new Error(`${errors.length} unhandled rejection(s) or uncaught exception(s) ${when}:\n${text}`);
}

afterEach(() => failOnCrashes('during this test'));
afterAll(() => failOnCrashes('after the last test of this file'));
