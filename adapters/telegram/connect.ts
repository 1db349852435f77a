import { randomBytes } from 'node:crypto';
import { GrammyError } from 'grammy';
import type { ConnectContext, ConnectResult, IntegrationInfo } from '../../src/channel/index.ts';
import { ConflictError, HubError, UnprocessableError } from '../../src/channel/index.ts';
import { telegramConfig } from './config.ts';
import { linkPurpose, type TgContext } from './context.ts';
import { redact } from './errors.ts';
import { ALLOWED_UPDATES, BOT_STATE_KEY, type TelegramConfig, type TgUser } from './types.ts';

/** How long a `/link` code lives (ms): one hour. */
export const LINK_TTL_MS = 3600_000;

const TOKEN = /^\d{3,20}:[A-Za-z0-9_-]{20,100}$/;

/** The webhook URL of a bot. */
export const webhookUrl = (publicUrl: string, integrationId: string) => `${publicUrl}/api/telegram/${integrationId}/webhook`;

/**
 * Connects a bot: checks the token with getMe (422 on a bad one, nothing stored), refuses a bot any
 * user already connected (409, without saying whose), registers the webhook with a fresh secret (or,
 * in polling mode, clears any webhook), and issues the first `/link` code. The config keeps the bot's
 * identity; its full getMe answer is returned as state, stored beside the row.
 */
export async function connectBot(ctx: TgContext, input: Record<string, unknown>, cc: ConnectContext): Promise<ConnectResult> {
  const token = typeof input.token === 'string' ? input.token.trim() : '';
  if (!TOKEN.test(token)) throw new UnprocessableError('token must be a Telegram bot token from @BotFather (digits, a colon, then letters)', 'invalid_token');
  const bot = ctx.pool.build(token);
  let me: TgUser & Record<string, unknown>;
  try {
    me = (await bot.api.getMe()) as unknown as TgUser & Record<string, unknown>;
  } catch (e) {
    if (e instanceof GrammyError && e.error_code < 500) throw new UnprocessableError(`Telegram rejected the token (${e.error_code} ${e.description})`, 'invalid_token');
    throw new HubError(502, 'telegram_unreachable', `Telegram could not be reached to check the token: ${redact((e as Error).message)}`);
  }
  if ((await ctx.services.integrations.byExternalId('telegram', String(me.id))).some((row) => row.id !== cc.replacing?.id)) {
    throw new ConflictError(`The bot @${me.username} is already connected to Switchboard; disconnect it there first`, 'bot_already_connected');
  }
  const mode = telegramConfig.of(ctx.services).mode;
  const warnings: string[] = [];
  const secret = randomBytes(32).toString('base64url');
  try {
    if (mode === 'webhook') {
      const url = webhookUrl(ctx.services.config.publicUrl, cc.integrationId);
      if (!url.startsWith('https://')) {
        warnings.push(`PUBLIC_URL is not https (${ctx.services.config.publicUrl}); Telegram itself only delivers to https webhooks`);
        ctx.services.log.warn({ integration: cc.integrationId }, 'Telegram webhook URL is not https; only a local fake Bot API will deliver to it');
      }
      await bot.api.setWebhook(url, { secret_token: secret, allowed_updates: [...ALLOWED_UPDATES], max_connections: 40 });
    } else {
      await bot.api.deleteWebhook();
    }
  } catch (e) {
    throw new UnprocessableError(`Telegram refused to ${mode === 'webhook' ? 'set the webhook' : 'clear the webhook'}: ${redact((e as Error).message)}`, 'webhook_failed');
  }
  // The code is stored with the row, in the connect's one transaction.
  const code = ctx.services.linkCodes.draft({ purpose: linkPurpose(cc.integrationId), userId: cc.userId, ttlMs: LINK_TTL_MS });
  const link = linkShown(code, me);
  return {
    name: `@${me.username ?? me.id}`,
    externalId: String(me.id),
    // Replacing a token keeps the bot's settings (dm_policy, allow_from are merged from the old row).
    config: { bot: botIdentity(me), mode, dm_policy: ((cc.replacing?.config as TelegramConfig | undefined)?.dm_policy ?? 'owner') } satisfies TelegramConfig,
    secrets: { token, webhook_secret: secret },
    shown: { link, ...(warnings.length ? { warnings } : {}) },
    state: { [BOT_STATE_KEY]: me },
    linkCodes: [code],
  };
}

/** The few getMe fields a bot's config keeps and the API shows; the whole answer goes to the integration's state. */
export function botIdentity(me: TgUser): TgUser {
  return { id: me.id, ...(me.username !== undefined ? { username: me.username } : {}), ...(me.first_name !== undefined ? { first_name: me.first_name } : {}) };
}

/** A fresh `/link` code for a bot (one hour, single use) and what to do with it. */
export async function issueLinkCode(ctx: TgContext, userId: string, integrationId: string, me: TgUser): Promise<Record<string, unknown>> {
  return linkShown(await ctx.services.linkCodes.issue({ purpose: linkPurpose(integrationId), userId, ttlMs: LINK_TTL_MS }), me);
}

/** What the API shows of a `/link` code: the code, its expiry and what to do with it. */
function linkShown(issued: { code: string; expiresAt: number }, me: TgUser): Record<string, unknown> {
  return {
    code: issued.code,
    expires_at: new Date(issued.expiresAt).toISOString(),
    instructions: `Open https://t.me/${me.username ?? ''} in Telegram and send: /link ${issued.code}  (the code works once and expires in one hour)`,
  };
}

/** `POST /v1/integrations/:id/link-code`. */
export async function newLinkCode(ctx: TgContext, integration: IntegrationInfo): Promise<{ status: number; body: unknown }> {
  const config = integration.config as TelegramConfig;
  if (config.shared) throw new UnprocessableError('The shared bot is paired with POST /v1/integrations/telegram/pair, not with /link codes', 'shared_bot');
  return { status: 201, body: { link: await issueLinkCode(ctx, integration.userId, integration.id, config.bot ?? { id: 0 }) } };
}
