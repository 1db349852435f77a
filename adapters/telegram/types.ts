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

/** A general file. */
export interface TgDocument {
  file_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

/** A message (also an edited message). */
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
  reply_to_message?: TgMessage;
}

/** An update as Telegram posts it; we handle `message` and `edited_message`. */
export interface TgUpdate {
  update_id: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  [other: string]: unknown;
}

/** The update types we ask Telegram for (setWebhook / getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = ['message', 'edited_message'] as const;

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
