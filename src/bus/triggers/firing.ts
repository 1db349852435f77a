import { createHash } from 'node:crypto';
import type { HubEvent, OutboundMessage } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import type { TriggerRow } from '../../store/triggers.ts';
import { capabilities as webhookCapabilities } from '../../../adapters/webhook/capabilities.ts';

/** The channel of the inbox rows that wake a profile (mode `agent`). */
export const TRIGGER_CHANNEL = 'trigger';
/** The channel of the outbox rows that call a trigger's URL (mode `url`). */
export const TRIGGER_URL_CHANNEL = 'trigger-url';
/** Deliveries in flight at once per `url` trigger (like webhooks): 8. */
const URL_LANES = 8;

/** An event as agents and URLs receive it. */
export interface EventEnvelope {
  /** Stable per occurrence: a repeat of the same event carries the same id. */
  id: string;
  type: string;
  integration_id: string | null;
  /** ISO time the event happened. */
  occurred_at: string;
  data: Record<string, unknown>;
}

/** What a `trigger` inbox row carries. */
export interface TriggerInboxPayload {
  trigger_id: string;
  event: EventEnvelope;
}

/** The public form of an event; its id is derived from the user and the source id. */
export function envelopeOf(e: HubEvent): EventEnvelope {
  const id = `evt_${createHash('sha256').update(`${e.userId}|${e.type}|${e.sourceId}`).digest('base64url').slice(0, 24)}`;
  return { id, type: e.type, integration_id: e.integrationId, occurred_at: new Date(e.occurredAt).toISOString(), data: e.data };
}

/**
 * The JSON body a `url` trigger receives, Standard Webhooks style: `type` (the event), `timestamp`,
 * `data` (the event's payload), plus the trigger and event ids.
 */
export function urlBody(trigger: TriggerRow, event: EventEnvelope): string {
  return JSON.stringify({ type: event.type, timestamp: event.occurred_at, trigger_id: trigger.id, event_id: event.id, integration_id: event.integration_id, data: event.data });
}

/**
 * Commits the work of one firing inside `tx`: an inbox row for `agent` mode (deduped on the trigger
 * and the event's source id), or an outbox row for `url` mode (idempotency key from the same pair).
 * Firing the same event twice therefore does nothing the second time.
 */
export async function fireInTx(tx: Store, trigger: TriggerRow, e: HubEvent): Promise<void> {
  const event = envelopeOf(e);
  if (trigger.mode === 'url') {
    const message: OutboundMessage = { text: urlBody(trigger, event), format: 'plain', target: { trigger_id: trigger.id }, data: { event_id: event.id } };
    await tx.outbox.enqueue([
      {
        idempotencyKey: `trigger:${trigger.id}:${e.sourceId}`,
        userId: trigger.user_id,
        channel: TRIGGER_URL_CHANNEL,
        integrationId: null,
        orderingKey: `${TRIGGER_URL_CHANNEL}|${trigger.id}|${lane(event.id)}`,
        payload: message,
        maxAttempts: (webhookCapabilities.retrySchedule?.length ?? 6) + 1,
      },
    ]);
    return;
  }
  const payload: TriggerInboxPayload = { trigger_id: trigger.id, event };
  await tx.inbox.append([{ channel: TRIGGER_CHANNEL, source: trigger.id, externalEventId: e.sourceId, orderingKey: `${TRIGGER_CHANNEL}|${trigger.id}`, payload }]);
}

function lane(seed: string): number {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return h % URL_LANES;
}
