import type { Attachment, MessagePart } from '../../src/channel/index.ts';
import { attachmentsOf, emptyReason, partsOf, renderContent } from './content.ts';
import { checkUpdate } from './schema.ts';
import type { TgChat, TgChatMember, TgChatMemberUpdated, TgEntity, TgMessage, TgMessageReaction, TgReaction, TgUser } from './types.ts';

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
  /** Text or caption; without either, a short rendering of the content (`[voice message, 3 s]`). Never ''. */
  text: string;
  attachments: Attachment[];
  /** Shared locations, venues and contacts. */
  parts: MessagePart[];
  /** `/cmd` (lower case, without `@bot`), its addressee and the rest of the line. */
  command?: { name: string; botName?: string; args: string };
}

/** Why an update was not a message we parse. */
export interface Unsupported {
  unsupported: string;
}

/** A basic group became a supergroup: its conversations move from one chat id to the other. */
export interface Migration {
  migration: { fromChatId: number; toChatId: number };
}

/** A person added reactions to a message: `message_reaction`'s new reactions minus its old ones. */
export interface ReactionAdded {
  reaction: { updateId: number; chat: TgChat; messageId: number; user?: TgUser; actorChat?: TgChat; added: TgReaction[]; date: number };
}

/** A person joined a chat: `chat_member` from left / kicked (or a restricted non-member) to a member. */
export interface MemberJoined {
  joined: { updateId: number; chat: TgChat; user: TgUser; by: TgUser; date: number; inviteLinkName?: string; viaJoinRequest: boolean };
}

/**
 * Reads a raw update from the inbox, checked against the schema of the fields we read. Messages and
 * edited messages with something to say become {@link ParsedMessage}; a group's upgrade to a
 * supergroup becomes a {@link Migration}; added reactions and joins become {@link ReactionAdded} and
 * {@link MemberJoined} (removed reactions and other member changes are unsupported); service messages, other update types and anything
 * malformed are reported as unsupported with the reason, never thrown.
 */
export function parseUpdate(raw: unknown): ParsedMessage | Unsupported | Migration | ReactionAdded | MemberJoined {
  const checked = checkUpdate(raw);
  if ('invalid' in checked) return { unsupported: checked.invalid };
  const u = checked.update;
  if (u.message_reaction) return reactionOf(u.update_id, u.message_reaction);
  if (u.chat_member) return joinOf(u.update_id, u.chat_member);
  const m = u.message ?? u.edited_message;
  if (!m) {
    const kind = Object.keys(u).find((k) => k !== 'update_id') ?? 'empty';
    return { unsupported: `unsupported update type ${kind}` };
  }
  if (m.migrate_to_chat_id !== undefined) return { migration: { fromChatId: m.chat.id, toChatId: m.migrate_to_chat_id } };
  if (m.migrate_from_chat_id !== undefined) return { migration: { fromChatId: m.migrate_from_chat_id, toChatId: m.chat.id } };
  if (!m.from) return { unsupported: 'message without a sender (channel post or anonymous admin)' };
  // A live location is re-sent as an edit every few seconds while it runs: not a new thing to answer.
  if (!u.message && m.location && !m.text && !m.caption) return { unsupported: 'live location update (an edit of a shared location)' };
  const attachments = attachmentsOf(m);
  const parts = partsOf(m);
  const text = m.text || m.caption || renderContent(attachments, parts);
  if (!text) return { unsupported: emptyReason(m) };
  return {
    updateId: u.update_id,
    message: m,
    edited: !u.message,
    chatId: m.chat.id,
    chatType: m.chat.type,
    topicId: m.is_topic_message && typeof m.message_thread_id === 'number' ? m.message_thread_id : undefined,
    from: m.from,
    text,
    attachments,
    parts,
    command: commandOf(m),
  };
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

const sameReaction = (a: TgReaction, b: TgReaction) =>
  a.type === b.type && (a.type !== 'emoji' || a.emoji === (b as typeof a).emoji) && (a.type !== 'custom_emoji' || a.custom_emoji_id === (b as typeof a).custom_emoji_id);

function reactionOf(updateId: number, r: TgMessageReaction): ReactionAdded | Unsupported {
  const added = r.new_reaction.filter((n) => !r.old_reaction.some((o) => sameReaction(o, n)));
  if (added.length === 0) return { unsupported: 'message_reaction that removed reactions and added none' };
  return { reaction: { updateId, chat: r.chat, messageId: r.message_id, user: r.user, actorChat: r.actor_chat, added, date: r.date } };
}

/** In the chat: creator, administrator, member, or restricted but still a member. */
const isIn = (m: TgChatMember) => m.status === 'creator' || m.status === 'administrator' || m.status === 'member' || (m.status === 'restricted' && m.is_member === true);

function joinOf(updateId: number, c: TgChatMemberUpdated): MemberJoined | Unsupported {
  if (isIn(c.old_chat_member) || !isIn(c.new_chat_member)) return { unsupported: `chat_member change ${c.old_chat_member.status} → ${c.new_chat_member.status} is not a join` };
  return { joined: { updateId, chat: c.chat, user: c.new_chat_member.user, by: c.from, date: c.date, inviteLinkName: c.invite_link?.name, viaJoinRequest: c.via_join_request === true } };
}
