import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A caller's `X-Request-Id` we keep: 1–100 word characters, dots or dashes. */
const REQUEST_ID = /^[\w.-]{1,100}$/;

/** The id of one request: the caller's `X-Request-Id` when it is well formed, else a fresh UUID. */
export function requestIdOf(headers: IncomingHttpHeaders): string {
  const given = headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}
