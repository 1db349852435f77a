import { createHmac } from 'node:crypto';
import { Bot, type Api } from 'grammy';
import { LRUCache } from 'lru-cache';
import type { AdapterServices, IntegrationInfo } from '../../src/channel/index.ts';
import { RefusedError } from '../../src/channel/index.ts';
import { telegramConfig } from './config.ts';
import { translate } from './errors.ts';
import { telegramFetch } from './fetch.ts';
import { BOT_STATE_KEY, type TelegramConfig, type TelegramSecrets, type TgUser } from './types.ts';

/** grammY's Api for one bot and the bot's getMe answer. */
export interface BotHandle {
  api: Api;
  me: TgUser & Record<string, unknown>;
}

/** The shared bot: its Api, getMe answer and the webhook secret derived from its token. */
export interface SharedBot extends BotHandle {
  webhookSecret: string;
}

/** How long cached secrets and rows stay trusted before they are read again (ms). */
const CACHE_MS = 5_000;

/** How long a built grammY client is trusted before its token is read again (ms): 5 minutes. */
const BOT_TTL_MS = CACHE_MS * 60;

/**
 * One grammY Bot per token, built on first use with the getMe answer kept in the integration's state
 * (falling back to the identity in its config, so grammY never calls getMe) and the configured API
 * root. Also caches each integration's webhook secret for the webhook's hot path. Both caches are
 * LRUs of at most `TELEGRAM_BOT_CACHE` bots (default 1000): an idle bot costs no memory, and one
 * that dropped out is built again from the database when it is used. `forget` drops a bot when it
 * is disconnected.
 */
export class BotPool {
  private readonly bots: LRUCache<string, BotHandle>;
  private readonly secrets: LRUCache<string, { integration: IntegrationInfo; secret: string | undefined }>;
  private shared: Promise<SharedBot> | undefined;

  constructor(private readonly services: AdapterServices) {
    const max = telegramConfig.of(services).botCache;
    this.bots = new LRUCache({ max, ttl: BOT_TTL_MS, ttlAutopurge: false });
    this.secrets = new LRUCache({ max, ttl: CACHE_MS, ttlAutopurge: false });
  }

  /** How many bots' clients and webhook secrets are cached now (each at most `TELEGRAM_BOT_CACHE`). */
  get cached(): { bots: number; secrets: number } {
    return { bots: this.bots.size, secrets: this.secrets.size };
  }

  /** A grammY Bot for a token; `me` skips getMe. Calls go through {@link telegramFetch} on grammY's keep-alive agent. */
  build(token: string, me?: TgUser & Record<string, unknown>): Bot {
    return new Bot(token, {
      client: { apiRoot: telegramConfig.of(this.services).apiRoot, fetch: telegramFetch as unknown as typeof fetch },
      ...(me ? { botInfo: me as never } : {}),
    });
  }

  /** The bot an integration sends through (its own, or the shared bot for a shared-bot row). */
  async forIntegration(integration: IntegrationInfo): Promise<BotHandle> {
    const config = integration.config as TelegramConfig;
    if (config.shared) return this.sharedBot();
    const hit = this.bots.get(integration.id);
    if (hit) return hit;
    const secrets = await this.services.integrations.secrets<TelegramSecrets>(integration.id);
    const me = (await this.services.state.get<BotHandle['me']>(integration.id, BOT_STATE_KEY)) ?? (config.bot as BotHandle['me'] | undefined);
    if (!secrets?.token || !me) throw new RefusedError(`integration ${integration.id} has no bot token`, true);
    const bot = this.build(secrets.token, me);
    const handle = { api: bot.api, me };
    this.bots.set(integration.id, handle);
    return handle;
  }

  /**
   * The integration and its webhook secret, cached for a few seconds; undefined when the row does not
   * exist (deleted, or never a Telegram bot).
   */
  async webhookSecret(integrationId: string): Promise<{ integration: IntegrationInfo; secret: string | undefined } | undefined> {
    const hit = this.secrets.get(integrationId);
    if (hit) return hit;
    const integration = await this.services.integrations.byId(integrationId);
    if (!integration || integration.type !== 'telegram' || (integration.config as TelegramConfig).shared) {
      this.secrets.delete(integrationId);
      return undefined;
    }
    const secrets = await this.services.integrations.secrets<TelegramSecrets>(integrationId);
    const entry = { integration, secret: secrets?.webhook_secret };
    this.secrets.set(integrationId, entry);
    return entry;
  }

  /** True when a shared bot token is configured. */
  get hasShared(): boolean {
    return !!telegramConfig.of(this.services).sharedBotToken;
  }

  /** The shared bot; calls getMe once per process. Throws when none is configured. */
  sharedBot(): Promise<SharedBot> {
    const token = telegramConfig.of(this.services).sharedBotToken;
    if (!token) return Promise.reject(new RefusedError('no shared Telegram bot is configured (TELEGRAM_SHARED_BOT_TOKEN)', true));
    this.shared ??= (async () => {
      const bot = this.build(token);
      const me = (await bot.api.getMe().catch((e) => Promise.reject(translate(e, 'getMe')))) as unknown as TgUser & Record<string, unknown>;
      return { api: bot.api, me, webhookSecret: deriveSecret(token) };
    })();
    this.shared.catch(() => (this.shared = undefined));
    return this.shared;
  }

  /** The shared bot's webhook secret (derived from its token; no need to store it). */
  sharedSecret(): string | undefined {
    const token = telegramConfig.of(this.services).sharedBotToken;
    return token ? deriveSecret(token) : undefined;
  }

  /** Drops everything cached for an integration. */
  forget(integrationId: string): void {
    this.bots.delete(integrationId);
    this.secrets.delete(integrationId);
  }
}

/** A webhook secret derived from a token with HMAC-SHA256: stable across restarts, 43 URL-safe characters. */
function deriveSecret(token: string): string {
  return createHmac('sha256', token).update('switchboard shared bot webhook').digest('base64url');
}
