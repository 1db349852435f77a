import { MemoryRateLimiter, observePacingWait, type RateLimiter } from '../../src/channel/index.ts';

/**
 * Spaces calls per key (a Slack channel) at least `intervalMs` apart — Slack allows about one
 * chat.postMessage per second per channel. Each caller reserves the next free slot through the
 * limiter and sleeps until it; with the hub's `services.rates` the slots are shared by every
 * replica on PostgreSQL, otherwise they are kept in memory.
 */
export class ChannelPacer {
  /**
   * @param intervalMs gap between two calls on one key, in ms (default 1000).
   * @param limiter where slots are reserved (default one in memory).
   * @param sleep sleeps `ms` milliseconds (tests inject their own clock).
   */
  constructor(
    private readonly intervalMs = 1000,
    private readonly limiter: RateLimiter = new MemoryRateLimiter(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** Resolves when the caller may make its call on `key`. */
  async wait(key: string): Promise<void> {
    if (this.intervalMs <= 0) return;
    const r = await this.limiter.reserve([{ key: `slack|channel|${key}`, intervalMs: this.intervalMs, burst: 1 }]);
    const ms = 'waitMs' in r ? r.waitMs : r.retryAfterMs;
    observePacingWait('slack', ms);
    if (ms > 0) await this.sleep(ms);
  }
}

/** A bounded set of recent keys (oldest forgotten first). */
export class RecentSet {
  private readonly keys = new Set<string>();
  constructor(private readonly max = 10_000) {}

  add(key: string): void {
    this.keys.delete(key);
    this.keys.add(key);
    if (this.keys.size > this.max) this.keys.delete(this.keys.values().next().value as string);
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }
}
