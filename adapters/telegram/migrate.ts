import type { InboundDecision, IntegrationInfo } from '../../src/channel/index.ts';
import { SHARED_LINK_CHANNEL, type TgContext } from './context.ts';
import type { Migration } from './parse.ts';
import { sharedIntegrationOf } from './shared.ts';

/**
 * A basic group became a supergroup (Telegram posts `migrate_to_chat_id` in the old group and
 * `migrate_from_chat_id` in the new one; either may come first, and both are handled the same way).
 * The group's threads, their `/new` generations and its claims move to the new chat id, so the
 * conversation simply continues there. On the shared bot the pairing moves too. Idempotent: the
 * second event finds nothing left to move. `integrationId` is undefined for the shared bot.
 */
export async function migrateChat(ctx: TgContext, integrationId: string | undefined, m: Migration['migration']): Promise<InboundDecision> {
  const from = String(m.fromChatId);
  const to = String(m.toChatId);
  const integration = integrationId ? await ctx.services.integrations.byId(integrationId) : await movePairing(ctx, from, to);
  if (!integration) return { kind: 'ignored', reason: `group ${from} became supergroup ${to}, but no conversation of ours lives there` };
  const moved = await ctx.services.conversations.rekey('telegram', integration.id, from, to);
  await ctx.epochs.move(integration.id, from, to);
  ctx.services.log.info({ integration: integration.id, from, to, ...moved }, 'Telegram group migrated to a supergroup');
  return {
    kind: 'handled',
    note: `group ${from} became supergroup ${to}: ${moved.threads} thread(s) and ${moved.claims} claim(s) moved`,
    replies: [],
    userId: integration.userId,
    integrationId: integration.id,
  };
}

/** Re-pairs a migrated group with the shared bot under its new id; returns the owner's shared-bot row. */
async function movePairing(ctx: TgContext, from: string, to: string): Promise<IntegrationInfo | undefined> {
  const links = ctx.services.links;
  const old = await links.find(SHARED_LINK_CHANNEL, null, from);
  const link = old ?? (await links.find(SHARED_LINK_CHANNEL, null, to));
  if (!link) return undefined;
  if (old) {
    await links.link({ userId: old.user_id, channel: SHARED_LINK_CHANNEL, integrationId: null, externalUserId: to, externalChatId: to });
    await links.unlink(SHARED_LINK_CHANNEL, null, from);
  }
  return sharedIntegrationOf(ctx, link.user_id);
}
