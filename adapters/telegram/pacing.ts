import { MemoryRateLimiter, observePacingWait, RetryAfterError, type RateBucket, type RateLimiter } from '../../src/channel/index.ts';

/** Send rates, in milliseconds between messages. */
export interface PacingOptions {
  /** Interval per private chat. Default 1000 (≈1 msg/s). */
  chatIntervalMs: number;
  /** Interval per group or supergroup. Default 3000 (≈20 msgs/min). */
  groupIntervalMs: number;
  /** Interval per bot across all chats. Default 34 (≈30 msgs/s); a bot's `broadcast_rate` replaces it. */
  botIntervalMs: number;
  /** Sends that may go at once before an interval applies (burst), per chat and per bot. Default 3 and 30. */
  chatBurst: number;
  botBurst: number;
  /** A wait longer than this is not slept: the send is handed back to the outbox as a retry-after. Default 5000. */
  maxWaitMs: number;
}

/** Telegram's published limits, kept a little under (`TELEGRAM_PACING=telegram`, the default). */
export const DEFAULT_PACING: PacingOptions = {
  chatIntervalMs: 1000,
  groupIntervalMs: 3000,
  botIntervalMs: 34,
  chatBurst: 3,
  botBurst: 30,
  maxWaitMs: 5000,
};

/** No pacing at all (`TELEGRAM_PACING=off`: test servers, benchmarks of the hub itself). */
export const NO_PACING: PacingOptions = { chatIntervalMs: 0, groupIntervalMs: 0, botIntervalMs: 0, chatBurst: 1, botBurst: 1, maxWaitMs: 0 };

/** Telegram's free per-bot rate (msgs/s); a `broadcast_rate` above it sends as paid broadcast. */
export const FREE_BOT_RATE = 30;
/** The most a paid broadcast allows per bot (msgs/s). */
export const MAX_BROADCAST_RATE = 1000;

/** What a {@link Pacer} reserves through and sleeps with; both default to the real thing. */
export interface PacerDeps {
  /** Where slots are reserved: the hub's shared limiter (`services.rates`), else one in memory. */
  limiter?: RateLimiter;
  /** Sleeps `ms` milliseconds (tests inject their own clock). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Paces sends before Telegram has to say 429: per chat (or group), then per bot. A send whose chat
 * is free reserves its chat's and its bot's slot in one call to the limiter (one database round trip
 * on PostgreSQL, so the limits hold across replicas) and sleeps until the bot's; one that must wait
 * for its chat sleeps first and then reserves its bot's slot (a second call). Other chats go on
 * meanwhile. A chat slot more than `maxWaitMs` away throws {@link RetryAfterError}, reserving
 * nothing, so the outbox reschedules the delivery instead of holding a worker.
 */
export class Pacer {
  private readonly limiter: RateLimiter;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly o: PacingOptions = DEFAULT_PACING,
    deps: PacerDeps = {},
  ) {
    this.limiter = deps.limiter ?? new MemoryRateLimiter();
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Resolves when a message to `chatKey` through bot `botKey` may be sent. `broadcastRate` (msgs/s,
   * up to {@link MAX_BROADCAST_RATE}) replaces the per-bot limit of a bot with paid broadcasts.
   */
  async acquire(botKey: string, chatKey: string, isGroup: boolean, broadcastRate?: number): Promise<void> {
    if (this.o.botIntervalMs <= 0 && this.o.chatIntervalMs <= 0 && this.o.groupIntervalMs <= 0) return;
    const chat: RateBucket = isGroup
      ? { key: `telegram|group|${botKey}|${chatKey}`, intervalMs: this.o.groupIntervalMs, burst: 1 }
      : { key: `telegram|chat|${botKey}|${chatKey}`, intervalMs: this.o.chatIntervalMs, burst: this.o.chatBurst };
    const paid = broadcastRate !== undefined && broadcastRate > FREE_BOT_RATE && this.o.botIntervalMs > 0;
    const rate = Math.min(broadcastRate ?? 0, MAX_BROADCAST_RATE);
    const bot: RateBucket = paid
      ? { key: `telegram|bot|${botKey}`, intervalMs: Math.ceil(1000 / rate), burst: rate }
      : { key: `telegram|bot|${botKey}`, intervalMs: this.o.botIntervalMs, burst: this.o.botBurst };
    const r = await this.limiter.reserve([chat, bot], this.o.maxWaitMs);
    if ('retryAfterMs' in r) throw new RetryAfterError(`paced: chat ${chatKey} may be sent to again in ${r.retryAfterMs} ms`, r.retryAfterMs);
    let waited = r.waitMs;
    if (r.waitMs > 0) await this.sleep(r.waitMs);
    // The chat had to wait: its bot's slot is taken now, not booked ahead of the wait.
    for (let rest = r.rest; rest?.length; ) {
      const next = await this.limiter.reserve(rest);
      if ('retryAfterMs' in next) break;
      waited += next.waitMs;
      if (next.waitMs > 0) await this.sleep(next.waitMs);
      rest = next.rest;
    }
    observePacingWait('telegram', waited);
  }
}
