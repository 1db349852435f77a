import type { RequestListener } from 'node:http';
import type { Logger as PinoLogger } from 'pino';
import type { HubContext } from '../hub.ts';
import { createApp } from './app.ts';
import { fastLane } from './fast-lane/fast-lane.ts';

/**
 * The hub's node:http request listener: the adapters' webhook routes take the fast lane (see
 * {@link fastLane}); every other request goes to the express app of {@link createApp}.
 */
export function createRequestListener(hub: HubContext, logger: PinoLogger): RequestListener {
  const lane = fastLane(hub.bus.adapters.values(), logger);
  const app = createApp(hub, logger);
  return (req, res) => {
    if (!lane(req, res)) app(req, res);
  };
}
