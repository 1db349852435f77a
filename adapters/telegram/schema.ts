import { z } from 'zod';
import type { TgUpdate } from './types.ts';

/*
 * Zod schemas of exactly the update fields this adapter reads (see types.ts), checked where an
 * update enters: the webhook, the poller, and again when the inbox hands a row to the parser. Every
 * other field passes through untouched (objects are loose), so the committed payload and `raw` stay
 * what Telegram sent. A field we read with the wrong type rejects the whole update.
 */

const int = z.number().int();
const text = z.string();

const User = z.looseObject({ id: int, is_bot: z.boolean().optional(), first_name: text.optional(), last_name: text.optional(), username: text.optional() });
const Chat = z.looseObject({
  id: int,
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: text.optional(),
  username: text.optional(),
  is_forum: z.boolean().optional(),
});
const Entity = z.looseObject({ type: text, offset: int.nonnegative(), length: int.nonnegative(), user: User.optional() });
const PhotoSize = z.looseObject({ file_id: text.min(1), width: int.optional(), height: int.optional(), file_size: int.optional() });
const Document = z.looseObject({ file_id: text.min(1), file_name: text.optional(), mime_type: text.optional(), file_size: int.optional() });
const Media = Document.extend({ duration: z.number().nonnegative().optional() });
const Sticker = z.looseObject({ file_id: text.min(1), emoji: text.optional(), file_size: int.optional() });
const Location = z.looseObject({ latitude: z.number(), longitude: z.number(), horizontal_accuracy: z.number().optional(), live_period: int.optional() });
const Venue = z.looseObject({ location: Location, title: text, address: text });
const Contact = z.looseObject({ phone_number: text, first_name: text, last_name: text.optional(), user_id: int.optional() });
const Reply = z.looseObject({ message_id: int, from: User.optional(), text: text.optional(), caption: text.optional() });

const Message = z.looseObject({
  message_id: int,
  message_thread_id: int.optional(),
  is_topic_message: z.boolean().optional(),
  from: User.optional(),
  chat: Chat,
  date: int,
  edit_date: int.optional(),
  text: text.optional(),
  caption: text.optional(),
  entities: z.array(Entity).optional(),
  caption_entities: z.array(Entity).optional(),
  photo: z.array(PhotoSize).optional(),
  document: Document.optional(),
  audio: Media.optional(),
  video: Media.optional(),
  voice: Media.optional(),
  video_note: Media.optional(),
  animation: Media.optional(),
  sticker: Sticker.optional(),
  location: Location.optional(),
  venue: Venue.optional(),
  contact: Contact.optional(),
  reply_to_message: Reply.optional(),
  migrate_to_chat_id: int.optional(),
  migrate_from_chat_id: int.optional(),
});

const Reaction = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('emoji'), emoji: text.min(1) }),
  z.looseObject({ type: z.literal('custom_emoji'), custom_emoji_id: text.min(1) }),
  z.looseObject({ type: z.literal('paid') }),
]);
const MessageReaction = z.looseObject({
  chat: Chat,
  message_id: int,
  user: User.optional(),
  actor_chat: Chat.optional(),
  date: int,
  old_reaction: z.array(Reaction),
  new_reaction: z.array(Reaction),
});
const ChatMember = z.looseObject({
  status: z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']),
  user: User,
  is_member: z.boolean().optional(),
});
const ChatMemberUpdated = z.looseObject({
  chat: Chat,
  from: User,
  date: int,
  old_chat_member: ChatMember,
  new_chat_member: ChatMember,
  invite_link: z.looseObject({ invite_link: text, name: text.optional(), creator: User.optional() }).optional(),
  via_join_request: z.boolean().optional(),
  via_chat_folder_invite_link: z.boolean().optional(),
});

/** A Telegram update: its id always; `message` / `edited_message` / `message_reaction` / `chat_member` as far as we read them. */
export const UpdateSchema: z.ZodType<TgUpdate> = z.looseObject({
  update_id: int.nonnegative(),
  message: Message.optional(),
  edited_message: Message.optional(),
  message_reaction: MessageReaction.optional(),
  chat_member: ChatMemberUpdated.optional(),
});

/** The outcome of checking one update: the typed update, or why it is not one (with its id when it has one). */
export type CheckedUpdate = { update: TgUpdate } | { invalid: string; updateId?: number };

/** How many problems a reason names before it stops. */
const MAX_ISSUES = 3;

/**
 * Checks a parsed JSON body against {@link UpdateSchema}. The reason names the fields and the kind of
 * problem (`message.text: expected string, received number`), never their values, so it is safe to log.
 */
export function checkUpdate(body: unknown): CheckedUpdate {
  const r = UpdateSchema.safeParse(body);
  if (r.success) return { update: r.data };
  const issues = r.error.issues.slice(0, MAX_ISSUES).map((i) => `${i.path.join('.') || 'update'}: ${i.message.replace(/^Invalid input: /, '')}`);
  const more = r.error.issues.length > MAX_ISSUES ? ` (+${r.error.issues.length - MAX_ISSUES} more)` : '';
  const id = (body as { update_id?: unknown } | null)?.update_id;
  return { invalid: `not a valid Telegram update: ${issues.join('; ')}${more}`, ...(Number.isSafeInteger(id) ? { updateId: id as number } : {}) };
}
