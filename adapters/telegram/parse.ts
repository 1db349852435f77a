import type { Attachment } from '../../src/channel/index.ts';
import type { TgEntity, TgMessage, TgUpdate, TgUser } from './types.ts';

/** A Telegram message reduced to what the policy, the commands and the bus need. */
export interface ParsedMessage {
  updateId: number;
  message: TgMessage;
  edited: boolean;
  chatId: number;
  chatType: TgMessage['chat']['type'];
  /** The forum topic, when the message is in one. */
  topicId?: number;
  from: TgUser;
  /** Text or caption ('' for a bare photo or file). */
  text: string;
  attachments: Attachment[];
  /** `/cmd` (lower case, without `@bot`), its addressee and the rest of the line. */
  command?: { name: string; botName?: string; args: string };
}

/** Why an update was not a message we parse. */
export interface Unsupported {
  unsupported: string;
}

/**
 * Reads a raw update from the inbox. Messages and edited messages become {@link ParsedMessage};
 * every other update type (and anything malformed) is reported as unsupported, never thrown.
 */
export function parseUpdate(raw: unknown): ParsedMessage | Unsupported {
  if (!raw || typeof raw !== 'object' || typeof (raw as TgUpdate).update_id !== 'number') return { unsupported: 'not a Telegram update' };
  const u = raw as TgUpdate;
  const m = u.message ?? u.edited_message;
  if (!m) {
    const kind = Object.keys(u).find((k) => k !== 'update_id') ?? 'empty';
    return { unsupported: `unsupported update type ${kind}` };
  }
  if (!m.chat || typeof m.chat.id !== 'number' || typeof m.message_id !== 'number') return { unsupported: 'malformed message' };
  if (!m.from) return { unsupported: 'message without a sender (channel post or anonymous admin)' };
  const text = m.text ?? m.caption ?? '';
  return {
    updateId: u.update_id,
    message: m,
    edited: !u.message,
    chatId: m.chat.id,
    chatType: m.chat.type,
    topicId: m.is_topic_message && typeof m.message_thread_id === 'number' ? m.message_thread_id : undefined,
    from: m.from,
    text,
    attachments: attachmentsOf(m),
    command: commandOf(m),
  };
}

/** Photos (the largest size) and documents as attachments with their file ids. */
export function attachmentsOf(m: TgMessage): Attachment[] {
  const out: Attachment[] = [];
  if (Array.isArray(m.photo) && m.photo.length > 0) {
    const best = m.photo.reduce((a, b) => ((b.width ?? 0) * (b.height ?? 0) > (a.width ?? 0) * (a.height ?? 0) ? b : a));
    out.push({ kind: 'photo', id: best.file_id, size: best.file_size });
  }
  if (m.document?.file_id) {
    out.push({ kind: 'document', id: m.document.file_id, name: m.document.file_name, mimeType: m.document.mime_type, size: m.document.file_size });
  }
  return out;
}

/** A leading bot command (`/link@my_bot CODE`), when the message starts with one. */
function commandOf(m: TgMessage): ParsedMessage['command'] {
  const text = m.text;
  if (!text) return undefined;
  const first = m.entities?.find((e) => e.type === 'bot_command' && e.offset === 0);
  const match = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,64}))?(?:\s+([\s\S]*))?$/.exec(text.trim());
  if (!match || (m.entities && !first)) return undefined;
  return { name: match[1].toLowerCase(), botName: match[2], args: (match[3] ?? '').trim() };
}

/** True when the text or caption mentions `@username` (by entity or plainly) or names the bot by id. */
export function mentions(m: TgMessage, bot: TgUser): boolean {
  const text = m.text ?? m.caption ?? '';
  const entities: TgEntity[] = m.entities ?? m.caption_entities ?? [];
  const name = bot.username?.toLowerCase();
  for (const e of entities) {
    if (e.type === 'text_mention' && e.user?.id === bot.id) return true;
    if (e.type === 'mention' && name && text.slice(e.offset + 1, e.offset + e.length).toLowerCase() === name) return true;
  }
  return !!name && new RegExp(`(^|\\W)@${name}(\\W|$)`, 'i').test(text);
}

/** The text without a leading `@bot` mention (what the agent should read in a group). */
export function stripMention(text: string, bot: TgUser): string {
  if (!bot.username) return text;
  return text.replace(new RegExp(`^\\s*@${bot.username}\\b[\\s,:]*`, 'i'), '').trim() || text;
}

/** The conversation key inside one integration: chat, forum topic, and the `/new` generation. */
export function conversationKey(chatId: number, topicId: number | undefined): string {
  return topicId === undefined ? `${chatId}` : `${chatId}:${topicId}`;
}

/** Display name of a Telegram user. */
export function displayName(u: TgUser): string {
  return [u.first_name, u.last_name].filter(Boolean).join(' ') || u.username || String(u.id);
}
