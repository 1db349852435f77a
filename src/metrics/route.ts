import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Logger } from '../channel/index.ts';
import { UnauthorizedError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { DepthGauges } from './depth.ts';
import { ensureDefaultMetrics, processRegistry } from './registry.ts';

/** Options of {@link metricsRoutes}. */
export interface MetricsRouteOptions {
  store: Store;
  log: Logger;
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`; when undefined it is open. */
  token?: string;
  /** How long one depth reading answers scrapes, in ms. Default 2000. */
  depthTtlMs?: number;
}

/**
 * `GET /metrics`: Prometheus text (format 0.0.4) of this process's metrics, prom-client's default
 * process metrics, and the database-wide inbox/outbox depth read through a {@link DepthGauges}
 * cache. Open unless a token is configured (METRICS_TOKEN); a missing or wrong token gets 401.
 */
export function metricsRoutes(o: MetricsRouteOptions): Router {
  ensureDefaultMetrics();
  const depth = new DepthGauges({
    read: async () => ({ inbox: await o.store.counts.depth('inbox'), outbox: await o.store.counts.depth('outbox') }),
    log: o.log,
    ttlMs: o.depthTtlMs,
  });
  const expected = o.token === undefined ? undefined : digest(o.token);
  const r = Router();
  r.get('/metrics', async (req, res) => {
    if (expected && !bearerMatches(req.headers.authorization, expected)) {
      res.setHeader('www-authenticate', 'Bearer realm="metrics"');
      throw new UnauthorizedError('Missing or invalid metrics token (METRICS_TOKEN)');
    }
    const text = (await processRegistry.metrics()) + (await depth.registry.metrics());
    res.setHeader('content-type', processRegistry.contentType);
    res.setHeader('cache-control', 'no-store');
    res.send(text);
  });
  return r;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a `Bearer` header's token with the expected token's digest. */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), expected);
}
