import { ZodError } from 'zod';
import { HubError } from '../errors.ts';
import type { Logger } from '../channel/index.ts';

/** Body-parser (and body reader) errors carry a `type`; map the ones a client causes. */
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

/** Where an error happened, for the log line of an unexpected one. */
export interface ErrorPlace {
  requestId?: string;
  /** The request's path, without the query string. */
  path: string;
}

/**
 * The answer for any error thrown while serving a request: a HubError as is, a zod error as 400
 * `invalid_request`, a client-caused body error with its status; anything else is logged (with the
 * request id and path) and becomes 500 `internal_error`, so no internals reach the caller.
 */
export function toHubError(err: unknown, log: Logger, place: ErrorPlace): HubError {
  let e: HubError | undefined;
  if (err instanceof HubError) e = err;
  else if (err instanceof ZodError) e = new HubError(400, 'invalid_request', zodMessage(err));
  else if (err && typeof err === 'object') e = bodyParserError(err);
  if (e) return e;
  log.error({ err, requestId: place.requestId, path: place.path }, 'unhandled error');
  return new HubError(500, 'internal_error', 'Internal error');
}

/** The JSON body of an error answer: `{"error":{"code","message",…details}}`. */
export function errorBody(e: HubError): { error: Record<string, unknown> } {
  return { error: { code: e.code, message: e.message, ...(e.details ?? {}) } };
}
