import type { InboundMessage, InboxEventView } from '../../src/channel/index.ts';

/** What the hub commits to the inbox for one console chat line. */
export interface ConsoleEvent {
  userId: string;
  profileId: string;
  /** The conversation's name (`default` unless `--thread` names another). */
  thread: string;
  text: string;
  sentAt: number;
}

/** Where a console reply goes: the waiting chat request. */
export interface ConsoleTarget {
  threadId?: string;
  inboxId?: number;
  profileId?: string;
  thread?: string;
}

/** Parses a console inbox event; undefined when it is malformed. */
export function parseConsoleEvent(event: InboxEventView): { message: InboundMessage; userId: string; profileId: string } | undefined {
  const p = event.payload as Partial<ConsoleEvent> | null;
  if (!p || typeof p.text !== 'string' || typeof p.userId !== 'string' || typeof p.profileId !== 'string') return undefined;
  const thread = typeof p.thread === 'string' && p.thread ? p.thread : 'default';
  return {
    userId: p.userId,
    profileId: p.profileId,
    message: {
      channel: 'console',
      integrationId: null,
      threadKey: thread,
      messageId: event.externalEventId,
      sender: { id: p.userId },
      text: p.text,
      attachments: [],
      isDirect: true,
      replyTarget: { inboxId: event.id, profileId: p.profileId, thread } satisfies ConsoleTarget,
      sentAt: typeof p.sentAt === 'number' ? p.sentAt : Date.now(),
      raw: p,
    },
  };
}
