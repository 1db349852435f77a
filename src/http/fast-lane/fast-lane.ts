import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { Logger as PinoLogger } from 'pino';
import type { ChannelAdapter } from '../../channel/index.ts';
import { inboundTimer } from '../../metrics/index.ts';
import { answerDatabaseUnavailable } from '../database-unavailable.ts';
import { errorBody, toHubError } from '../error-mapping.ts';
import { requestIdOf } from '../request-id.ts';
import { logWhenClosed } from '../request-log.ts';
import { sendJson } from '../send-json.ts';
import { readBody } from './read-body.ts';
import { RouteTable, type CompiledRoute, type RouteHit } from './route-table.ts';
import { writeAnswer } from './write-answer.ts';

/** Default body cap of a platform webhook: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Serves a request when it belongs to the fast lane (true); false leaves it to express, untouched. */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Paths the `/api` webhook timer covers (express's `app.use('/api', …)` match). */
const UNDER_API = /^\/api(\/|$)/i;

/**
 * The adapters' `handle` routes served on node:http, ahead of express: method and path matched as
 * express matches them (`HEAD` by `GET` routes, `OPTIONS` answered with `Allow`), the body read with
 * the route's cap (`maxBodyBytes`, default 1 MiB; 413 before the adapter is called), then the
 * adapter's answer written. Each request gets what the express stack gave it: `X-Request-Id`, the
 * request log line, the `/api` latency observation, 503 `database_unavailable` with `Retry-After`
 * for a database outage and the JSON error answers. `handleRaw` routes and every other request go
 * to express.
 */
export function fastLane(adapters: Iterable<ChannelAdapter>, log: PinoLogger): FastLane {
  const list = [...adapters];
  const table = new RouteTable(list);
  const time = inboundTimer(list);
  return (req, res) => {
    const url = req.url ?? '';
    if (!url.startsWith('/')) return false;
    const path = pathOf(url);
    let hit: RouteHit | undefined;
    let allow: string | undefined;
    if (req.method === 'OPTIONS') {
      const here = table.allAt(path);
      if (!here.some(servesHere)) return false;
      allow = allowHeader(here);
    } else {
      hit = table.find(req.method ?? '', path);
      if (!hit || !servesHere(hit.compiled)) return false;
    }
    const id = requestIdOf(req.headers);
    res.setHeader('x-request-id', id);
    logWhenClosed(log, req, res, id, url);
    if (UNDER_API.test(path)) time(url, res);
    if (hit) void serve(req, res, hit, { id, path, log });
    else answerOptions(res, allow!);
    return true;
  };
}

/** Whether the fast lane serves a route: it has `handle` (a `handleRaw` route stays on express). */
function servesHere(c: CompiledRoute): boolean {
  return !c.route.handleRaw && typeof c.route.handle === 'function';
}

/** Reads the body, calls the adapter, writes its answer, or the error answer. */
async function serve(req: IncomingMessage, res: ServerResponse, hit: RouteHit, at: { id: string; path: string; log: PinoLogger }): Promise<void> {
  const { route, channel } = hit.compiled;
  try {
    const params = paramsOf(hit);
    const rawBody = await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    let out;
    try {
      out = await route.handle!({
        params,
        get query() {
          return queryOf(req.url ?? '');
        },
        headers: req.headers,
        rawBody,
      });
    } catch (e) {
      if (answerDatabaseUnavailable(e, res, at.log, channel)) return;
      throw e;
    }
    writeAnswer(res, out);
  } catch (e) {
    const err = toHubError(e, at.log, { requestId: at.id, path: at.path });
    if (!res.headersSent) sendJson(res, err.status, errorBody(err));
  }
}

/** The path of a request target: up to its query string (or fragment). */
function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}

/** The query string parsed the way express's default (`simple`) query parser does. */
function queryOf(url: string): Record<string, unknown> {
  const start = url.indexOf('?');
  if (start === -1) return querystring.parse('');
  const end = url.indexOf('#', start);
  return querystring.parse(url.slice(start + 1, end === -1 ? undefined : end));
}

/** The `:param` values, percent-decoded; a malformed escape is a 400, as in express. */
function paramsOf(hit: RouteHit): Record<string, string> {
  const params: Record<string, string> = {};
  hit.compiled.paramNames.forEach((name, i) => {
    const raw = hit.rawParams[i];
    try {
      params[name] = raw.includes('%') ? decodeURIComponent(raw) : raw;
    } catch {
      throw Object.assign(new Error(`Failed to decode param '${raw}'`), { status: 400 });
    }
  });
  return params;
}

/** The `Allow` list of the routes at one path, as express builds it (`GET` routes add `HEAD`). */
function allowHeader(routes: CompiledRoute[]): string {
  const methods = new Set<string>();
  for (const c of routes) {
    methods.add(c.method);
    if (c.method === 'GET') methods.add('HEAD');
  }
  return [...methods].sort().join(', ');
}

/** Express's automatic `OPTIONS` answer. */
function answerOptions(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  res.setHeader('content-length', Buffer.byteLength(allow));
  res.setHeader('content-type', 'text/plain');
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(allow);
}
