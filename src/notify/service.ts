import type { OutboundMessage } from '../channel/index.ts';
import type { Bus } from '../bus/index.ts';
import { orderingKey } from '../bus/turn.ts';
import type { BusTuning } from '../config.ts';
import { BadRequestError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { NotificationRow } from '../store/notifications.ts';
import type { DeliveryRow } from '../store/outbox.ts';
import type { ProfileRow } from '../store/profiles.ts';
import { resolveChannel, type ResolvedChannel } from './resolve.ts';

/** A notify call. */
export interface NotifyInput {
  channel?: string;
  channels?: string[];
  message: string;
  subject?: string;
  claim?: boolean;
  idempotency_key?: string;
}

/** What notify made (or found, for a repeated idempotency key). */
export interface NotifyResult {
  notification: NotificationRow;
  deliveries: DeliveryRow[];
  /** False when the idempotency key matched an earlier notification: nothing new was sent. */
  created: boolean;
}

/**
 * Notifies a profile's user: resolves every channel first (nothing is written if one fails), then
 * commits the notification, its log entry and one delivery per channel together, and wakes the outbox.
 */
export async function notify(store: Store, bus: Bus, tuning: BusTuning, profile: ProfileRow, input: NotifyInput): Promise<NotifyResult> {
  if (input.idempotency_key) {
    const earlier = await store.notifications.byIdempotencyKey(profile.id, input.idempotency_key);
    if (earlier) return { notification: earlier, deliveries: await store.outbox.byNotification(earlier.id), created: false };
  }
  const specs = [...new Set([...(input.channel ? [input.channel] : []), ...(input.channels ?? [])])];
  if (specs.length === 0) throw new BadRequestError('Name a channel (channel) or several (channels)', 'channel_required');
  const resolved: ResolvedChannel[] = [];
  for (const spec of specs) resolved.push(await resolveChannel(store, bus.adapters, profile, spec, !!input.claim));
  for (const r of resolved) {
    r.adapter.checkOutbound?.({ text: input.message, format: 'markdown', subject: input.subject, target: r.target, data: { channel: r.spec } }, r.integration);
  }

  let notification: NotificationRow;
  try {
    notification = await commit(store, profile, input, specs, resolved, tuning);
  } catch (e) {
    // Two calls with one idempotency key raced: the loser finds the winner's notification.
    const earlier = input.idempotency_key && (await store.notifications.byIdempotencyKey(profile.id, input.idempotency_key));
    if (!earlier) throw e;
    return { notification: earlier, deliveries: await store.outbox.byNotification(earlier.id), created: false };
  }
  bus.outboxWorker.wake();
  return { notification, deliveries: await store.outbox.byNotification(notification.id), created: true };
}

/** Writes the notification, its log entry and its deliveries in one transaction. */
function commit(store: Store, profile: ProfileRow, input: NotifyInput, specs: string[], resolved: ResolvedChannel[], tuning: BusTuning): Promise<NotificationRow> {
  return store.transaction(async (tx) => {
    const n = await tx.notifications.create({
      userId: profile.user_id,
      profileId: profile.id,
      idempotencyKey: input.idempotency_key,
      message: input.message,
      subject: input.subject,
      claim: input.claim,
      channels: specs,
    });
    await tx.messages.add({
      userId: profile.user_id,
      profileId: profile.id,
      type: 'notification',
      direction: 'out',
      text: input.message,
      meta: { notification_id: n.id, channels: specs, subject: input.subject ?? null, claim: !!input.claim },
    });
    await tx.outbox.enqueue(
      resolved.map((r) => {
        const out: OutboundMessage = {
          text: input.message,
          format: 'markdown',
          subject: input.subject,
          target: r.target,
          data: { notification_id: n.id, profile_id: profile.id, claim: !!input.claim, channel: r.spec },
        };
        return {
          idempotencyKey: `${n.id}:${r.integration.id}`,
          userId: profile.user_id,
          channel: r.adapter.name,
          integrationId: r.integration.id,
          notificationId: n.id,
          orderingKey: orderingKey(r.adapter, out, r.integration.id, n.id),
          payload: out,
          maxAttempts: r.adapter.capabilities.retrySchedule ? r.adapter.capabilities.retrySchedule.length + 1 : tuning.maxAttempts,
        };
      }),
    );
    return n;
  });
}
