import { GrammyError, type Api } from 'grammy';
import type { InboxEvent } from '../../src/channel/index.ts';
import { telegramConfig } from './config.ts';
import type { TgContext } from './context.ts';
import { isTokenRevoked, redact } from './errors.ts';
import { SHARED_SOURCE } from './interpret.ts';
import { checkUpdate } from './schema.ts';
import { ALLOWED_UPDATES, type TelegramConfig } from './types.ts';
import { updateEvent } from './webhook.ts';

/** Long-poll timeout per getUpdates call, in seconds. */
const LONG_POLL_S = 25;

/**
 * One getUpdates loop per bot (`TELEGRAM_MODE=polling`, for local development). Updates are committed
 * to the same inbox as webhooks before the offset moves on. A 409 (another poller or a webhook) or a
 * revoked token stops the loop and marks the bot unhealthy instead of looping on the conflict.
 */
export class Pollers {
  private readonly loops = new Map<string, AbortController>();

  constructor(private readonly ctx: TgContext) {}

  /** Starts loops for every polling-mode bot (and the shared bot), spaced out. */
  async startAll(): Promise<void> {
    if (telegramConfig.of(this.ctx.services).mode !== 'polling') return;
    const rows = await this.ctx.services.integrations.listByType('telegram');
    let delay = 0;
    for (const r of rows) {
      const c = r.config as TelegramConfig;
      if (c.shared || c.mode !== 'polling' || r.status === 'unhealthy') continue;
      setTimeout(() => void this.startFor(r.id), (delay += 200)).unref();
    }
    if (this.ctx.pool.hasShared) setTimeout(() => void this.startShared(), delay + 200).unref();
  }

  /** Starts the loop of one bot, once its row exists (it is created just after connect returns). */
  async startFor(integrationId: string, waitForRowMs = 30_000): Promise<void> {
    if (this.loops.has(integrationId)) return;
    const ac = new AbortController();
    this.loops.set(integrationId, ac);
    const until = Date.now() + waitForRowMs;
    let row = await this.ctx.services.integrations.byId(integrationId);
    while (!row && Date.now() < until && !ac.signal.aborted) {
      await sleep(250);
      row = await this.ctx.services.integrations.byId(integrationId);
    }
    if (!row || ac.signal.aborted) return void this.loops.delete(integrationId);
    const bot = await this.ctx.pool.forIntegration(row);
    void this.run(integrationId, integrationId, bot.api, ac);
  }

  private async startShared(): Promise<void> {
    if (this.loops.has(SHARED_SOURCE)) return;
    const ac = new AbortController();
    this.loops.set(SHARED_SOURCE, ac);
    try {
      const shared = await this.ctx.pool.sharedBot();
      await shared.api.deleteWebhook();
      void this.run(SHARED_SOURCE, undefined, shared.api, ac);
    } catch (e) {
      this.loops.delete(SHARED_SOURCE);
      this.ctx.services.log.warn({ err: redact(String(e)) }, 'the shared Telegram bot could not start polling');
    }
  }

  private async run(source: string, integrationId: string | undefined, api: Api, ac: AbortController): Promise<void> {
    const log = this.ctx.services.log;
    let offset = 0;
    let backoff = 1000;
    while (!ac.signal.aborted) {
      try {
        const updates: unknown[] = await api.getUpdates({ offset, timeout: LONG_POLL_S, allowed_updates: [...ALLOWED_UPDATES] }, ac.signal as never);
        const batch = this.checked(source, updates);
        if (batch.events.length) await this.ctx.services.inbox.append(batch.events);
        if (batch.next !== undefined) offset = Math.max(offset, batch.next);
        backoff = 1000;
      } catch (e) {
        if (ac.signal.aborted) break;
        const fatal = e instanceof GrammyError && (e.error_code === 409 || isTokenRevoked(e));
        const reason = e instanceof GrammyError ? `getUpdates answered ${e.error_code}: ${e.description}` : redact((e as Error).message);
        if (fatal) {
          log.warn({ integration: integrationId ?? 'shared', reason }, 'Telegram polling stopped');
          if (integrationId) await this.ctx.services.integrations.setStatus(integrationId, 'unhealthy', `polling stopped: ${reason}`).catch(() => undefined);
          break;
        }
        log.warn({ integration: integrationId ?? 'shared', reason, retryInMs: backoff }, 'Telegram polling failed; retrying');
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
    if (this.loops.get(source) === ac) this.loops.delete(source);
  }

  /**
   * The inbox events of one getUpdates answer and the offset after it. Updates with a field we read of
   * the wrong type are logged and skipped; the offset still moves past them, so they are never fetched again.
   */
  private checked(source: string, updates: unknown[]): { events: InboxEvent[]; next?: number } {
    const events: InboxEvent[] = [];
    let last: number | undefined;
    for (const raw of updates) {
      const checked = checkUpdate(raw);
      const id = 'update' in checked ? checked.update.update_id : checked.updateId;
      if (id !== undefined) last = Math.max(last ?? id, id);
      if ('update' in checked) events.push(updateEvent(source, checked.update));
      else this.ctx.services.log.warn({ integration: source, update_id: id, reason: checked.invalid }, 'Telegram update ignored');
    }
    return { events, next: last === undefined ? undefined : last + 1 };
  }

  /** Stops one bot's loop. */
  stop(integrationId: string): void {
    this.loops.get(integrationId)?.abort();
    this.loops.delete(integrationId);
  }

  /** Stops every loop. */
  stopAll(): void {
    for (const ac of this.loops.values()) ac.abort();
    this.loops.clear();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
