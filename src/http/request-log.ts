import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger as PinoLogger } from 'pino';

/** A caller's `X-Request-Id` we keep: 1–100 word characters, dots or dashes. */
const REQUEST_ID = /^[\w.-]{1,100}$/;

/**
 * Request ids and one log line per request. Every answer carries `X-Request-Id` (the caller's, when
 * it is well formed, else a fresh UUID; also in `res.locals.requestId`). When the response ends,
 * one line `request completed` (or `request aborted` when the client went away first) is written
 * with the id, method, path (never the query string: it can carry one-time codes), status and
 * `responseTime` (ms): at `error` for 5xx, `info` for 4xx, `debug` otherwise; `GET /healthz` is not
 * logged. A level that is off costs one comparison: nothing is serialised for 2xx at `info`, so the
 * hot webhook routes pay for an id and a listener only.
 */
export function requestLog(logger: PinoLogger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    res.locals.requestId = id;
    res.setHeader('x-request-id', id);
    if (req.url === '/healthz') return next();
    const start = performance.now();
    res.once('close', () => {
      const status = res.statusCode;
      const level = status >= 500 ? 'error' : status >= 400 || !res.writableFinished ? 'info' : 'debug';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { id, method: req.method, path: req.originalUrl.split('?')[0] }, res: { statusCode: status }, responseTime: Math.round(performance.now() - start) },
        res.writableFinished ? 'request completed' : 'request aborted',
      );
    });
    next();
  };
}
