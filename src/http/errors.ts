import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from '../channel/index.ts';
import { errorBody, toHubError } from './error-mapping.ts';

/** Maps every error to `{"error":{"code","message"}}` with a fitting status; never leaks internals. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = toHubError(err, log, { requestId: res.locals.requestId, path: req.path });
    if (res.headersSent) return;
    res.status(e.status).json(errorBody(e));
  };
}

/** 404 for routes that do not exist. */
export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'route_not_found', message: `No route for ${req.method} ${req.path}` } });
};
