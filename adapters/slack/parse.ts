import type { Attachment, InboundMessage } from '../../src/channel/index.ts';
import { isMessageEvent, type SlackEnvelope, type SlackEvent, type SlackMessageEvent } from './schema.ts';

export type { SlackEnvelope, SlackEvent, SlackMessageEvent } from './schema.ts';

/** Where a Slack message goes: a channel (or DM) id, maybe a thread, or a user to open a DM with. */
export interface SlackTarget {
  channel?: string;
  thread_ts?: string;
  /** A Slack user id: the DM is opened (conversations.open) at send time. */
  user?: string;
}

/** The workspace an envelope belongs to. */
export function teamOf(body: SlackEnvelope): string {
  return body.team_id ?? (isMessageEvent(body.event) ? body.event.team : undefined) ?? body.authorizations?.[0]?.team_id ?? body.enterprise_id ?? 'unknown';
}

/**
 * The inbox key of an event. Message-like events (with channel and ts) are keyed on channel + ts,
 * so a post that arrives as `message` and as `app_mention`, or is retried, is one row; other events
 * on their event id.
 */
export function eventKey(body: SlackEnvelope): { source: string; eventId: string; orderingKey: string } {
  const team = teamOf(body);
  const e = body.event;
  const channel = isMessageEvent(e) ? e.channel : undefined;
  const messageLike = isMessageEvent(e) && e.channel && e.ts;
  return {
    source: team,
    eventId: messageLike ? `msg:${e.channel}:${e.ts}` : `ev:${body.event_id ?? `${e.type}:${e.event_ts ?? body.event_time ?? ''}`}`,
    orderingKey: `slack|${team}|${channel ?? e.type}`,
  };
}

/** Message subtypes that are new posts by a person. */
const POST_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

/** A post with the fields a reply needs. */
export type SlackPost = SlackMessageEvent & { channel: string; user: string; ts: string };

/** A Slack message judged for the bot: skipped with a reason, or a post by a person. */
export type MessageVerdict = { skip: string } | { post: SlackPost };

/**
 * Decides whether an event is a person's post the bot should see: DMs, mentions, and thread
 * replies in a thread the bot is part of (`inBotThread`). Own and other bots' messages, edits,
 * deletions and channel chatter are skipped with the reason.
 */
export function judgeMessage(e: SlackEvent, botUserId: string | undefined, inBotThread: (key: string) => boolean): MessageVerdict {
  if (!isMessageEvent(e)) return { skip: `unsupported Slack event ${e.type}` };
  if (!e.channel || !e.ts) return { skip: 'message without channel or ts' };
  if (botUserId && e.user === botUserId) return { skip: "the bot's own message" };
  if (e.bot_id || e.subtype === 'bot_message') return { skip: "another bot's message" };
  if (!POST_SUBTYPES.has(e.subtype)) return { skip: `message subtype ${e.subtype} is not a new post` };
  if (!e.user) return { skip: 'message without a user' };
  const post = e as SlackPost;
  if (e.type === 'app_mention' || e.channel_type === 'im') return { post };
  if (botUserId && (e.text ?? '').includes(`<@${botUserId}>`)) return { post };
  if (e.thread_ts && inBotThread(`${e.channel}:${e.thread_ts}`)) return { post };
  return { skip: 'channel message that does not mention the bot' };
}

/** Removes the bot's own mention from a text (`<@U123> hi` → `hi`). */
export function stripMention(text: string, botUserId: string | undefined): string {
  if (!botUserId) return text.trim();
  return text.split(`<@${botUserId}>`).join(' ').replace(/\s+/g, ' ').trim();
}

/**
 * Normalises a post. DMs answer in the DM (in the thread when the post was in one); channel
 * mentions answer in the post's thread. Claim keys name the thread the post is in.
 */
export function toInbound(post: SlackPost, team: string, integrationId: string, botUserId?: string): InboundMessage {
  const isDirect = post.channel_type === 'im' || post.channel.startsWith('D');
  const threadTs = post.thread_ts ?? (isDirect ? undefined : post.ts);
  const target: SlackTarget = threadTs ? { channel: post.channel, thread_ts: threadTs } : { channel: post.channel };
  const attachments: Attachment[] = (post.files ?? []).map((f) => ({ kind: 'file', id: f.id, name: f.name ?? undefined, mimeType: f.mimetype ?? undefined, size: f.size ?? undefined }));
  return {
    channel: 'slack',
    integrationId,
    threadKey: threadTs ? `${post.channel}:${threadTs}` : post.channel,
    messageId: post.ts,
    sender: { id: post.user },
    text: stripMention(post.text ?? '', botUserId),
    attachments,
    replyTo: post.thread_ts && post.thread_ts !== post.ts ? { messageId: post.thread_ts } : undefined,
    isDirect,
    claimKeys: post.thread_ts ? [`${post.channel}:${post.thread_ts}`] : [],
    replyTarget: { ...target, team },
    sentAt: Math.round(Number(post.ts) * 1000) || Date.now(),
    raw: post,
  };
}
