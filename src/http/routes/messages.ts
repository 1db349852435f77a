import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import { z } from 'zod';
import { ForbiddenError, NotFoundError } from '../../errors.ts';
import type { HubContext } from '../../hub.ts';
import { MESSAGE_TYPES, messageView } from '../../store/messages.ts';
import { principal, userOnly } from '../auth.ts';
import { parse } from '../validate.ts';
import { deliveryView, threadView } from '../views.ts';

const LogQuery = z.object({
  type: z.enum([...MESSAGE_TYPES, 'delivery']).optional(),
  thread: z.string().optional(),
  /** A profile id: only its messages (a profile token always sees only its own). */
  profile: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const ThreadReply = z.strictObject({ text: z.string().min(1).max(64_000), idempotency_key: z.string().min(1).max(200).optional() });

/** The message log and threads. */
export function messagesRoutes(hub: HubContext): Router {
  const r = Router();
  const { store } = hub;

  r.get('/v1/messages', async (req, res) => {
    const q = parse(LogQuery, req.query);
    const p = principal(res);
    if (q.type === 'delivery') {
      const rows = await store.outbox.recentForUser(p.user.id, q.limit, p.kind === 'profile' ? p.profile.id : undefined);
      return void res.json({ messages: rows.map((d) => ({ type: 'delivery', ...deliveryView(d) })) });
    }
    const rows = await store.messages.list(p.user.id, { type: q.type, threadId: q.thread, limit: q.limit, profileId: p.kind === 'profile' ? p.profile.id : q.profile });
    res.json({ messages: rows.map(messageView) });
  });

  // Queues a dead-lettered or refused delivery again (the dashboard's "retry").
  r.post('/v1/deliveries/:id/retry', async (req, res) => {
    const user = userOnly(res);
    const id = Number(req.params.id);
    const row = Number.isSafeInteger(id) && id > 0 ? await store.outbox.retry(user.id, id) : undefined;
    if (!row) throw new NotFoundError('Dead or failed delivery');
    res.json({ delivery: deliveryView(row) });
  });

  r.get('/v1/threads', async (_req, res) => {
    const p = principal(res);
    const rows = await store.threads.list(p.user.id, { profileId: p.kind === 'profile' ? p.profile.id : undefined });
    res.json({ threads: rows.map(threadView) });
  });

  r.get('/v1/threads/:id', async (req, res) => {
    const p = principal(res);
    const thread = await store.threads.get(p.user.id, req.params.id);
    if (!thread || (p.kind === 'profile' && thread.profile_id !== p.profile.id)) throw new NotFoundError('Thread');
    const messages = await store.messages.list(p.user.id, { threadId: thread.id, limit: 50 });
    res.json({ thread: threadView(thread), messages: messages.reverse().map(messageView) });
  });

  r.post('/v1/threads/:id/messages', async (req, res) => {
    const body = parse(ThreadReply, req.body);
    const p = principal(res);
    const thread = await store.threads.get(p.user.id, req.params.id);
    if (!thread || (p.kind === 'profile' && thread.profile_id !== p.profile.id)) throw new NotFoundError('Thread');
    const profileId = p.kind === 'profile' ? p.profile.id : thread.profile_id;
    const profile = profileId ? await store.profiles.get(p.user.id, profileId) : undefined;
    if (!profile) throw new NotFoundError('Profile of the thread');
    // A profile whose grant was revoked may no longer speak through that integration.
    if (thread.integration_id && !(await store.grants.has(profile.id, thread.integration_id))) {
      throw new ForbiddenError(`The thread's ${thread.channel} integration is no longer granted to profile ${profile.name}`, 'not_granted');
    }
    await hub.bus.replyInThread(profile, thread, body.text, body.idempotency_key ?? randomUUID());
    res.status(202).json({ accepted: true, thread: threadView(thread) });
  });
  return r;
}
