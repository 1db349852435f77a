import type { EventEmitter } from 'node:events';
import type { HubEvent, IntegrationInfo, Logger } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import type { DeliveryRow } from '../../store/outbox.ts';
import { TRIGGER_REPLY_KEY } from './agent-channel.ts';
import { TRIGGER_CHANNEL, TRIGGER_URL_CHANNEL } from './firing.ts';

/** The `integration.unhealthy` event of an integration that just turned unhealthy. */
export function unhealthyEvent(before: IntegrationInfo, reason: string | null): HubEvent {
  return {
    type: 'integration.unhealthy',
    userId: before.userId,
    integrationId: before.id,
    // Two processes that saw the same healthy row fire once; a later relapse is a new event.
    sourceId: `unhealthy:${before.id}:${before.updatedAt}`,
    occurredAt: Date.now(),
    data: { integration_id: before.id, type: before.type, name: before.name, reason },
  };
}

/**
 * Listens to the outbox worker: a delivery that failed for good becomes a `delivery.failed` event,
 * an integration it marked unhealthy an `integration.unhealthy` event, and the outcome of a `url`
 * trigger's own delivery updates that trigger's health. A trigger's own sends (its URL calls, its
 * answers) never fire `delivery.failed`, so a trigger cannot wake itself in a loop.
 */
export function listenToOutbox(outbox: EventEmitter, store: Store, emit: (e: HubEvent) => Promise<number>, log: Logger): void {
  const safely = (what: string, p: Promise<unknown>) => void p.catch((err) => log.error({ err, what }, 'trigger bookkeeping failed'));
  outbox.on('delivery.sent', (row: DeliveryRow) => {
    if (row.channel === TRIGGER_URL_CHANNEL) safely('url trigger success', store.triggers.recordSuccess(triggerOf(row)));
  });
  outbox.on('delivery.failed', (row: DeliveryRow) => safely('delivery.failed', deliveryFailed(row)));
  outbox.on('integration.unhealthy', (before: IntegrationInfo, reason: string | null) => safely('integration.unhealthy', emit(unhealthyEvent(before, reason))));

  async function deliveryFailed(row: DeliveryRow): Promise<void> {
    if (row.channel === TRIGGER_URL_CHANNEL) return store.triggers.recordFailure(triggerOf(row), row.last_error ?? 'failed');
    if (row.channel === TRIGGER_CHANNEL) return;
    const n = row.notification_id ? await store.notifications.byId(row.notification_id) : undefined;
    if (n?.idempotency_key?.startsWith(TRIGGER_REPLY_KEY)) return;
    await emit({
      type: 'delivery.failed',
      userId: row.user_id,
      integrationId: row.integration_id,
      sourceId: `delivery:${row.id}`,
      occurredAt: Date.now(),
      data: {
        delivery_id: row.id,
        channel: row.channel,
        integration_id: row.integration_id,
        notification_id: row.notification_id,
        thread_id: row.thread_id,
        status: row.status,
        attempts: row.attempts,
        error: row.last_error,
      },
    });
  }
}

function triggerOf(row: DeliveryRow): string {
  return String((JSON.parse(row.payload) as { target?: { trigger_id?: string } }).target?.trigger_id ?? '');
}
