import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { requestIdOf } from './request-id.ts';

/**
 * Writes one log line for a request when its response closes: `request completed` (or `request
 * aborted` when the client went away first) with the id, method, path of `url` (never the query
 * string: it can carry one-time codes), status and `responseTime` (ms, from this call): at `error`
 * for 5xx, `info` for 4xx, `debug` otherwise. A level that is off costs one comparison: nothing is
 * serialised for 2xx at `info`.
 */
export function logWhenClosed(logger: PinoLogger, req: IncomingMessage, res: ServerResponse, id: string, url: string): void {
  const start = performance.now();
  res.once('close', () => {
    const status = res.statusCode;
    const level = status >= 500 ? 'error' : status >= 400 || !res.writableFinished ? 'info' : 'debug';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      { req: { id, method: req.method, path: url.split('?')[0] }, res: { statusCode: status }, responseTime: Math.round(performance.now() - start) },
      res.writableFinished ? 'request completed' : 'request aborted',
    );
  });
}

/**
 * Request ids and one log line per request (see {@link logWhenClosed}). Every answer carries
 * `X-Request-Id` (see {@link requestIdOf}; also in `res.locals.requestId`); `GET /healthz` is not
 * logged.
 */
export function requestLog(logger: PinoLogger): RequestHandler {
  return (req, res, next) => {
    const id = requestIdOf(req.headers);
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    if (req.url !== '/healthz') logWhenClosed(logger, req, res, id, req.originalUrl);
    next();
  };
}
