import type { Attachment, MessagePart } from '../../src/channel/index.ts';
import type { TgMedia, TgMessage } from './types.ts';

/**
 * Service messages: Telegram's notes about the chat itself (a pin, a new title, someone joining, a
 * forum topic opened…). They are not something a person said to the agent, so they never make a turn.
 * The list follows the Bot API's Message fields (9.x); unknown fields fall under "no content we read".
 */
export const SERVICE_FIELDS = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'successful_payment',
  'refunded_payment',
  'users_shared',
  'chat_shared',
  'gift',
  'unique_gift',
  'connected_website',
  'write_access_allowed',
  'passport_data',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'checklist_tasks_done',
  'checklist_tasks_added',
  'direct_message_price_changed',
  'paid_message_price_changed',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_completed',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
  'web_app_data',
] as const;

/** Content Telegram can carry that we do not pass on (yet); named in the ignore reason. */
const UNREAD_CONTENT = ['poll', 'dice', 'game', 'story', 'invoice', 'paid_media', 'checklist', 'giveaway', 'giveaway_winners'] as const;

/** The service field a message carries, if it is a service message. */
export function serviceFieldOf(m: TgMessage): string | undefined {
  return SERVICE_FIELDS.find((f) => m[f] !== undefined);
}

/** Why a message without text, files, places or contacts is not passed on. */
export function emptyReason(m: TgMessage): string {
  const service = serviceFieldOf(m);
  if (service) return `service message (${service})`;
  const unread = UNREAD_CONTENT.find((f) => m[f] !== undefined);
  return unread ? `unsupported message content (${unread})` : 'message without text or content we read';
}

const media = (kind: Attachment['kind'], f: TgMedia, name = true): Attachment => ({
  kind,
  id: f.file_id,
  ...(name && f.file_name ? { name: f.file_name } : {}),
  ...(f.mime_type ? { mimeType: f.mime_type } : {}),
  ...(f.file_size !== undefined ? { size: f.file_size } : {}),
  ...(f.duration !== undefined ? { durationSeconds: f.duration } : {}),
});

/**
 * Every file of a message as attachments with their file ids: the largest photo size, a document,
 * audio, video, a voice or video message, a sticker or a GIF. A GIF also comes with a `document`
 * copy (for old clients); it is one attachment, not two.
 */
export function attachmentsOf(m: TgMessage): Attachment[] {
  const out: Attachment[] = [];
  if (m.photo && m.photo.length > 0) {
    const best = m.photo.reduce((a, b) => ((b.width ?? 0) * (b.height ?? 0) > (a.width ?? 0) * (a.height ?? 0) ? b : a));
    out.push({ kind: 'photo', id: best.file_id, size: best.file_size });
  }
  if (m.animation) out.push(media('animation', m.animation));
  else if (m.document) out.push(media('document', m.document));
  if (m.audio) out.push(media('audio', m.audio));
  if (m.video) out.push(media('video', m.video));
  if (m.voice) out.push(media('voice', m.voice, false));
  if (m.video_note) out.push(media('video_note', m.video_note, false));
  if (m.sticker) {
    const s = m.sticker;
    out.push({ kind: 'sticker', id: s.file_id, ...(s.file_size !== undefined ? { size: s.file_size } : {}), ...(s.emoji ? { emoji: s.emoji } : {}) });
  }
  return out;
}

/** A shared location, venue or contact as structured parts (a venue's own location is not repeated). */
export function partsOf(m: TgMessage): MessagePart[] {
  const out: MessagePart[] = [];
  if (m.venue) {
    const v = m.venue;
    out.push({ kind: 'venue', latitude: v.location.latitude, longitude: v.location.longitude, title: v.title, address: v.address });
  } else if (m.location) {
    const l = m.location;
    out.push({
      kind: 'location',
      latitude: l.latitude,
      longitude: l.longitude,
      ...(l.horizontal_accuracy !== undefined ? { accuracyMeters: l.horizontal_accuracy } : {}),
      ...(l.live_period !== undefined ? { livePeriodSeconds: l.live_period } : {}),
    });
  }
  if (m.contact) {
    const c = m.contact;
    out.push({ kind: 'contact', phoneNumber: c.phone_number, firstName: c.first_name, ...(c.last_name ? { lastName: c.last_name } : {}), ...(c.user_id !== undefined ? { userId: String(c.user_id) } : {}) });
  }
  return out;
}

const seconds = (a: Attachment) => (a.durationSeconds !== undefined ? `, ${Math.round(a.durationSeconds)} s` : '');
const named = (a: Attachment) => (a.name ? ` ${a.name}` : '');

/** One attachment in words: `[voice message, 3 s]`, `[file report.pdf]`, `[sticker 👍]`. */
function renderAttachment(a: Attachment): string {
  switch (a.kind) {
    case 'voice':
      return `[voice message${seconds(a)}]`;
    case 'video_note':
      return `[video message${seconds(a)}]`;
    case 'audio':
    case 'video':
      return `[${a.kind}${named(a)}${seconds(a)}]`;
    case 'sticker':
      return `[sticker${a.emoji ? ` ${a.emoji}` : ''}]`;
    case 'animation':
      return `[GIF${named(a)}]`;
    case 'photo':
      return '[photo]';
    default:
      return `[file${named(a)}]`;
  }
}

/** One part in words: `[location 52.52, 13.405]`, `[venue Title, Address (lat, lon)]`, `[contact Name, +49…]`. */
function renderPart(p: MessagePart): string {
  switch (p.kind) {
    case 'location':
      return `[${p.livePeriodSeconds ? 'live location' : 'location'} ${p.latitude}, ${p.longitude}]`;
    case 'venue':
      return `[venue ${p.title}, ${p.address} (${p.latitude}, ${p.longitude})]`;
    case 'contact':
      return `[contact ${[p.firstName, p.lastName].filter(Boolean).join(' ')}, ${p.phoneNumber}]`;
  }
}

/** The short text a message without text or caption stands in with ('' when there is nothing to render). */
export function renderContent(attachments: Attachment[], parts: MessagePart[]): string {
  return [...attachments.map(renderAttachment), ...parts.map(renderPart)].join(' ');
}
