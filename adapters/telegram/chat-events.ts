import { chatEvent, type HubEvent, type InboundDecision, type InboxEventView, type IntegrationInfo } from '../../src/channel/index.ts';
import { SHARED_LINK_CHANNEL, type TgContext } from './context.ts';
import { displayName, type MemberJoined, type ReactionAdded } from './parse.ts';
import { sharedIntegrationOf } from './shared.ts';
import type { TgChat, TgReaction, TgUser } from './types.ts';

/** The inbox source of the shared bot's updates (own bots use their integration id). */
const SHARED = 'shared';

/** A Telegram user as trigger payloads show them (the shape of `message.received`'s `sender`). */
function person(u: TgUser) {
  return { id: String(u.id), name: displayName(u), username: u.username, isBot: u.is_bot === true };
}

const chatOf = (c: TgChat) => ({ id: String(c.id), type: c.type, title: c.title ?? null });

/** A reaction as payloads show it: `{type:"emoji", emoji}`, `{type:"custom_emoji", custom_emoji_id}` or `{type:"paid"}`. */
const reactionView = (r: TgReaction) => ({ ...r });

/**
 * The `reaction.added` event of a `message_reaction` update on `integration`: who reacted (or the
 * anonymous `actor_chat`), to which message of which chat, with what. `emoji` is the first added
 * standard emoji (null when only custom or paid reactions were added); `reactions` lists them all.
 */
export function reactionEvent(inboxId: number, integration: IntegrationInfo, r: ReactionAdded['reaction']): HubEvent {
  const emoji = r.added.find((a) => a.type === 'emoji');
  return chatEvent('reaction.added', inboxId, integration, r.date * 1000, {
    chat: chatOf(r.chat),
    message_id: String(r.messageId),
    user: r.user ? person(r.user) : null,
    actor_chat: r.actorChat ? chatOf(r.actorChat) : null,
    emoji: emoji?.type === 'emoji' ? emoji.emoji : null,
    reactions: r.added.map(reactionView),
    reacted_at: new Date(r.date * 1000).toISOString(),
  });
}

/**
 * The `member.joined` event of a `chat_member` update: who joined which chat; `added_by` when
 * someone else added them; how (`invite_link` with its name, `join_request`, or `joined`/`added`).
 */
export function joinEvent(inboxId: number, integration: IntegrationInfo, j: MemberJoined['joined']): HubEvent {
  const addedBy = j.by.id !== j.user.id ? person(j.by) : null;
  const via = j.viaJoinRequest ? 'join_request' : j.inviteLinkName !== undefined ? 'invite_link' : addedBy ? 'added' : 'joined';
  return chatEvent('member.joined', inboxId, integration, j.date * 1000, {
    chat: chatOf(j.chat),
    user: person(j.user),
    added_by: addedBy,
    via,
    invite_link_name: j.inviteLinkName ?? null,
    joined_at: new Date(j.date * 1000).toISOString(),
  });
}

/**
 * Turns an added reaction or a join into an `event` decision for the bot's owner: an own bot's
 * integration, or, on the shared bot, the user the chat is paired with. Nothing is answered in chat.
 */
export async function chatEventDecision(ctx: TgContext, event: InboxEventView, p: ReactionAdded | MemberJoined): Promise<InboundDecision> {
  const chat = 'reaction' in p ? p.reaction.chat : p.joined.chat;
  const integration = await integrationFor(ctx, event.source, chat.id);
  if (!integration) return { kind: 'ignored', reason: event.source === SHARED ? 'chat is not paired with the shared bot' : `integration ${event.source} no longer exists` };
  if ('reaction' in p) return { kind: 'event', note: `reaction added to message ${p.reaction.messageId}`, events: [reactionEvent(event.id, integration, p.reaction)] };
  return { kind: 'event', note: `member ${p.joined.user.id} joined`, events: [joinEvent(event.id, integration, p.joined)] };
}

async function integrationFor(ctx: TgContext, source: string, chatId: number): Promise<IntegrationInfo | undefined> {
  if (source !== SHARED) {
    const own = await ctx.services.integrations.byId(source);
    return own?.type === 'telegram' ? own : undefined;
  }
  const link = await ctx.services.links.find(SHARED_LINK_CHANNEL, null, String(chatId));
  return link ? sharedIntegrationOf(ctx, link.user_id) : undefined;
}
