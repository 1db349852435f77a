import { randomBytes } from 'node:crypto';
import type { ActionCaller, ActionResult, InboundDecision, IntegrationInfo } from '../../src/channel/index.ts';
import { HubError } from '../../src/channel/index.ts';
import { PAIR_PURPOSE, SHARED_LINK_CHANNEL, type TgContext } from './context.ts';
import { conversationKey, type ParsedMessage } from './parse.ts';
import { SHARED_HELP, handledWith } from './replies.ts';
import type { TelegramConfig } from './types.ts';

/** How long a pairing link stays valid (ms): 10 minutes. */
export const PAIR_TTL_MS = 10 * 60_000;

/**
 * `POST /v1/integrations/telegram/pair`: a one-tap deep link to the shared bot. The payload is 32
 * base64url characters (192 bits; Telegram allows 64 of A-Z a-z 0-9 _ -), single use, 10 minutes.
 */
export async function pair(ctx: TgContext, caller: ActionCaller): Promise<ActionResult> {
  if (!ctx.pool.hasShared) throw new HubError(422, 'shared_bot_not_configured', 'This hub has no shared Telegram bot (TELEGRAM_SHARED_BOT_TOKEN is not set); connect your own bot instead');
  const shared = await ctx.pool.sharedBot().catch((e: Error) => {
    throw new HubError(502, 'telegram_unreachable', `The shared bot could not be reached: ${e.message}`);
  });
  const code = randomBytes(24).toString('base64url');
  const issued = await ctx.services.linkCodes.issue({ purpose: PAIR_PURPOSE, userId: caller.userId, ttlMs: PAIR_TTL_MS, code });
  return {
    status: 201,
    body: {
      deep_link: `https://t.me/${shared.me.username}?start=${code}`,
      bot_username: shared.me.username,
      expires_at: new Date(issued.expiresAt).toISOString(),
      instructions: 'Open the link in Telegram and press Start. It works once and expires in 10 minutes.',
    },
  };
}

/** The external id of a user's row on the shared bot (one per user). */
export const sharedExternalId = (userId: string) => `shared:${userId}`;

/** The user's row on the shared bot, if they have paired: one indexed read, however many bots they have. */
export async function sharedIntegrationOf(ctx: TgContext, userId: string): Promise<IntegrationInfo | undefined> {
  const row = await ctx.services.integrations.ofUserByExternalId(userId, 'telegram', sharedExternalId(userId));
  return row && (row.config as TelegramConfig).shared ? row : undefined;
}

/** A chat paired with the shared bot, as seen by one sender. */
export interface PairedChat {
  userId: string;
  integration: IntegrationInfo;
  /** The sender is the person who paired the chat. */
  linkedPerson: boolean;
  /** The sender may talk to the agent under the integration's DM policy. */
  allowed: boolean;
}

/**
 * Commands and pairing on the shared bot, for a chat that is or is not yet paired. Pairing works
 * only in a private chat; only the person who paired a chat may unpair it, and the owner's email is
 * shown only to them in their private chat. Returns undefined when the message is not a command the
 * bot answers itself.
 */
export async function sharedCommand(ctx: TgContext, p: ParsedMessage, paired: PairedChat | undefined): Promise<InboundDecision | undefined> {
  const cmd = p.command;
  const o = { userId: paired?.userId, integrationId: paired?.integration.id ?? null, via: 'shared' as const };
  const say = (note: string, text: string) => handledWith(p, note, text, o);
  if (!cmd) return paired ? undefined : p.chatType === 'private' ? say('shared: unpaired chat', `This chat is not paired with a Switchboard account yet.\n\n${SHARED_HELP}`) : { kind: 'ignored', reason: 'unpaired group chat on the shared bot' };
  switch (cmd.name) {
    case 'start':
      if (cmd.args) return pairChat(ctx, p, cmd.args);
      if (!paired) return say('start', SHARED_HELP);
      if (!paired.allowed) return say('start', 'Hi! This chat is paired with a Switchboard user; only people they allow can talk to their agent here.');
      return say('start', 'Hi! This chat is paired with your Switchboard account. Write anything to talk with your agent.');
    case 'help':
      return say('help', SHARED_HELP);
    case 'link':
      return say('link', 'The shared bot does not use /link codes: pair with the deep link from POST /v1/integrations/telegram/pair.');
    case 'whoami':
      if (!paired) return say('whoami', `Your Telegram id is ${p.from.id}. This chat is not paired.`);
      return say('whoami', `Your Telegram id is ${p.from.id}. This chat is paired with ${(await ownerEmailFor(ctx, p, paired)) ?? 'a Switchboard account'}.`);
    case 'unlink':
      if (!paired) return say('unlink', 'This chat is not paired, so there is nothing to unpair.');
      if (!paired.linkedPerson) return say('unlink refused: not the linked person', 'Only the person who paired this chat can unpair it. The account owner can also disconnect the shared-bot integration.');
      await ctx.services.links.unlink(SHARED_LINK_CHANNEL, null, String(p.chatId));
      return say('unlink', 'Unpaired. Messages here no longer reach your agent.');
    case 'new': {
      if (!paired) return say('new', SHARED_HELP);
      if (!paired.allowed) return { kind: 'ignored', reason: `/new from ${p.from.id}, who is not allowed to talk in this paired chat`, userId: paired.userId, integrationId: paired.integration.id, policy: true };
      const n = await ctx.epochs.bump(paired.integration.id, conversationKey(p.chatId, p.topicId));
      return say('new', `Started a new conversation (#${n}).`);
    }
    default:
      return paired ? undefined : say('shared: unpaired chat', SHARED_HELP);
  }
}

/** The owner's email, only for the person who paired the chat, in their private chat. */
async function ownerEmailFor(ctx: TgContext, p: ParsedMessage, paired: PairedChat): Promise<string | undefined> {
  if (p.chatType !== 'private' || !paired.linkedPerson) return undefined;
  return (await ctx.services.users.byId(paired.userId))?.email;
}

/**
 * `/start <code>` in a private chat: consumes a pairing code, creates the user's shared-bot row
 * (once) and pairs the chat. In a group it pairs nothing and cancels the code, which every member has seen.
 */
async function pairChat(ctx: TgContext, p: ParsedMessage, code: string): Promise<InboundDecision> {
  const key = `shared|${p.chatId}`;
  const say = (note: string, text: string, userId?: string, integrationId?: string) => handledWith(p, note, text, { userId, integrationId, via: 'shared' });
  if (p.chatType !== 'private') {
    // Every member has seen the code now: it is cancelled, so nobody else can pair with it.
    await ctx.services.linkCodes.consume(PAIR_PURPOSE, code.trim());
    const shared = await ctx.pool.sharedBot();
    return say(
      'pair refused: not a private chat',
      `For your safety, pairing works only in a private chat with me (https://t.me/${shared.me.username}). The link posted here is cancelled: make a new pairing link and open it in Telegram.`,
    );
  }
  const wait = ctx.attempts.blockedFor(key);
  if (wait > 0) return say('pair refused: cool-down', `Too many invalid pairing links. Please wait ${Math.ceil(wait / 60_000)} minute(s).`);
  const result = await ctx.services.linkCodes.consume(PAIR_PURPOSE, code.trim());
  if ('refused' in result) {
    ctx.attempts.fail(key);
    const why = result.refused === 'expired' ? 'That pairing link has expired (links last 10 minutes).' : result.refused === 'used' ? 'That pairing link was already used (each link works once).' : 'That pairing link is not valid.';
    return say(`pair refused: ${result.refused}`, `${why} Ask for a new one with POST /v1/integrations/telegram/pair.`);
  }
  ctx.attempts.reset(key);
  const shared = await ctx.pool.sharedBot();
  let integration: (IntegrationInfo & { grantedTo?: string }) | undefined = await sharedIntegrationOf(ctx, result.userId);
  integration ??= await ctx.services.integrations.create({
    grantToDefaultProfile: true,
    userId: result.userId,
    type: 'telegram',
    name: `Telegram (shared bot @${shared.me.username})`,
    externalId: sharedExternalId(result.userId),
    config: { shared: true, bot: { id: shared.me.id, username: shared.me.username, first_name: shared.me.first_name }, dm_policy: 'owner' } satisfies TelegramConfig,
  });
  await ctx.services.links.link({ userId: result.userId, channel: SHARED_LINK_CHANNEL, integrationId: null, externalUserId: String(p.chatId), externalChatId: String(p.chatId) });
  const user = await ctx.services.users.byId(result.userId);
  return say(
    'paired',
    integration.grantedTo
      ? `Paired with ${user?.email ?? 'your Switchboard account'}! Write here to talk with your agent (profile ${integration.grantedTo}).`
      : `Paired with ${user?.email ?? 'your Switchboard account'}! Grant integration ${integration.id} to one of your agent profiles, then write here to talk with it.`,
    result.userId,
    integration.id,
  );
}
