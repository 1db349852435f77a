import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { HubError } from '../errors.ts';
import type { Logger } from '../channel/index.ts';

/** Body-parser errors carry a `type`; map the ones a client causes. */
function bodyParserError(err: { type?: string; status?: number; message?: string }): HubError | undefined {
  if (err.type === 'entity.parse.failed') return new HubError(400, 'malformed_json', 'Request body is not valid JSON');
  if (err.type === 'entity.too.large') return new HubError(413, 'payload_too_large', 'Request body is too large');
  if (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported') return new HubError(415, 'unsupported_encoding', err.message ?? 'Unsupported encoding');
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return new HubError(err.status, 'bad_request', err.message ?? 'Bad request');
  return undefined;
}

/** Names the first failing field of a zod error, e.g. `name: expected string`. */
export function zodMessage(e: ZodError): string {
  return e.issues
    .slice(0, 3)
    .map((i) => {
      const field = i.path.length ? i.path.join('.') : 'body';
      if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}`;
      return `${field}: ${i.message}`;
    })
    .join('; ');
}

/** Maps every error to `{"error":{"code","message"}}` with a fitting status; never leaks internals. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    let e: HubError | undefined;
    if (err instanceof HubError) e = err;
    else if (err instanceof ZodError) e = new HubError(400, 'invalid_request', zodMessage(err));
    else if (err && typeof err === 'object') e = bodyParserError(err);
    if (!e) {
      log.error({ err, requestId: res.locals.requestId, path: req.path }, 'unhandled error');
      e = new HubError(500, 'internal_error', 'Internal error');
    }
    if (res.headersSent) return;
    res.status(e.status).json({ error: { code: e.code, message: e.message, ...(e.details ?? {}) } });
  };
}

/** 404 for routes that do not exist. */
export const notFoundRoute: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'route_not_found', message: `No route for ${req.method} ${req.path}` } });
};
