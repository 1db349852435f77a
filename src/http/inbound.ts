import express, { Router, type Response } from 'express';
import type { ChannelAdapter, Logger } from '../channel/index.ts';
import { isDatabaseUnavailable } from '../store/index.ts';

/** Default body cap of a platform webhook: 1 MiB. */
const DEFAULT_MAX_BODY = 1024 * 1024;

/** Seconds a platform is asked to wait before it sends again while the database is away. */
const RETRY_AFTER_S = 5;

/**
 * Mounts every adapter's public endpoints. Bodies arrive raw (adapters verify signatures over the
 * exact bytes) and capped; an oversized body answers 413 before the adapter sees it. When the
 * database cannot be reached (or written), the answer is 503 `database_unavailable` with
 * `Retry-After: 5`, so the platform delivers the event again; nothing was stored, and once the
 * database is back the same webhooks answer 200 again without a restart.
 */
export function inboundRoutes(adapters: Iterable<ChannelAdapter>, log?: Logger): Router {
  const r = Router();
  for (const adapter of adapters) {
    for (const route of adapter.routes ?? []) {
      if (route.handleRaw) {
        const handleRaw = route.handleRaw.bind(route);
        r[route.method](route.path, async (req, res) => {
          try {
            await handleRaw(req, res);
          } catch (e) {
            if (!unavailable(e, res, log, adapter.name)) throw e;
          }
        });
        continue;
      }
      const handle = route.handle!.bind(route);
      const raw = express.raw({ type: () => true, limit: route.maxBodyBytes ?? DEFAULT_MAX_BODY });
      r[route.method](route.path, raw, async (req, res) => {
        let out;
        try {
          out = await handle({
            params: req.params as Record<string, string>,
            // express parses the query string on each read; webhooks rarely look at it.
            get query() {
              return req.query as Record<string, unknown>;
            },
            headers: req.headers,
            rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
          });
        } catch (e) {
          if (unavailable(e, res, log, adapter.name)) return;
          throw e;
        }
        for (const [k, v] of Object.entries(out.headers ?? {})) res.setHeader(k, v);
        res.status(out.status);
        if (out.body === undefined) return void res.end();
        if (out.contentType) return void res.type(out.contentType).send(out.body);
        sendJson(res, out.body);
      });
    }
  }
  return r;
}

/** Answers 503 for a database outage (true), or leaves the error to the error handler (false). */
function unavailable(e: unknown, res: Response, log: Logger | undefined, channel: string): boolean {
  if (!isDatabaseUnavailable(e)) return false;
  log?.warn({ channel, err: (e as Error)?.message }, 'webhook refused with 503: the database is unavailable');
  if (res.headersSent) return true;
  res.setHeader('retry-after', String(RETRY_AFTER_S));
  res.status(503).json({ error: { code: 'database_unavailable', message: 'The database is unavailable right now; deliver this event again later' } });
  return true;
}

/**
 * A JSON answer written directly: platforms read only the status, so the hot webhook path skips
 * express's `res.json` work (content negotiation helpers, ETag hashing, freshness check).
 */
function sendJson(res: Response, body: unknown): void {
  const text = JSON.stringify(body);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
