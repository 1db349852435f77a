/**
 * The few fields of Telegram's Bot API objects this adapter reads. We describe them here rather than
 * importing a types package, so the adapter depends only on what it uses.
 */

/** A Telegram user or bot. */
export interface TgUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

/** A chat: `private` (a DM), `group`, `supergroup` (maybe a forum) or `channel`. */
export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  is_forum?: boolean;
}

/** A text entity (mention, command, formatting) inside a text or caption. */
export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  user?: TgUser;
}

/** One size of a photo. */
export interface TgPhotoSize {
  file_id: string;
  file_unique_id?: string;
  width?: number;
  height?: number;
  file_size?: number;
}

/** A general file (also the base of the other file kinds below). */
export interface TgDocument {
  file_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

/** Audio, video, a voice or video message, or a GIF: a file with a length in seconds. */
export interface TgMedia extends TgDocument {
  duration?: number;
}

/** A sticker (its emoji is what it says). */
export interface TgSticker {
  file_id: string;
  emoji?: string;
  file_size?: number;
}

/** A point on the map; `live_period` (seconds) marks a live location. */
export interface TgLocation {
  latitude: number;
  longitude: number;
  horizontal_accuracy?: number;
  live_period?: number;
}

/** A named place. */
export interface TgVenue {
  location: TgLocation;
  title: string;
  address: string;
}

/** A shared contact card; `user_id` when the person is on Telegram. */
export interface TgContact {
  phone_number: string;
  first_name: string;
  last_name?: string;
  user_id?: number;
}

/** The message a message replies to (we read only these fields of it). */
export interface TgReply {
  message_id: number;
  from?: TgUser;
  text?: string;
  caption?: string;
}

/**
 * A message (also an edited message). Service messages (pins, title changes, members joining…)
 * carry one of their own fields instead of content; we read only the migration ones.
 */
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  caption_entities?: TgEntity[];
  photo?: TgPhotoSize[];
  document?: TgDocument;
  audio?: TgMedia;
  video?: TgMedia;
  voice?: TgMedia;
  video_note?: TgMedia;
  animation?: TgMedia;
  sticker?: TgSticker;
  location?: TgLocation;
  venue?: TgVenue;
  contact?: TgContact;
  reply_to_message?: TgReply;
  /** In the old group: it became the supergroup with this id. */
  migrate_to_chat_id?: number;
  /** In the new supergroup: it was the group with this id. */
  migrate_from_chat_id?: number;
  [other: string]: unknown;
}

/** A reaction: a standard emoji, a custom emoji (by id), or a paid star reaction. */
export type TgReaction = { type: 'emoji'; emoji: string } | { type: 'custom_emoji'; custom_emoji_id: string } | { type: 'paid' };

/**
 * `message_reaction` (Bot API MessageReactionUpdated): a user changed their reactions to a message.
 * Sent only to bots that are administrators of the chat. `actor_chat` instead of `user` when the
 * reaction is anonymous (a chat or an anonymous admin).
 */
export interface TgMessageReaction {
  chat: TgChat;
  message_id: number;
  user?: TgUser;
  actor_chat?: TgChat;
  date: number;
  old_reaction: TgReaction[];
  new_reaction: TgReaction[];
}

/** A chat member as `chat_member` updates show it (ChatMember): its status, and `is_member` for restricted ones. */
export interface TgChatMember {
  status: 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';
  user: TgUser;
  is_member?: boolean;
}

/** `chat_member` (Bot API ChatMemberUpdated): a member's status changed (joined, left, promoted…); admin bots only. */
export interface TgChatMemberUpdated {
  chat: TgChat;
  /** Who made the change (the member themself when they joined). */
  from: TgUser;
  date: number;
  old_chat_member: TgChatMember;
  new_chat_member: TgChatMember;
  invite_link?: { invite_link: string; name?: string; creator?: TgUser };
  via_join_request?: boolean;
  via_chat_folder_invite_link?: boolean;
}

/** An update as Telegram posts it; we handle `message`, `edited_message`, `message_reaction` and `chat_member`. */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  message_reaction?: TgMessageReaction;
  chat_member?: TgChatMemberUpdated;
  [other: string]: unknown;
}

/**
 * The update types we ask Telegram for (setWebhook / getUpdates `allowed_updates`). `message_reaction`
 * and `chat_member` are sent only when asked for by name, and only for chats where the bot is an admin.
 */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'message_reaction', 'chat_member'] as const;

/** Who may talk to a bot in DMs (and address it in groups). */
export type DmPolicy = 'owner' | 'allowlist' | 'open';

/** What a Telegram integration keeps in its (non-secret) config. */
export interface TelegramConfig {
  /**
   * The bot's identity (id, username, first_name), shown to the user. Its full getMe answer, which
   * grammY gets so it never calls getMe, is kept in the integration's state under {@link BOT_STATE_KEY}.
   */
  bot?: TgUser;
  /** `webhook` or `polling`: how this bot receives updates; fixed at connect time. */
  mode?: 'webhook' | 'polling';
  /** True for a user's row on the platform's shared bot. */
  shared?: boolean;
  dm_policy?: DmPolicy;
  /** Telegram user ids allowed when `dm_policy` is `allowlist`. */
  allow_from?: number[];
  /** Paid broadcast rate of this bot, msgs/s (30–1000); absent or null: Telegram's free 30/s. */
  broadcast_rate?: number | null;
}

/** The integration-state key of a bot's full getMe answer. */
export const BOT_STATE_KEY = 'bot';

/** What a Telegram integration keeps encrypted. */
export interface TelegramSecrets {
  token?: string;
  webhook_secret?: string;
}

/** Where an outbound message goes (stored in the outbox payload; opaque outside the adapter). */
export interface TelegramTarget {
  chat_id: number | string;
  message_thread_id?: number;
  /** `private`, `group`… (pacing treats groups more strictly). */
  chat_type?: string;
}
