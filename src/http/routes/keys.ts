import { Router } from 'express';
import { z } from 'zod';
import { newApiKey } from '../../crypto/tokens.ts';
import { ConflictError, NotFoundError } from '../../errors.ts';
import type { HubContext } from '../../hub.ts';
import type { ApiKeyInfo } from '../../store/api-keys.ts';
import { iso } from '../../store/json.ts';
import { principal, userOnly } from '../auth.ts';
import { parse } from '../validate.ts';

const CreateKey = z.strictObject({ name: z.string().trim().min(1).max(100).optional() });

/** JSON of an API key: never the key or its hash. `current` is true for the key making the request. */
export const apiKeyView = (k: ApiKeyInfo, currentKeyId?: string) => ({
  id: k.id,
  name: k.name,
  hint: k.hint,
  created_at: iso(k.created_at),
  last_used_at: iso(k.last_used_at),
  current: k.id === currentKeyId,
});

/**
 * The caller's API keys: `GET /v1/keys`, `POST /v1/keys` (the key is shown once), and
 * `DELETE /v1/keys/:id`. User keys only. Deleting the key that makes the request is refused (409
 * `last_key`) when it is the caller's only key, so nobody locks themselves out by accident.
 */
export function keysRoutes(hub: HubContext): Router {
  const r = Router();
  const keys = hub.store.users.apiKeys;
  const currentKey = (res: Parameters<typeof principal>[0]) => {
    const p = principal(res);
    return p.kind === 'user' ? p.keyId : undefined;
  };

  r.get('/v1/keys', async (_req, res) => {
    const user = userOnly(res);
    res.json({ keys: (await keys.list(user.id)).map((k) => apiKeyView(k, currentKey(res))) });
  });

  r.post('/v1/keys', async (req, res) => {
    const user = userOnly(res);
    const body = parse(CreateKey, req.body);
    const key = newApiKey();
    const row = await keys.add(user.id, key, { name: body.name ?? `key ${new Date().toISOString().slice(0, 10)}` });
    res.status(201).json({ key: apiKeyView(row, currentKey(res)), api_key: key });
  });

  r.delete('/v1/keys/:id', async (req, res) => {
    const user = userOnly(res);
    const id = req.params.id;
    const deleted = await hub.store.transaction(async (tx) => {
      if (id === currentKey(res) && (await tx.users.apiKeys.count(user.id)) <= 1) {
        throw new ConflictError('This is your only API key: create another one (POST /v1/keys) before revoking it', 'last_key');
      }
      return tx.users.apiKeys.delete(user.id, id);
    });
    if (!deleted) throw new NotFoundError('API key');
    res.status(204).end();
  });
  return r;
}
