import { Router } from 'express';
import { z } from 'zod';
import { newApiKey } from '../../crypto/tokens.ts';
import { ConflictError } from '../../errors.ts';
import type { HubContext } from '../../hub.ts';
import { adminOnly, principal } from '../auth.ts';
import { parse } from '../validate.ts';
import { userView } from '../views.ts';

const CreateUser = z.strictObject({ email: z.email(), name: z.string().min(1).max(200).optional(), admin: z.boolean().optional() });

/** `POST /v1/users` and `GET /v1/users` (admin: every user with their integrations count, never a secret), and `GET /v1/me`. */
export function usersRoutes(hub: HubContext): Router {
  const r = Router();
  r.post('/v1/users', async (req, res) => {
    adminOnly(res);
    const body = parse(CreateUser, req.body);
    if (await hub.store.users.byEmail(body.email)) throw new ConflictError(`A user with email ${body.email} already exists`, 'user_exists');
    const key = newApiKey();
    const user = await hub.store.transaction(async (tx) => {
      const u = await tx.users.create({ email: body.email, name: body.name, isAdmin: body.admin });
      await tx.users.addApiKey(u.id, key);
      await tx.profiles.create(u.id, 'default', { kind: 'echo' });
      return u;
    });
    res.status(201).json({ user: userView(user), api_key: key });
  });
  r.get('/v1/users', async (_req, res) => {
    adminOnly(res);
    const out = [];
    for (const u of await hub.store.users.list()) out.push({ ...userView(u), integrations: (await hub.store.integrations.list(u.id)).length });
    res.json({ users: out });
  });
  r.get('/v1/me', (_req, res) => {
    const p = principal(res);
    res.json({ user: userView(p.user), ...(p.kind === 'profile' ? { profile_id: p.profile.id } : {}) });
  });
  return r;
}
