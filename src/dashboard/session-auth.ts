import type { RequestHandler } from 'express';
import type { Principal } from '../http/auth.ts';
import { safeEqual } from '../crypto/tokens.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { csrfTokenFor, readCookie, SESSION_COOKIE } from './cookies.ts';

/**
 * `/v1` authentication for the dashboard: a request without `Authorization` but with the session
 * cookie is the session's user, provided it also carries the session's `X-CSRF-Token` header (every
 * method: 403 `csrf_failed` otherwise). An unknown or expired session is 401 `session_expired`.
 * Everything else goes to `keyAuth` (Bearer keys and profile tokens), unchanged.
 */
export function sessionOrKeyAuth(store: Store, keyAuth: RequestHandler): RequestHandler {
  return async (req, res, next) => {
    const token = req.headers.authorization ? undefined : readCookie(req, SESSION_COOKIE);
    if (!token) return keyAuth(req, res, next);
    const session = await store.sessions.find(token);
    const user = session && (await store.users.byId(session.userId));
    if (!session || !user) throw new UnauthorizedError('Your dashboard session has expired: sign in again', 'session_expired');
    const given = req.headers['x-csrf-token'];
    if (typeof given !== 'string' || !safeEqual(given, csrfTokenFor(token))) {
      throw new ForbiddenError('Missing or wrong X-CSRF-Token header: reload the page', 'csrf_failed');
    }
    res.locals.principal = { kind: 'user', user, keyId: session.keyId } satisfies Principal;
    next();
  };
}
