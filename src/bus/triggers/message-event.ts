import type { HubEvent, InboundMessage } from '../../channel/index.ts';

/** The `message.received` event of a chat message the inbox worker interpreted (inbox row `inboxId`). */
export function messageReceivedEvent(inboxId: number, userId: string, m: InboundMessage): HubEvent {
  return {
    type: 'message.received',
    userId,
    integrationId: m.integrationId,
    sourceId: `inbox:${inboxId}`,
    occurredAt: m.sentAt,
    data: {
      channel: m.channel,
      integration_id: m.integrationId,
      message_id: m.messageId,
      text: m.text,
      sender: m.sender,
      attachments: m.attachments,
      is_direct: m.isDirect,
      reply_to: m.replyTo ?? null,
      edited: m.edited ?? false,
      sent_at: new Date(m.sentAt).toISOString(),
    },
  };
}
