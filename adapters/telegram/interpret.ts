import type { InboundDecision, InboundMessage, InboxEventView, IntegrationInfo } from '../../src/channel/index.ts';
import { chatEventDecision } from './chat-events.ts';
import { OWN_COMMANDS, runOwnCommand, type Sender } from './commands.ts';
import { SHARED_LINK_CHANNEL, type TgContext } from './context.ts';
import { migrateChat } from './migrate.ts';
import { conversationKey, displayName, mentions, parseUpdate, stripMention, type ParsedMessage } from './parse.ts';
import { UNCLAIMED, handledWith, targetOf } from './replies.ts';
import { sharedCommand, sharedIntegrationOf, type PairedChat } from './shared.ts';
import type { TelegramConfig, TgUser } from './types.ts';

/** The inbox source of the shared bot's updates (own bots use their integration id). */
export const SHARED_SOURCE = 'shared';

/**
 * Turns a committed update into a decision: commands the bot answers itself, policy drops (logged
 * with a reason), a message for the agent, or an event for triggers (an added reaction, a join).
 * Never throws for odd input.
 */
export async function interpretUpdate(ctx: TgContext, event: InboxEventView): Promise<InboundDecision> {
  const p = parseUpdate(event.payload);
  if ('unsupported' in p) return { kind: 'ignored', reason: p.unsupported };
  if ('migration' in p) return migrateChat(ctx, event.source === SHARED_SOURCE ? undefined : event.source, p.migration);
  // Reactions and joins are not turns: they only fire the owner's triggers (reaction.added, member.joined).
  if ('reaction' in p || 'joined' in p) return chatEventDecision(ctx, event, p);
  if (p.from.is_bot) return { kind: 'ignored', reason: 'message from a bot' };
  if (event.source === SHARED_SOURCE) return interpretShared(ctx, p);
  const integration = await ctx.services.integrations.byId(event.source);
  if (!integration || integration.type !== 'telegram') return { kind: 'ignored', reason: `integration ${event.source} no longer exists` };
  return interpretOwn(ctx, integration, p);
}

async function interpretOwn(ctx: TgContext, integration: IntegrationInfo, p: ParsedMessage): Promise<InboundDecision> {
  const config = integration.config as TelegramConfig;
  const me = config.bot ?? { id: 0 };
  if (p.command?.botName && p.command.botName.toLowerCase() !== me.username?.toLowerCase()) return { kind: 'ignored', reason: `command for another bot (@${p.command.botName})` };
  if (isEditedCommand(p)) return editedCommand(p, integration.userId, integration.id);
  const link = await ctx.services.links.find('telegram', integration.id, String(p.from.id));
  const isOwner = link?.user_id === integration.userId;
  const claimed = isOwner || (await ctx.services.links.ofUser(integration.userId, integration.id)).some((l) => l.channel === 'telegram');
  const s: Sender = { link, isOwner, claimed, allowed: allowedBy(config, p.from, isOwner) };
  if (p.command && OWN_COMMANDS.has(p.command.name)) return runOwnCommand(ctx, integration, p, s);
  if (p.chatType !== 'private' && !addressed(p, me)) return { kind: 'ignored', reason: 'group message not addressed to the bot (no mention, no reply to it)' };
  if (!claimed) {
    // Until someone claims it, a bot answers only /start, /help and /link, whatever its DM policy.
    if (p.chatType === 'private') return handledWith(p, 'unclaimed bot', UNCLAIMED, { userId: integration.userId, integrationId: integration.id });
    return { kind: 'ignored', reason: `${integration.name} is not claimed yet (no /link): it answers only /start, /help and /link`, userId: integration.userId, integrationId: integration.id, policy: true };
  }
  if (!s.allowed) {
    const policy = config.dm_policy ?? 'owner';
    return { kind: 'ignored', reason: `Telegram user ${p.from.id} is not allowed by dm_policy ${policy} of ${integration.name}`, userId: integration.userId, integrationId: integration.id, policy: true };
  }
  return { kind: 'message', userId: integration.userId, message: await toMessage(ctx, integration, p, me) };
}

async function interpretShared(ctx: TgContext, p: ParsedMessage): Promise<InboundDecision> {
  if (!ctx.pool.hasShared) return { kind: 'ignored', reason: 'no shared bot is configured' };
  const shared = await ctx.pool.sharedBot();
  if (p.command?.botName && p.command.botName.toLowerCase() !== shared.me.username?.toLowerCase()) return { kind: 'ignored', reason: `command for another bot (@${p.command.botName})` };
  const link = await ctx.services.links.find(SHARED_LINK_CHANNEL, null, String(p.chatId));
  const integration = link ? await sharedIntegrationOf(ctx, link.user_id) : undefined;
  if (isEditedCommand(p)) return editedCommand(p, link?.user_id, integration?.id);
  let paired: PairedChat | undefined;
  if (link && integration) {
    // The person who paired the chat: in a private chat, its id is the person's id.
    const linkedPerson = link.external_user_id === String(p.from.id);
    paired = { userId: link.user_id, integration, linkedPerson, allowed: allowedBy(integration.config as TelegramConfig, p.from, linkedPerson) };
  }
  if (p.command || !paired) {
    const decided = await sharedCommand(ctx, p, paired);
    if (decided) return decided;
  }
  if (!paired) return { kind: 'ignored', reason: 'chat is not paired with the shared bot' };
  if (p.chatType !== 'private' && !addressed(p, shared.me)) return { kind: 'ignored', reason: 'group message not addressed to the bot (no mention, no reply to it)' };
  if (!paired.allowed) {
    const policy = (paired.integration.config as TelegramConfig).dm_policy ?? 'owner';
    return { kind: 'ignored', reason: `Telegram user ${p.from.id} is not allowed by dm_policy ${policy} of ${paired.integration.name}`, userId: paired.userId, integrationId: paired.integration.id, policy: true };
  }
  return { kind: 'message', userId: paired.userId, message: await toMessage(ctx, paired.integration, p, shared.me, 'shared') };
}

/** A command the bot answers itself, arriving as an edit: commands run only on new messages. */
function isEditedCommand(p: ParsedMessage): boolean {
  return p.edited && !!p.command && OWN_COMMANDS.has(p.command.name);
}

/** Ignores an edited command with the reason; no reply, no attempt counted, nothing changed. */
function editedCommand(p: ParsedMessage, userId: string | undefined, integrationId: string | undefined): InboundDecision {
  return { kind: 'ignored', reason: `edited command /${p.command!.name}: commands run only on new messages`, userId, integrationId: integrationId ?? null };
}

/** The DM policy: the owner always; `allowlist` adds `allow_from`; `open` lets anyone in. */
function allowedBy(config: TelegramConfig, from: TgUser, isOwner: boolean): boolean {
  if (isOwner) return true;
  const policy = config.dm_policy ?? 'owner';
  if (policy === 'open') return true;
  return policy === 'allowlist' && (config.allow_from ?? []).includes(from.id);
}

/** In a group, the bot answers only when mentioned or replied to (or given one of its commands). */
function addressed(p: ParsedMessage, me: TgUser): boolean {
  if (p.command?.botName) return true;
  if (p.message.reply_to_message?.from?.id === me.id) return true;
  return mentions(p.message, me);
}

async function toMessage(ctx: TgContext, integration: IntegrationInfo, p: ParsedMessage, me: TgUser, via?: 'shared'): Promise<InboundMessage> {
  const m = p.message;
  const reply = m.reply_to_message;
  const conv = conversationKey(p.chatId, p.topicId);
  return {
    channel: 'telegram',
    integrationId: integration.id,
    threadKey: await ctx.epochs.threadKey(integration.id, conv),
    messageId: String(m.message_id),
    sender: { id: String(p.from.id), name: displayName(p.from), username: p.from.username, isBot: false },
    text: p.chatType === 'private' ? p.text : stripMention(p.text, me),
    attachments: p.attachments,
    ...(p.parts.length ? { parts: p.parts } : {}),
    ...(reply ? { replyTo: { messageId: String(reply.message_id), text: reply.text ?? reply.caption } } : {}),
    ...(p.edited ? { edited: true } : {}),
    isDirect: p.chatType === 'private',
    claimKeys: reply ? [`${p.chatId}:${reply.message_id}`] : undefined,
    replyTarget: targetOf(p, via) as unknown as Record<string, unknown>,
    sentAt: (m.edit_date ?? m.date) * 1000,
    raw: m,
  };
}
