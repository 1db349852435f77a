import type { InboundDecision, OutboundMessage } from '../../src/channel/index.ts';
import type { ParsedMessage } from './parse.ts';
import type { TelegramTarget } from './types.ts';

/** Where a reply to a parsed message goes; `via: 'shared'` marks the shared bot. */
export function targetOf(p: ParsedMessage, via?: 'shared'): TelegramTarget & { via?: 'shared' } {
  return {
    chat_id: p.chatId,
    ...(p.topicId !== undefined ? { message_thread_id: p.topicId } : {}),
    chat_type: p.chatType,
    ...(via ? { via } : {}),
  };
}

/** A plain-text answer to a message, threaded under it. */
export function answer(p: ParsedMessage, text: string, via?: 'shared'): OutboundMessage {
  return { text, format: 'plain', target: targetOf(p, via) as unknown as Record<string, unknown>, replyToMessageId: String(p.message.message_id) };
}

/** A `handled` decision that answers the sender with `text`. */
export function handledWith(p: ParsedMessage, note: string, text: string, o: { userId?: string; integrationId?: string | null; via?: 'shared' }): InboundDecision {
  return { kind: 'handled', note, userId: o.userId, integrationId: o.integrationId ?? null, replies: [answer(p, text, o.via)] };
}

/** Help shown by `/help` (and `/start` once linked). */
export const HELP = [
  'Commands:',
  '/link <code> - link your Telegram account to your Switchboard account (code from `integrations connect` or POST /v1/integrations/:id/link-code)',
  '/unlink - remove that link',
  '/whoami - your Telegram id and what it is linked to',
  '/new - start a fresh conversation',
  '/help - this list',
  'Anything else you write goes to the agent this bot is granted to.',
].join('\n');

/** Help of the shared bot. */
export const SHARED_HELP = [
  'This is the shared Switchboard bot.',
  'Pair it with your account: run `switchboard integrations connect --integration telegram --auth-method shared` (or POST /v1/integrations/telegram/pair) and open the link it gives you.',
  'Commands: /whoami, /new (fresh conversation), /unlink (unpair this chat), /help.',
].join('\n');

/** What an unclaimed bot says. */
export const UNCLAIMED =
  'This bot is connected to Switchboard but not claimed yet. The owner claims it by sending /link <code> here (the code was shown when the bot was connected). /help lists the commands.';
