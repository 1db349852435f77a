import type { IdentityLink, InboundDecision, IntegrationInfo } from '../../src/channel/index.ts';
import { linkPurpose, type TgContext } from './context.ts';
import { conversationKey, type ParsedMessage } from './parse.ts';
import { HELP, UNCLAIMED, handledWith } from './replies.ts';

/**
 * Commands a bot answers itself (a bot of our own and the shared bot alike), and only on new
 * messages: an edit of one is ignored. Other commands go to the agent like any text.
 */
export const OWN_COMMANDS = new Set(['start', 'help', 'link', 'unlink', 'whoami', 'new']);

/** What a command handler knows about the sender. */
export interface Sender {
  link: IdentityLink | undefined;
  /** The sender is linked to the bot's owner. */
  isOwner: boolean;
  /** The sender may talk to the agent under the bot's DM policy. */
  allowed: boolean;
  /** The bot has been claimed by someone (it has at least one link). */
  claimed: boolean;
}

/** Runs one of {@link OWN_COMMANDS} on a bot of our own. */
export async function runOwnCommand(ctx: TgContext, integration: IntegrationInfo, p: ParsedMessage, s: Sender): Promise<InboundDecision> {
  const cmd = p.command!;
  const o = { userId: integration.userId, integrationId: integration.id };
  const say = (note: string, text: string) => handledWith(p, note, text, o);
  switch (cmd.name) {
    case 'start':
      if (cmd.args) return link(ctx, integration, p, cmd.args);
      if (s.isOwner) return say('start', `Hi! This chat is linked to your Switchboard account. Write anything to talk with the agent.\n\n${HELP}`);
      if (!s.claimed) return say('start', UNCLAIMED);
      return say('start', s.allowed ? 'Hi! Write anything to talk with the agent.' : 'Hi! This bot belongs to a Switchboard user and only answers people they allow.');
    case 'help':
      return say('help', s.claimed ? HELP : `${UNCLAIMED}\n\n${HELP}`);
    case 'link':
      return link(ctx, integration, p, cmd.args);
    case 'whoami': {
      if (!s.claimed) return say('whoami', UNCLAIMED);
      const who = `Your Telegram id is ${p.from.id}${p.chatType === 'private' ? '' : ` (chat ${p.chatId})`}.`;
      if (!s.link) return say('whoami', `${who} It is not linked to a Switchboard account.`);
      // The owner's email only in their own private chat, never in front of a group.
      const user = p.chatType === 'private' ? await ctx.services.users.byId(s.link.user_id) : undefined;
      return say('whoami', `${who} It is linked to ${user?.email ?? 'a Switchboard account'} through ${integration.name}.`);
    }
    case 'unlink': {
      if (!s.claimed) return say('unlink', UNCLAIMED);
      if (!s.link) return say('unlink', 'This Telegram account is not linked, so there is nothing to unlink.');
      await ctx.services.links.unlink('telegram', integration.id, String(p.from.id));
      return say('unlink', 'Unlinked. This bot no longer treats you as its owner; /link <code> links you again.');
    }
    case 'new': {
      if (!s.claimed) return say('new', UNCLAIMED);
      if (!s.allowed) return { kind: 'ignored', reason: `/new from ${p.from.id}, who is not allowed to talk to this bot`, userId: integration.userId, integrationId: integration.id, policy: true };
      const n = await ctx.epochs.bump(integration.id, conversationKey(p.chatId, p.topicId));
      return say('new', `Started a new conversation (#${n}). The agent will not see the earlier messages.`);
    }
    default:
      return { kind: 'ignored', reason: `unknown command /${cmd.name}` };
  }
}

/** `/link <code>`: checks the code (scoped to this bot), counts failures per chat, links the sender. */
async function link(ctx: TgContext, integration: IntegrationInfo, p: ParsedMessage, code: string): Promise<InboundDecision> {
  const o = { userId: integration.userId, integrationId: integration.id };
  const say = (note: string, text: string) => handledWith(p, note, text, o);
  if (p.chatType !== 'private') {
    // Everyone in the group has seen the code now: it is cancelled, so no member can use it.
    if (code) await ctx.services.linkCodes.consume(linkPurpose(integration.id), code.trim().toUpperCase());
    return say(
      'link refused: not a DM',
      `For your safety, send /link <code> to me in a private chat, not in a group.${code ? ' The code you posted here is cancelled: ask for a new one.' : ''}`,
    );
  }
  if (!code) return say('link: no code', 'Send /link followed by the code you were given, e.g. /link ABCD234567.');
  const key = `${integration.id}|${p.chatId}`;
  const wait = ctx.attempts.blockedFor(key);
  if (wait > 0) return say('link refused: cool-down', `Too many wrong codes. Please wait ${Math.ceil(wait / 60_000)} minute(s) and try again.`);
  const result = await ctx.services.linkCodes.consume(linkPurpose(integration.id), code.trim().toUpperCase());
  if ('refused' in result || result.userId !== integration.userId) {
    const reason = 'refused' in result ? result.refused : 'unknown';
    const left = ctx.attempts.fail(key);
    const why =
      reason === 'expired'
        ? 'That code has expired (codes last one hour).'
        : reason === 'used'
          ? 'That code was already used (each code works once).'
          : "Sorry, that code doesn't match.";
    const tail = left > 0 ? ` Ask for a new code with POST /v1/integrations/${integration.id}/link-code. ${left} attempt(s) left.` : ' Too many wrong codes: please wait 15 minutes.';
    return say(`link refused: ${reason}`, why + tail);
  }
  ctx.attempts.reset(key);
  await ctx.services.links.link({ userId: integration.userId, channel: 'telegram', integrationId: integration.id, externalUserId: String(p.from.id), externalChatId: String(p.chatId) });
  const user = await ctx.services.users.byId(integration.userId);
  return say('linked', `Linked! This Telegram account now belongs to ${user?.email ?? 'your Switchboard account'}. Write anything to talk with the agent; /help lists the commands.`);
}
