import express, { type Express } from 'express';
import type { Logger as PinoLogger } from 'pino';
import type { HubContext } from '../hub.ts';
import { authenticate } from './auth.ts';
import { dashboardRoutes, sessionOrKeyAuth } from '../dashboard/index.ts';
import { errorHandler, notFoundRoute } from './errors.ts';
import { inboundRawRoutes } from './inbound.ts';
import { jsonBody } from './json-body.ts';
import { requestLog } from './request-log.ts';
import { mcpRoutes } from '../mcp/route.ts';
import { inboundLatency, metricsRoutes } from '../metrics/index.ts';
import { chatRoutes } from './routes/chat.ts';
import { integrationsRoutes } from './routes/integrations.ts';
import { keysRoutes } from './routes/keys.ts';
import { messagesRoutes } from './routes/messages.ts';
import { notifyRoutes } from './routes/notify.ts';
import { profilesRoutes } from './routes/profiles.ts';
import { triggersRoutes } from './routes/triggers.ts';
import { usersRoutes } from './routes/users.ts';

/**
 * The hub's express app: `/healthz`, the `handleRaw` platform endpoints (the `handle` webhooks take
 * the fast lane before express: see `listener.ts`), then the authenticated REST API under `/v1`,
 * then JSON errors.
 */
export function createApp(hub: HubContext, logger: PinoLogger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(requestLog(logger));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.use(metricsRoutes({ store: hub.store, log: logger, token: hub.config.metricsToken }));
  app.use('/api', inboundLatency(hub.bus.adapters.values()));
  app.use(inboundRawRoutes(hub.bus.adapters.values(), hub.log));
  for (const extra of hub.extraRoutes) app.use(extra);
  // MCP (POST /mcp) parses and authenticates its own requests, before the /v1 JSON parser.
  app.use(mcpRoutes(hub));
  // Authenticate first: an unauthenticated body is never read, let alone parsed.
  app.use(dashboardRoutes(hub));
  // A dashboard session (cookie + X-CSRF-Token) or a Bearer key.
  app.use('/v1', sessionOrKeyAuth(hub.store, authenticate(hub.store)), ...jsonBody());
  app.use(usersRoutes(hub));
  app.use(keysRoutes(hub));
  app.use(profilesRoutes(hub));
  app.use(chatRoutes(hub));
  app.use(messagesRoutes(hub));
  // Before the integrations routes: /v1/integrations/:id/triggers/pause|resume.
  app.use(triggersRoutes(hub));
  app.use(integrationsRoutes(hub));
  app.use(notifyRoutes(hub));
  app.use(notFoundRoute);
  app.use(errorHandler(logger));
  return app;
}
