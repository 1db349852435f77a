import { chatEvent, type HubEvent, type InboundDecision, type IntegrationInfo } from '../../src/channel/index.ts';
import type { SlackEnvelope, SlackMemberJoined, SlackReactionAdded } from './schema.ts';
import { slackConfig } from './settings.ts';

/** Epoch ms of a Slack timestamp (`1360782804.083113`), or of the envelope's `event_time`. */
function whenOf(body: SlackEnvelope, eventTs: string | undefined): number {
  const ms = eventTs ? Math.round(Number(eventTs) * 1000) : 0;
  return ms || (body.event_time ? body.event_time * 1000 : Date.now());
}

/**
 * The `reaction.added` event of a `reaction_added` on one installation. `emoji` is Slack's name of
 * the emoji without colons (`thumbsup`); `message_id` the reacted message's ts (null for files).
 */
export function reactionEvent(inboxId: number, integration: IntegrationInfo, body: SlackEnvelope, e: SlackReactionAdded): HubEvent {
  const at = whenOf(body, e.event_ts);
  return chatEvent('reaction.added', inboxId, integration, at, {
    chat: { id: e.item.channel ?? null, type: null, title: null },
    message_id: e.item.type === 'message' ? (e.item.ts ?? null) : null,
    item_type: e.item.type,
    message_author: e.item_user ?? null,
    user: { id: e.user },
    emoji: e.reaction,
    reactions: [{ type: 'emoji', emoji: e.reaction }],
    reacted_at: new Date(at).toISOString(),
  });
}

/** The `member.joined` event of a `member_joined_channel` on one installation. */
export function joinEvent(inboxId: number, integration: IntegrationInfo, body: SlackEnvelope, e: SlackMemberJoined): HubEvent {
  const at = whenOf(body, e.event_ts);
  const inviter = e.inviter && e.inviter !== e.user ? { id: e.inviter } : null;
  return chatEvent('member.joined', inboxId, integration, at, {
    chat: { id: e.channel, type: e.channel_type === 'G' ? 'private' : e.channel_type === 'C' ? 'public' : (e.channel_type ?? null), title: null },
    user: { id: e.user, team: e.team ?? null },
    added_by: inviter,
    via: inviter ? 'added' : 'joined',
    invite_link_name: null,
    joined_at: new Date(at).toISOString(),
  });
}

/**
 * A reaction or a join in a workspace: one event for each installation of it (each hub user who
 * installed the app follows their own triggers). The bot's own join fires nothing.
 */
export function chatEventDecision(inboxId: number, rows: IntegrationInfo[], body: SlackEnvelope, e: SlackReactionAdded | SlackMemberJoined): InboundDecision {
  if (e.type === 'reaction_added') return { kind: 'event', note: `reaction :${e.reaction}: added`, events: rows.map((r) => reactionEvent(inboxId, r, body, e)) };
  const others = rows.filter((r) => slackConfig(r).bot_user_id !== e.user);
  if (others.length === 0) return { kind: 'ignored', reason: 'the bot itself joined a channel' };
  return { kind: 'event', note: `member ${e.user} joined ${e.channel}`, events: others.map((r) => joinEvent(inboxId, r, body, e)) };
}
