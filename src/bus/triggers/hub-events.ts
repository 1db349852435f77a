import type { EventEmitter } from 'node:events';
import type { HubEvent, IntegrationInfo, Logger } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import type { DeliveryRow } from '../../store/outbox.ts';
import { TRIGGER_REPLY_KEY } from './agent-channel.ts';
import { TRIGGER_CHANNEL, TRIGGER_URL_CHANNEL } from './firing.ts';

/** Writes the firings of an event inside a transaction (see TriggerDispatcher.fireIn). */
export type FireIn = (tx: Store, e: HubEvent) => Promise<number>;

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
 * The trigger side of a delivery that failed for good, run inside the transaction that marks it
 * failed or dead: a `url` trigger's own delivery counts against that trigger's health; an agent
 * trigger's turn and a trigger's answer fire nothing (no loops); any other delivery fires
 * `delivery.failed`. A crash after that commit therefore loses no firing. Resolves with how many fired.
 */
export async function deliveryFailedIn(tx: Store, row: DeliveryRow, fireIn: FireIn): Promise<number> {
  if (row.channel === TRIGGER_URL_CHANNEL) {
    await tx.triggers.recordFailure(triggerOf(row), row.last_error ?? 'failed');
    return 0;
  }
  if (row.channel === TRIGGER_CHANNEL) return 0;
  const n = row.notification_id ? await tx.notifications.byId(row.notification_id) : undefined;
  if (n?.idempotency_key?.startsWith(TRIGGER_REPLY_KEY)) return 0;
  return fireIn(tx, {
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

/** A `url` trigger's delivery went out: its failure count is cleared (best effort, logged on error). */
export function listenToOutbox(outbox: EventEmitter, store: Store, log: Logger): void {
  outbox.on('delivery.sent', (row: DeliveryRow) => {
    if (row.channel !== TRIGGER_URL_CHANNEL) return;
    store.triggers.recordSuccess(triggerOf(row)).catch((err) => log.error({ err, what: 'url trigger success' }, 'trigger bookkeeping failed'));
  });
}

function triggerOf(row: DeliveryRow): string {
  return String((JSON.parse(row.payload) as { target?: { trigger_id?: string } }).target?.trigger_id ?? '');
}
