import { EventEmitter } from 'node:events';
import { splitText, type AdapterDeps, type ChannelAdapter, type InboundDecision, type InboxEventView, type OutboundMessage, type SendResult } from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { parseConsoleEvent, type ConsoleTarget } from './parse.ts';

/** A reply the console channel delivered. */
export interface ConsoleReply {
  /** The whole reply. */
  text: string;
  inboxId?: number;
  /** The reply as delivered, split at the console's text limit. */
  parts: string[];
}

/** The console adapter: the built-in local channel behind `POST /v1/profiles/:id/chat` and `switchboard chat`. */
export interface ConsoleAdapter extends ChannelAdapter {
  /** Resolves with the first reply to the inbound event `inboxId`, or undefined after `timeoutMs`. */
  waitForReply(inboxId: number, timeoutMs: number): Promise<ConsoleReply | undefined>;
}

/** Builds the console adapter. Replies are handed to whoever waits for them, in process. */
export function createConsoleAdapter(_deps: AdapterDeps): ConsoleAdapter {
  const replies = new EventEmitter();
  replies.setMaxListeners(0);
  const delivered = new Map<number, ConsoleReply>();
  let counter = 0;

  return {
    name: 'console',
    capabilities,

    async interpret(event: InboxEventView): Promise<InboundDecision> {
      const parsed = parseConsoleEvent(event);
      if (!parsed) return { kind: 'ignored', reason: 'malformed console event' };
      return { kind: 'message', message: parsed.message, userId: parsed.userId, profileId: parsed.profileId };
    },

    async send(message: OutboundMessage): Promise<SendResult> {
      const target = message.target as ConsoleTarget;
      const parts = splitText(message.text, capabilities.maxTextLength);
      if (target.inboxId !== undefined) {
        const earlier = delivered.get(target.inboxId);
        if (earlier) {
          earlier.text += `\n${message.text}`;
          earlier.parts.push(...parts);
        } else {
          delivered.set(target.inboxId, { text: message.text, inboxId: target.inboxId, parts });
          if (delivered.size > 10_000) delivered.delete(delivered.keys().next().value as number);
        }
        replies.emit(String(target.inboxId), delivered.get(target.inboxId));
      }
      return { messageIds: parts.map(() => `console-${++counter}`) };
    },

    orderingKey(message: OutboundMessage): string {
      const t = message.target as ConsoleTarget;
      return `console|${t.profileId ?? ""}|${t.thread ?? "default"}`;
    },

    waitForReply(inboxId: number, timeoutMs: number): Promise<ConsoleReply | undefined> {
      const ready = delivered.get(inboxId);
      if (ready) return Promise.resolve(ready);
      return new Promise((resolve) => {
        const key = String(inboxId);
        const onReply = (r: ConsoleReply) => {
          clearTimeout(timer);
          resolve(r);
        };
        const timer = setTimeout(() => {
          replies.off(key, onReply);
          resolve(delivered.get(inboxId));
        }, timeoutMs);
        replies.once(key, onReply);
      });
    },
  };
}
