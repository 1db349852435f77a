import type { HubEvent, IntegrationInfo } from './services.ts';

/**
 * A hub event a chat adapter raises from one inbox row of `integration` (`reaction.added`,
 * `member.joined`): its owner's, deduped on the row, with `channel` and `integration_id` first in
 * its data.
 */
export function chatEvent(type: string, inboxId: number, integration: IntegrationInfo, occurredAt: number, data: Record<string, unknown>): HubEvent {
  return {
    type,
    userId: integration.userId,
    integrationId: integration.id,
    sourceId: `inbox:${inboxId}`,
    occurredAt,
    data: { channel: integration.type, integration_id: integration.id, ...data },
  };
}
