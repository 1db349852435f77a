import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabase } from '../helpers/db.ts';
import { eventually, FAST_BUS, TEST_MASTER_KEY } from '../helpers/hub.ts';

/** A hub whose log lines are collected, at a given level. */
async function hubLoggingAt(level: string) {
  const db = await freshDatabase('sqlite');
  const lines: Record<string, any>[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const admin = 'sb_request_log_admin_key_000000';
  const config = loadConfig({ DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_ADMIN_KEY: admin, LOG_LEVEL: level }, FAST_BUS);
  const hub = await createHub(config, { logger: createLogger(level, sink) });
  const url = `http://127.0.0.1:${await hub.listen(0, '127.0.0.1')}`;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(url + path, { headers: { authorization: `Bearer ${admin}`, ...headers } });
  const lineFor = (id: string | null) => lines.find((l) => l.req?.id === id);
  return { hub, lines, get, lineFor, close: async () => (await hub.close(), await db.drop()) };
}

describe('request log', () => {
  let info: Awaited<ReturnType<typeof hubLoggingAt>>;
  let debug: Awaited<ReturnType<typeof hubLoggingAt>>;
  beforeAll(async () => {
    [info, debug] = await Promise.all([hubLoggingAt('info'), hubLoggingAt('debug')]);
  });
  afterAll(async () => {
    await Promise.all([info?.close(), debug?.close()]);
  });

  it('at info, logs a 4xx with its path (no query string) and status, and writes nothing for a 2xx', async () => {
    const ok = await info.get('/v1/profiles');
    expect(ok.status).toBe(200);
    const missing = await info.get('/v1/nothing-here?code=one-time-secret');
    expect(missing.status).toBe(404);
    const line = (await eventually(() => info.lineFor(missing.headers.get('x-request-id'))))!;
    expect(line).toMatchObject({ level: 30, msg: 'request completed', req: { method: 'GET', path: '/v1/nothing-here' }, res: { statusCode: 404 } });
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(info.lines)).not.toContain('one-time-secret');
    // The 404 was logged after the 200 had answered: the 200 would be there by now if it were logged.
    expect(info.lineFor(ok.headers.get('x-request-id'))).toBeUndefined();
  });

  it('at debug, logs every request but GET /healthz, and keeps a well-formed X-Request-Id', async () => {
    expect((await debug.get('/healthz', { 'x-request-id': 'health-1' })).headers.get('x-request-id')).toBe('health-1');
    const ok = await debug.get('/v1/profiles', { 'x-request-id': 'trace-abc.1' });
    expect(ok.headers.get('x-request-id')).toBe('trace-abc.1');
    const line = (await eventually(() => debug.lineFor('trace-abc.1')))!;
    expect(line).toMatchObject({ level: 20, req: { method: 'GET', path: '/v1/profiles' }, res: { statusCode: 200 } });
    expect(debug.lineFor('health-1')).toBeUndefined();
  });

  it('replaces a malformed X-Request-Id with a fresh UUID', async () => {
    const res = await debug.get('/v1/profiles', { 'x-request-id': 'bad id with spaces' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
