import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../errors.ts';
import type { HubContext } from '../../hub.ts';
import { iso, parseJson } from '../../store/json.ts';
import type { NotificationRow } from '../../store/notifications.ts';
import type { DeliveryRow } from '../../store/outbox.ts';
import { notify } from '../../notify/service.ts';
import { principal } from '../auth.ts';
import { parse } from '../validate.ts';
import { deliveryView } from '../views.ts';

const Notify = z.strictObject({
  profile_id: z.string().min(1).optional(),
  channel: z.string().min(1).max(200).optional(),
  channels: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
  message: z.string().min(1).max(256 * 1024),
  subject: z.string().min(1).max(500).optional(),
  claim: z.boolean().optional(),
  idempotency_key: z.string().min(1).max(200).optional(),
});

/** JSON of a notification with its deliveries. */
export const notificationView = (n: NotificationRow, deliveries: DeliveryRow[]) => ({
  id: n.id,
  profile_id: n.profile_id,
  message: n.message,
  subject: n.subject,
  claim: Number(n.claim) === 1,
  channels: parseJson<string[]>(n.channels, []),
  idempotency_key: n.idempotency_key,
  created_at: iso(n.created_at),
  deliveries: deliveries.map(deliveryView),
});

/** `POST /v1/notify` and `GET /v1/notifications/:id`. */
export function notifyRoutes(hub: HubContext): Router {
  const r = Router();
  r.post('/v1/notify', async (req, res) => {
    const body = parse(Notify, req.body);
    const p = principal(res);
    let profile;
    if (p.kind === 'profile') profile = p.profile;
    else {
      if (!body.profile_id) throw new BadRequestError('profile_id is required with a user API key (or call with the profile\'s token)', 'profile_required');
      profile = await hub.store.profiles.find(p.user.id, body.profile_id);
      if (!profile) throw new NotFoundError('Profile');
    }
    const result = await notify(hub.store, hub.bus, hub.config.bus, profile, body);
    res.status(202).json({ notification: notificationView(result.notification, result.deliveries), duplicate: !result.created });
  });
  r.get('/v1/notifications/:id', async (req, res) => {
    const p = principal(res);
    const n = await hub.store.notifications.get(p.user.id, req.params.id);
    if (!n || (p.kind === 'profile' && n.profile_id !== p.profile.id)) throw new NotFoundError('Notification');
    res.json({ notification: notificationView(n, await hub.store.outbox.byNotification(n.id)) });
  });
  return r;
}
