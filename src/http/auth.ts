import type { RequestHandler, Response } from 'express';
import { PROFILE_TOKEN_PREFIX } from '../crypto/tokens.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { LAST_USED_RESOLUTION_MS } from '../store/api-keys.ts';
import type { Store } from '../store/index.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { UserRow } from '../store/users.ts';

/** Who is calling: a user with an API key (`keyId` names the key), or an agent with its profile token. */
export type Principal = { kind: 'user'; user: UserRow; keyId: string } | { kind: 'profile'; user: UserRow; profile: ProfileRow };

/**
 * Resolves `Authorization: Bearer …` into `res.locals.principal`; 401 when missing or wrong. Reads
 * headers only, never the body. A user key's last use is recorded at most once a minute.
 */
export function authenticate(store: Store): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new UnauthorizedError('Missing API key: send Authorization: Bearer <key>');
    const token = m[1];
    if (token.startsWith(PROFILE_TOKEN_PREFIX)) {
      const profile = await store.profiles.byToken(token);
      const user = profile && (await store.users.byId(profile.user_id));
      if (!profile || !user) throw new UnauthorizedError('Invalid profile token');
      res.locals.principal = { kind: 'profile', user, profile } satisfies Principal;
    } else {
      const found = await store.users.apiKeys.find(token);
      if (!found) throw new UnauthorizedError('Invalid API key');
      const now = Date.now();
      const last = found.key.last_used_at;
      if (last === null || last < now - LAST_USED_RESOLUTION_MS) await store.users.apiKeys.touch(found.key.id, now);
      res.locals.principal = { kind: 'user', user: found.user, keyId: found.key.id } satisfies Principal;
    }
    next();
  };
}

/** The caller. */
export function principal(res: Response): Principal {
  return res.locals.principal as Principal;
}

/** The calling user; 403 when the caller is an agent's profile token. */
export function userOnly(res: Response): UserRow {
  const p = principal(res);
  if (p.kind !== 'user') throw new ForbiddenError('This call needs a user API key, not a profile token', 'user_key_required');
  return p.user;
}

/** The calling user; 403 unless an admin. */
export function adminOnly(res: Response): UserRow {
  const user = userOnly(res);
  if (Number(user.is_admin) !== 1) throw new ForbiddenError('Only an admin may do this', 'admin_required');
  return user;
}
