import { Router } from 'express';
import { z } from 'zod';
import type { HubContext } from '../../hub.ts';
import { threadView } from '../views.ts';
import { parse } from '../validate.ts';
import { callerProfile } from './profiles.ts';

const ThreadName = z.string().min(1).max(100).regex(/^[\w.:-]+$/, 'letters, digits, _ . : - only');
const Chat = z.strictObject({ text: z.string().min(1).max(64_000), thread: ThreadName.optional(), wait_ms: z.number().int().min(0).max(120_000).optional() });
const Clear = z.strictObject({ thread: ThreadName.optional() });

/** The console channel: chat with a profile through the whole bus. */
export function chatRoutes(hub: HubContext): Router {
  const r = Router();
  r.post('/v1/profiles/:id/chat', async (req, res) => {
    const body = parse(Chat, req.body);
    const profile = await callerProfile(hub, res, req.params.id);
    const result = await hub.bus.chat(profile, body.thread ?? 'default', body.text, body.wait_ms ?? hub.chatWaitMs);
    res.status(result.reply === null ? 202 : 200).json({ thread: result.thread ? threadView(result.thread) : null, reply: result.reply, ...(result.failed ? { agent_failed: true } : {}) });
  });
  r.post('/v1/profiles/:id/chat/clear', async (req, res) => {
    const body = parse(Clear, req.body);
    const profile = await callerProfile(hub, res, req.params.id);
    const thread = await hub.store.threads.byKey(`console|profile:${profile.id}|${body.thread ?? 'default'}`);
    if (thread) await hub.store.threads.reset(thread.id);
    res.json({ cleared: true, thread: body.thread ?? 'default' });
  });
  return r;
}
