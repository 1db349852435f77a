import type { AdapterDeps, ChannelAdapter, InboundMessage, IntegrationInfo, OutboundMessage } from '../../src/channel/index.ts';
import { UnprocessableError } from '../../src/channel/index.ts';
import { BotPool } from './bots.ts';
import { capabilities } from './capabilities.ts';
import { telegramConfig } from './config.ts';
import { connectBot, newLinkCode, webhookUrl } from './connect.ts';
import { Epochs, SHARED_LINK_CHANNEL, type TgContext } from './context.ts';
import { isTokenRevoked, redact } from './errors.ts';
import { interpretUpdate } from './interpret.ts';
import { AttemptLimiter, type AttemptOptions } from './link-attempts.ts';
import { DEFAULT_PACING, NO_PACING, Pacer, type PacingOptions } from './pacing.ts';
import { Pollers, type DEFAULT_POLLING, type PollingOptions } from './polling.ts';
import { sendMessage } from './send.ts';
import { validateSettings } from './settings.ts';
import { telegramStream } from './stream.ts';
import { pair } from './shared.ts';
import { ALLOWED_UPDATES, type TelegramConfig, type TelegramTarget } from './types.ts';
import { InboxBatcher, webhookRoutes } from './webhook.ts';

/** Tuning of the Telegram adapter; every field has a default. */
export interface TelegramOptions {
  /**
   * Send pacing, over `TELEGRAM_PACING`; default from it: `telegram` → {@link DEFAULT_PACING} (≈1/s per
   * chat, 20/min per group, 30/s per bot), `off` → {@link NO_PACING}.
   */
  pacing?: Partial<PacingOptions>;
  /** Timings of the poll lease (polling mode); default {@link DEFAULT_POLLING}: a dead poller's bots move within 10 s. */
  polling?: Partial<PollingOptions>;
  /** `/link` and pairing attempts per chat before a cool-down; default 5, then 15 minutes. */
  attempts?: AttemptOptions;
}

/**
 * The Telegram channel: many bots per hub (one integration each), `/link` claims, a shared bot with
 * one-tap pairing, webhooks (or polling) into the durable inbox, paced sends through grammY.
 */
export function createTelegramAdapter(deps: AdapterDeps, options: TelegramOptions = {}): ChannelAdapter {
  const services = deps.services;
  const pool = new BotPool(services);
  const ctx: TgContext = { services, pool, attempts: new AttemptLimiter(options.attempts), epochs: new Epochs(services) };
  const pacing = options.pacing ? { ...DEFAULT_PACING, ...options.pacing } : telegramConfig.of(services).pacing === 'off' ? NO_PACING : DEFAULT_PACING;
  // Slots are reserved through the hub's limiter: shared by every replica on PostgreSQL.
  const pacer = new Pacer(pacing, { limiter: services.rates });
  const batcher = new InboxBatcher(services);
  const pollers = new Pollers(ctx, options.polling);

  return {
    name: 'telegram',
    capabilities,
    routes: webhookRoutes(ctx, batcher),
    typeActions: { pair: { method: 'post', handle: (caller) => pair(ctx, caller) } },
    integrationActions: { 'link-code': { handle: (integration) => newLinkCode(ctx, integration) } },

    interpret: (event) => interpretUpdate(ctx, event),
    send: (message, sc) => sendMessage(ctx, pacer, message, sc),
    stream: (message) => telegramStream(ctx, message),

    async working(message: InboundMessage) {
      if (!message.integrationId) return;
      const integration = await services.integrations.byId(message.integrationId);
      if (!integration) return;
      const bot = await pool.forIntegration(integration);
      const t = message.replyTarget as unknown as TelegramTarget;
      await bot.api.sendChatAction(t.chat_id, 'typing', t.message_thread_id !== undefined ? { message_thread_id: t.message_thread_id } : {});
    },

    async connect(input, cc) {
      const old = cc.replacing;
      if (old && (old.config as TelegramConfig).shared) throw new UnprocessableError('The shared bot has no token of yours to replace; pair again with POST /v1/integrations/telegram/pair', 'shared_bot');
      const result = await connectBot(ctx, input, cc);
      if (old && old.externalId !== result.externalId) {
        // Another bot takes this row's place: the old one stops delivering here (best effort).
        try {
          const bot = await pool.forIntegration(old);
          if ((old.config as TelegramConfig).mode !== 'polling') await bot.api.deleteWebhook();
        } catch (e) {
          if (!isTokenRevoked(e)) services.log.warn({ integration: old.id, err: redact(String(e)) }, 'deleteWebhook of the replaced bot failed');
        }
      }
      if (!old && (result.config as TelegramConfig).mode === 'polling') void pollers.startFor(cc.integrationId);
      return result;
    },

    async credentialsReplaced(integration: IntegrationInfo) {
      pool.forget(integration.id);
      if ((integration.config as TelegramConfig).mode === 'polling') {
        pollers.stop(integration.id);
        void pollers.startFor(integration.id);
      }
    },

    validateSettings,

    async disconnect(integration: IntegrationInfo) {
      const config = integration.config as TelegramConfig;
      pollers.stop(integration.id);
      if (config.shared) {
        for (const l of await services.links.ofUser(integration.userId)) {
          if (l.channel === SHARED_LINK_CHANNEL && l.external_user_id) await services.links.unlink(SHARED_LINK_CHANNEL, null, l.external_user_id);
        }
        return;
      }
      try {
        const bot = await pool.forIntegration(integration);
        if (config.mode !== 'polling') await bot.api.deleteWebhook();
      } catch (e) {
        if (!isTokenRevoked(e)) services.log.warn({ integration: integration.id, err: redact(String(e)) }, 'deleteWebhook failed; disconnecting anyway');
      } finally {
        pool.forget(integration.id);
        await services.integrations.setSecrets(integration.id, null).catch(() => undefined);
      }
    },

    async notifyTarget(integration: IntegrationInfo) {
      const config = integration.config as TelegramConfig;
      const links = await services.links.ofUser(integration.userId, config.shared ? undefined : integration.id);
      const link = links.find((l) => l.channel === (config.shared ? SHARED_LINK_CHANNEL : 'telegram') && l.external_chat_id);
      if (!link) {
        throw new UnprocessableError(
          config.shared
            ? `No chat is paired with the shared bot for ${integration.name}; pair with POST /v1/integrations/telegram/pair`
            : `${integration.name} is not linked to your Telegram account yet: DM the bot /link <code> (POST /v1/integrations/${integration.id}/link-code gives a code)`,
          'telegram_not_linked',
        );
      }
      return { chat_id: Number(link.external_chat_id), chat_type: 'private', ...(config.shared ? { via: 'shared' } : {}) };
    },

    orderingKey(message: OutboundMessage, integrationId: string | null) {
      const t = message.target as unknown as TelegramTarget;
      return `telegram|${integrationId ?? 'shared'}|${t.chat_id}`;
    },

    async start() {
      await pollers.startAll();
      if (telegramConfig.of(services).mode === 'webhook' && pool.hasShared) {
        // Registers the shared bot's webhook in the background; a failure is logged, never fatal.
        void pool
          .sharedBot()
          .then((b) => b.api.setWebhook(webhookUrl(services.config.publicUrl, 'shared'), { secret_token: b.webhookSecret, allowed_updates: [...ALLOWED_UPDATES] }))
          .catch((e) => services.log.warn({ err: redact(String(e)) }, 'the shared Telegram bot webhook could not be set'));
      }
    },

    async stop() {
      pollers.stopAll();
    },
  };
}
