import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ChannelAdapter, InboundHttpRequest } from '../../src/channel/index.ts';
import { HubError } from '../../src/errors.ts';
import { fastLane } from '../../src/http/fast-lane/fast-lane.ts';
import { createLogger } from '../../src/log.ts';
import { inboundRequests } from '../../src/metrics/index.ts';
import { eventually } from '../helpers/hub.ts';

/** A secret the adapter's failure carries; it must never reach an answer. */
const SECRET = 'sk_live_do_not_show_0123';

/** What the test adapter's webhook was called with, per call. */
const calls: InboundHttpRequest[] = [];

/** A channel with one capped webhook, one page and one raw route (which stays on the fallback). */
const laneAdapter = {
  name: 'lane',
  routes: [
    {
      method: 'post',
      path: '/api/lane/:id/hook',
      maxBodyBytes: 64,
      async handle(req: InboundHttpRequest) {
        calls.push(req);
        const text = req.rawBody.toString('utf8');
        if (text === 'boom') throw new Error(`exploded with ${SECRET}`);
        if (text === 'refused') throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        if (text === 'hub') throw new HubError(422, 'not_this_one', 'Not this one');
        return { status: 200, body: { id: req.params.id, query: { ...req.query }, text }, headers: { 'x-lane': 'yes' } };
      },
    },
    { method: 'get', path: '/api/lane/page', handle: async () => ({ status: 200, contentType: 'text/html', body: '<p>hi</p>', headers: { 'cache-control': 'no-store' } }) },
    { method: 'post', path: '/api/lane/raw', handleRaw: async () => {} },
  ],
} as unknown as ChannelAdapter;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json(): any;
}

let port: number;
let server: http.Server;
/** Requests the fast lane left to the fallback (express in the hub), by method and URL. */
const fellThrough: string[] = [];
const lines: Record<string, any>[] = [];

/** One request on a fresh connection; `chunks` are written one by one (chunked unless a Content-Length is given). */
function send(method: string, path: string, o: { headers?: Record<string, string>; chunks?: (string | Buffer)[] } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers: o.headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    for (const c of o.chunks ?? []) req.write(c);
    req.end();
  });
}

async function observed(channel: string, status: string): Promise<number> {
  const m = await inboundRequests.get();
  return m.values.find((v) => v.metricName?.endsWith('_count') && v.labels.channel === channel && v.labels.status === status)?.value ?? 0;
}

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const lane = fastLane([laneAdapter], createLogger('debug', sink));
  server = http.createServer((req, res) => {
    if (lane(req, res)) return;
    fellThrough.push(`${req.method} ${req.url}`);
    res.statusCode = 418;
    res.end('fallback');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  calls.length = 0;
  fellThrough.length = 0;
});

describe('the fast lane', () => {
  it('serves a matching route: decoded params, query, raw body, the adapter headers and JSON', async () => {
    const r = await send('POST', '/api/lane/a%20b/hook?x=1&x=2&y=z', { chunks: ['hello'] });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['x-lane']).toBe('yes');
    expect(r.json()).toEqual({ id: 'a b', query: { x: ['1', '2'], y: 'z' }, text: 'hello' });
    expect(fellThrough).toEqual([]);
  });

  it('matches paths as express does: case-insensitively and with a trailing slash', async () => {
    expect((await send('POST', '/API/Lane/q/HOOK/', { chunks: ['x'] })).json().id).toBe('q');
  });

  it('answers 413 without calling the adapter for a Content-Length above the cap', async () => {
    const body = 'x'.repeat(65);
    const r = await send('POST', '/api/lane/a/hook', { headers: { 'content-length': String(body.length) }, chunks: [body] });
    expect(r.status).toBe(413);
    expect(r.json()).toEqual({ error: { code: 'payload_too_large', message: 'Request body is too large' } });
    expect(calls).toEqual([]);
  });

  it('answers 413 without calling the adapter when a chunked body grows past the cap', async () => {
    const r = await send('POST', '/api/lane/a/hook', { chunks: ['x'.repeat(40), 'y'.repeat(40)] });
    expect(r.status).toBe(413);
    expect(r.json().error.code).toBe('payload_too_large');
    expect(calls).toEqual([]);
    // A chunked body at the cap exactly is whole.
    const ok = await send('POST', '/api/lane/a/hook', { chunks: ['x'.repeat(32), 'y'.repeat(32)] });
    expect(ok.status).toBe(200);
    expect(ok.json().text).toBe('x'.repeat(32) + 'y'.repeat(32));
  });

  it('decompresses a gzip body and refuses an encoding it cannot read with 415', async () => {
    const r = await send('POST', '/api/lane/a/hook', { headers: { 'content-encoding': 'gzip' }, chunks: [gzipSync('zipped')] });
    expect(r.json().text).toBe('zipped');
    const odd = await send('POST', '/api/lane/a/hook', { headers: { 'content-encoding': 'snappy' }, chunks: ['x'] });
    expect(odd.status).toBe(415);
    expect(odd.json().error.code).toBe('unsupported_encoding');
    const broken = await send('POST', '/api/lane/a/hook', { headers: { 'content-encoding': 'gzip' }, chunks: ['not gzip'] });
    expect(broken.status).toBe(400);
    expect(calls).toHaveLength(1);
  });

  it('keeps a well-formed X-Request-Id, mints a UUID otherwise, and logs the request under it without its query', async () => {
    const kept = await send('POST', '/api/lane/a/hook?code=one-time', { headers: { 'x-request-id': 'trace-lane.1' }, chunks: ['x'] });
    expect(kept.headers['x-request-id']).toBe('trace-lane.1');
    const line = (await eventually(() => lines.find((l) => l.req?.id === 'trace-lane.1')))!;
    expect(line).toMatchObject({ level: 20, msg: 'request completed', req: { method: 'POST', path: '/api/lane/a/hook' }, res: { statusCode: 200 } });
    expect(typeof line.responseTime).toBe('number');
    const minted = await send('POST', '/api/lane/a/hook', { headers: { 'x-request-id': 'has spaces' }, chunks: ['x'] });
    expect(minted.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('observes switchboard_inbound_request_duration_seconds by channel and status', async () => {
    const [ok, tooBig] = [await observed('lane', '200'), await observed('lane', '413')];
    await send('POST', '/api/lane/a/hook', { chunks: ['x'] });
    await send('POST', '/api/lane/a/hook', { chunks: ['x'.repeat(100)] });
    expect(await eventually(async () => (await observed('lane', '200')) === ok + 1)).toBe(true);
    expect(await observed('lane', '413')).toBe(tooBig + 1);
  });

  it('answers 503 database_unavailable with Retry-After while the database cannot be reached', async () => {
    const r = await send('POST', '/api/lane/a/hook', { chunks: ['refused'] });
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.json().error.code).toBe('database_unavailable');
    expect(await eventually(() => lines.find((l) => l.msg?.startsWith('webhook refused with 503')))).toMatchObject({ channel: 'lane' });
  });

  it('answers an error the adapter throws like the express error handler: HubErrors as they are, others 500 without internals, logged', async () => {
    const hub = await send('POST', '/api/lane/a/hook', { chunks: ['hub'] });
    expect(hub.status).toBe(422);
    expect(hub.json()).toEqual({ error: { code: 'not_this_one', message: 'Not this one' } });
    const boom = await send('POST', '/api/lane/a/hook', { headers: { 'x-request-id': 'boom-1' }, chunks: ['boom'] });
    expect(boom.status).toBe(500);
    expect(boom.json()).toEqual({ error: { code: 'internal_error', message: 'Internal error' } });
    expect(boom.text).not.toContain(SECRET);
    const logged = (await eventually(() => lines.find((l) => l.msg === 'unhandled error' && l.requestId === 'boom-1')))!;
    expect(logged.path).toBe('/api/lane/a/hook');
    expect((await eventually(() => lines.find((l) => l.req?.id === 'boom-1')))!.level).toBe(50);
  });

  it('answers 400 for a param that is not valid percent-encoding', async () => {
    const r = await send('POST', '/api/lane/%E0%A4%A/hook', { chunks: ['x'] });
    expect(r.status).toBe(400);
    expect(r.json().error.code).toBe('bad_request');
    expect(calls).toEqual([]);
  });

  it('writes a contentType answer as UTF-8 text, and HEAD of a GET route without the body', async () => {
    const page = await send('GET', '/api/lane/page');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toBe('<p>hi</p>');
    const head = await send('HEAD', '/api/lane/page');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('9');
    expect(head.text).toBe('');
  });

  it('answers OPTIONS with the methods of the path, as express does', async () => {
    const r = await send('OPTIONS', '/api/lane/page');
    expect(r.status).toBe(200);
    expect(r.headers.allow).toBe('GET, HEAD');
    expect(r.text).toBe('GET, HEAD');
  });

  it('leaves every other request to the fallback: unknown paths, other methods, raw routes', async () => {
    for (const [method, path] of [
      ['POST', '/api/nothing-here'],
      ['GET', '/api/lane/a/hook'],
      ['POST', '/api/lane/page'],
      ['POST', '/api/lane/raw'],
      ['OPTIONS', '/api/lane/raw'],
      ['POST', '/api/lane//hook'],
      ['GET', '/healthz'],
    ]) {
      const r = await send(method, path, { chunks: method === 'GET' || method === 'OPTIONS' ? [] : ['x'] });
      expect(r.status, `${method} ${path}`).toBe(418);
      expect(r.headers['x-request-id']).toBeUndefined();
    }
    expect(fellThrough).toHaveLength(7);
    expect(calls).toEqual([]);
  });
});
