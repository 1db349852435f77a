import { Router } from 'express';
import type { ChannelAdapter, Logger } from '../channel/index.ts';
import { answerDatabaseUnavailable } from './database-unavailable.ts';

/**
 * Mounts the adapters' `handleRaw` endpoints (libraries that want Node's request and response, e.g.
 * Slack's OAuth callback). The `handle` routes are served by the fast lane before express (see
 * `fast-lane/fast-lane.ts`). A database outage answers 503 `database_unavailable`.
 */
export function inboundRawRoutes(adapters: Iterable<ChannelAdapter>, log?: Logger): Router {
  const r = Router();
  for (const adapter of adapters) {
    for (const route of adapter.routes ?? []) {
      if (!route.handleRaw) continue;
      const handleRaw = route.handleRaw.bind(route);
      r[route.method](route.path, async (req, res) => {
        try {
          await handleRaw(req, res);
        } catch (e) {
          if (!answerDatabaseUnavailable(e, res, log, adapter.name)) throw e;
        }
      });
    }
  }
  return r;
}
