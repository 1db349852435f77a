/** One bucket of a send rate: on average one send per `intervalMs`, up to `burst` at once. */
export interface RateBucket {
  /** The bucket's name, unique across the hub (e.g. `telegram|chat|<bot>|<chat>`). */
  readonly key: string;
  /** Milliseconds between two sends on average; 0 means no limit. */
  readonly intervalMs: number;
  /** Sends that may go at once before the interval applies (at least 1). */
  readonly burst: number;
}

/**
 * What a reservation gives: a slot `waitMs` from now, or nothing reserved and a hint when to try
 * again. `rest`, when present, lists buckets of the chain not reserved yet: reserve them once the
 * wait is over.
 */
export type Reservation = { readonly waitMs: number; readonly rest?: readonly RateBucket[] } | { readonly retryAfterMs: number };

/**
 * Reserves send slots. In one process it is an in-memory table ({@link MemoryRateLimiter}); on
 * PostgreSQL every replica reserves in the same table, so a bot's limits hold across replicas.
 */
export interface RateLimiter {
  /**
   * Reserves one send through a chain of buckets (a chat, then its bot): a slot in the first, then
   * in each next bucket a slot no earlier than the one before it. Resolves with how long to wait
   * before sending, in ms. A bucket is never booked ahead of a wait in an earlier one (a future slot
   * in a bot's bucket would hold back its other chats' sends that could go now): from the first
   * bucket whose slot is not now, the later ones come back as `rest`, for the caller to reserve
   * after waiting. When the first bucket's slot is more than `maxWaitMs` away, nothing is reserved
   * and `retryAfterMs` says when it frees up. Buckets with interval 0 are skipped.
   */
  reserve(buckets: readonly RateBucket[], maxWaitMs?: number): Promise<Reservation>;
}

/**
 * A GCRA limiter in memory: per key the theoretical arrival time (`tat`, epoch ms) of the next
 * send. A send at time t may go at max(t, tat − (burst − 1) × interval). Keys whose time has passed
 * (the same as never seen) are forgotten once the table holds 10 000 of them; when more than that are
 * live, the next sweep waits until the table has doubled, so a sweep costs O(1) per send on average.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly tat = new Map<string, number>();
  private sweepAt = 10_000;

  /** @param now the clock, epoch ms (default `Date.now`; tests inject their own). */
  constructor(private readonly now: () => number = Date.now) {}

  async reserve(buckets: readonly RateBucket[], maxWaitMs = Infinity): Promise<Reservation> {
    const now = this.now();
    const live = buckets.filter((b) => b.intervalMs > 0);
    let at = now;
    for (const [i, b] of live.entries()) {
      if (at > now) return { waitMs: at - now, rest: live.slice(i) };
      const old = this.tat.get(b.key) ?? 0;
      const allowed = Math.max(at, old - (Math.max(1, b.burst) - 1) * b.intervalMs);
      if (i === 0 && allowed - now > maxWaitMs) return { retryAfterMs: allowed - now };
      this.tat.set(b.key, Math.max(old, at) + b.intervalMs);
      at = allowed;
    }
    if (this.tat.size > this.sweepAt) this.prune(now);
    return { waitMs: at - now };
  }

  private prune(now: number): void {
    for (const [k, t] of this.tat) if (t < now) this.tat.delete(k);
    this.sweepAt = Math.max(10_000, this.tat.size * 2);
  }
}
