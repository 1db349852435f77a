import express, { Router, type Response } from 'express';
import type { ChannelAdapter } from '../channel/index.ts';

/** Default body cap of a platform webhook: 1 MiB. */
const DEFAULT_MAX_BODY = 1024 * 1024;

/**
 * Mounts every adapter's public endpoints. Bodies arrive raw (adapters verify signatures over the
 * exact bytes) and capped; an oversized body answers 413 before the adapter sees it.
 */
export function inboundRoutes(adapters: Iterable<ChannelAdapter>): Router {
  const r = Router();
  for (const adapter of adapters) {
    for (const route of adapter.routes ?? []) {
      if (route.handleRaw) {
        const handleRaw = route.handleRaw.bind(route);
        r[route.method](route.path, async (req, res) => handleRaw(req, res));
        continue;
      }
      const handle = route.handle!.bind(route);
      const raw = express.raw({ type: () => true, limit: route.maxBodyBytes ?? DEFAULT_MAX_BODY });
      r[route.method](route.path, raw, async (req, res) => {
        const out = await handle({
          params: req.params as Record<string, string>,
          // express parses the query string on each read; webhooks rarely look at it.
          get query() {
            return req.query as Record<string, unknown>;
          },
          headers: req.headers,
          rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        });
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
