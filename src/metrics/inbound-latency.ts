import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { Histogram } from 'prom-client';
import type { ChannelAdapter } from '../channel/index.ts';
import { processRegistry } from './registry.ts';

/** Platform webhook requests (`/api/*`) by channel and HTTP status, in seconds (`switchboard_inbound_request_duration_seconds`). */
export const inboundRequests = new Histogram({
  name: 'switchboard_inbound_request_duration_seconds',
  help: 'Time from a platform webhook request (/api/*) arriving to its answer, by channel and HTTP status',
  labelNames: ['channel', 'status'] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
  registers: [processRegistry],
});

/** Starts timing one `/api/*` request whose full URL is `url`; observed when `res` finishes. */
export type InboundTimer = (url: string, res: ServerResponse) => void;

/**
 * Builds the timer of `/api/*` requests. The channel label is the adapter that owns the path's
 * first segment after `/api` (`/api/telegram/…` → `telegram`); any other path counts as `other`, so
 * made-up paths cannot grow the label set. Costs one clock read and one `finish` listener per request.
 */
export function inboundTimer(adapters: Iterable<ChannelAdapter>): InboundTimer {
  const bySegment = new Map<string, string>();
  for (const adapter of adapters) {
    for (const route of adapter.routes ?? []) {
      const m = /^\/api\/([^/:]+)/.exec(route.path);
      if (m) bySegment.set(m[1], adapter.name);
    }
  }
  return (url, res) => {
    const start = performance.now();
    res.once('finish', () => {
      const seg = url.split('/', 3)[2]?.split('?', 1)[0] ?? '';
      inboundRequests.observe({ channel: bySegment.get(seg) ?? 'other', status: String(res.statusCode) }, (performance.now() - start) / 1000);
    });
  };
}

/** Middleware for `app.use('/api', …)`: times each request with an {@link inboundTimer}. */
export function inboundLatency(adapters: Iterable<ChannelAdapter>): RequestHandler {
  const time = inboundTimer(adapters);
  return (req, res, next) => {
    time(req.originalUrl, res);
    next();
  };
}
