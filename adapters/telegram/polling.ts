import { setTimeout as sleepFor } from 'node:timers/promises';
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

/** Timings of the poll lease that makes one replica the poller of a bot, in ms. */
export interface PollingOptions {
  /** How long a lease lasts without renewal. Default 8000. */
  leaseMs: number;
  /** How often the poller renews its lease. Default 2000. */
  renewMs: number;
  /** How often a replica that does not hold a bot's lease tries to take it. Default 2000. */
  standbyMs: number;
  /** How often the list of polling bots is read again (bots connected through other replicas). Default 5000. */
  rescanMs: number;
}

/** A holder's death is noticed within `leaseMs + standbyMs` (10 s by default). */
export const DEFAULT_POLLING: PollingOptions = { leaseMs: 8000, renewMs: 2000, standbyMs: 2000, rescanMs: 5000 };

/** The name of the lease of a bot's getUpdates loop. */
export const pollLease = (source: string) => `telegram-poll:${source}`;

/**
 * One getUpdates loop per bot (`TELEGRAM_MODE=polling`, for local development). Updates are committed
 * to the same inbox as webhooks before the offset moves on. Every replica contends for each bot's
 * lease ({@link pollLease}); only the holder polls, renewing it while it does, and another replica
 * takes the bot over when the holder stops renewing. A webhook conflict (409) or a revoked token
 * stops the loop and marks the bot unhealthy instead of looping on it.
 */
export class Pollers {
  private readonly loops = new Map<string, AbortController>();
  /** Bots just connected whose row is not committed yet: scans leave them be. */
  private readonly awaitingRow = new Set<string>();
  private readonly o: PollingOptions;
  private rescan: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: TgContext,
    options: Partial<PollingOptions> = {},
  ) {
    this.o = { ...DEFAULT_POLLING, ...options };
  }

  /** Contends for every polling-mode bot (and the shared bot), and keeps the list fresh. */
  async startAll(): Promise<void> {
    if (telegramConfig.of(this.ctx.services).mode !== 'polling') return;
    await this.scan(200);
    if (this.ctx.pool.hasShared) setTimeout(() => void this.startShared(), 200).unref();
    this.rescan = setInterval(() => void this.scan(0).catch(() => undefined), this.o.rescanMs).unref();
  }

  /** Starts contending for the bots not seen yet; stops the loops of bots gone, unhealthy or no longer polling. */
  private async scan(spacingMs: number): Promise<void> {
    const rows = await this.ctx.services.integrations.listByType('telegram');
    const wanted = new Set<string>();
    let delay = 0;
    for (const r of rows) {
      const c = r.config as TelegramConfig;
      if (c.shared || c.mode !== 'polling' || r.status === 'unhealthy') continue;
      wanted.add(r.id);
      if (this.loops.has(r.id)) continue;
      if (spacingMs) setTimeout(() => void this.startFor(r.id), (delay += spacingMs)).unref();
      else void this.startFor(r.id);
    }
    for (const source of this.loops.keys()) if (source !== SHARED_SOURCE && !wanted.has(source) && !this.awaitingRow.has(source)) this.stop(source);
  }

  /** Starts contending for one bot, once its row exists (it is created just after connect returns). */
  async startFor(integrationId: string, waitForRowMs = 30_000): Promise<void> {
    if (this.loops.has(integrationId)) return;
    const ac = new AbortController();
    this.loops.set(integrationId, ac);
    this.awaitingRow.add(integrationId);
    try {
      const until = Date.now() + waitForRowMs;
      let row = await this.ctx.services.integrations.byId(integrationId);
      while (!row && Date.now() < until && !ac.signal.aborted) {
        await pause(250, ac.signal);
        row = await this.ctx.services.integrations.byId(integrationId);
      }
      this.awaitingRow.delete(integrationId);
      if (!row || ac.signal.aborted) return this.forgetLoop(integrationId, ac);
      const bot = await this.ctx.pool.forIntegration(row);
      void this.contend(integrationId, integrationId, bot.api, ac);
    } catch (e) {
      this.awaitingRow.delete(integrationId);
      this.forgetLoop(integrationId, ac);
      this.ctx.services.log.warn({ integration: integrationId, err: redact(String(e)) }, 'Telegram polling could not start; the next scan tries again');
    }
  }

  private async startShared(): Promise<void> {
    if (this.loops.has(SHARED_SOURCE)) return;
    const ac = new AbortController();
    this.loops.set(SHARED_SOURCE, ac);
    try {
      const shared = await this.ctx.pool.sharedBot();
      await shared.api.deleteWebhook();
      void this.contend(SHARED_SOURCE, undefined, shared.api, ac);
    } catch (e) {
      this.forgetLoop(SHARED_SOURCE, ac);
      this.ctx.services.log.warn({ err: redact(String(e)) }, 'the shared Telegram bot could not start polling');
    }
  }

  /**
   * Takes the bot's lease when it is free and polls while it is held; waits as a standby otherwise.
   * The poll stops when a renewal finds the lease taken, or when renewals failed for a whole lease
   * (the database is unreachable: another replica may hold it by now).
   */
  private async contend(source: string, integrationId: string | undefined, api: Api, ac: AbortController): Promise<void> {
    const { leases, log } = this.ctx.services;
    const name = pollLease(source);
    while (!ac.signal.aborted) {
      let held = false;
      try {
        held = await leases.acquire(name, this.o.leaseMs);
      } catch (e) {
        log.warn({ integration: integrationId ?? 'shared', err: redact(String(e)) }, 'Telegram poll lease could not be read; retrying');
      }
      if (!held) {
        await pause(this.o.standbyMs, ac.signal);
        continue;
      }
      const polling = new AbortController();
      const stopPolling = () => polling.abort();
      ac.signal.addEventListener('abort', stopPolling, { once: true });
      let renewedAt = Date.now();
      const renew = setInterval(() => {
        leases.acquire(name, this.o.leaseMs).then(
          (still) => {
            if (!still) return void polling.abort();
            renewedAt = Date.now();
          },
          () => {
            if (Date.now() - renewedAt >= this.o.leaseMs - this.o.renewMs) polling.abort();
          },
        );
      }, this.o.renewMs);
      let fatal = false;
      try {
        fatal = await this.run(source, integrationId, api, polling.signal);
      } finally {
        clearInterval(renew);
        ac.signal.removeEventListener('abort', stopPolling);
      }
      if (fatal || ac.signal.aborted) {
        await leases.release(name).catch(() => undefined);
        break;
      }
    }
    this.forgetLoop(source, ac);
  }

  /** Polls until `signal` aborts; resolves true when the loop stopped for good (409 webhook conflict, revoked token). */
  private async run(source: string, integrationId: string | undefined, api: Api, signal: AbortSignal): Promise<boolean> {
    const log = this.ctx.services.log;
    let offset = 0;
    let backoff = 1000;
    while (!signal.aborted) {
      try {
        const updates: unknown[] = await api.getUpdates({ offset, timeout: LONG_POLL_S, allowed_updates: [...ALLOWED_UPDATES] }, signal as never);
        const batch = this.checked(source, updates);
        if (batch.events.length) await this.ctx.services.inbox.append(batch.events);
        if (batch.next !== undefined) offset = Math.max(offset, batch.next);
        backoff = 1000;
      } catch (e) {
        if (signal.aborted) break;
        // "terminated by other getUpdates request": a poller that lost its lease has not noticed yet.
        const overlap = e instanceof GrammyError && e.error_code === 409 && /other getUpdates/i.test(e.description);
        const fatal = e instanceof GrammyError && ((e.error_code === 409 && !overlap) || isTokenRevoked(e));
        const reason = e instanceof GrammyError ? `getUpdates answered ${e.error_code}: ${e.description}` : redact((e as Error).message);
        if (fatal) {
          log.warn({ integration: integrationId ?? 'shared', reason }, 'Telegram polling stopped');
          if (integrationId) await this.ctx.services.integrations.setStatus(integrationId, 'unhealthy', `polling stopped: ${reason}`).catch(() => undefined);
          return true;
        }
        log.warn({ integration: integrationId ?? 'shared', reason, retryInMs: backoff }, 'Telegram polling failed; retrying');
        await pause(backoff, signal);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
    return false;
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

  private forgetLoop(source: string, ac: AbortController): void {
    if (this.loops.get(source) === ac) this.loops.delete(source);
  }

  /** Stops one bot's loop (and gives its lease up). */
  stop(integrationId: string): void {
    this.loops.get(integrationId)?.abort();
    this.loops.delete(integrationId);
  }

  /** Stops every loop and the rescans. */
  stopAll(): void {
    if (this.rescan) clearInterval(this.rescan);
    for (const ac of this.loops.values()) ac.abort();
    this.loops.clear();
  }
}

/** Waits `ms`, or less when `signal` aborts first. */
async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleepFor(ms, undefined, { signal }).catch(() => undefined);
}
