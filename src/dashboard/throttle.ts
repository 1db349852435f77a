import { LRUCache } from 'lru-cache';

/** Failed sign-ins allowed per client before the slowdown starts: 5. */
export const FREE_FAILURES = 5;
/** The first wait after {@link FREE_FAILURES} failures: 1 s; each further failure doubles it. */
export const BASE_DELAY_MS = 1000;
/** The longest wait: 15 minutes. */
export const MAX_DELAY_MS = 15 * 60 * 1000;

interface Entry {
  failures: number;
  blockedUntil: number;
}

/**
 * Slows down guessing of API keys on the sign-in form, per client IP, in memory (one process; a
 * replica keeps its own count). After {@link FREE_FAILURES} failures each new one blocks the IP for
 * 1 s, 2 s, 4 s… up to {@link MAX_DELAY_MS}; a success clears it. Forgets an IP after an hour idle.
 */
export class SignInThrottle {
  private readonly entries = new LRUCache<string, Entry>({ max: 10_000, ttl: 60 * 60 * 1000 });

  constructor(private readonly clock: () => number = Date.now) {}

  /** Milliseconds the IP must still wait before trying again (0: it may try now). */
  waitMs(ip: string): number {
    const e = this.entries.get(ip);
    return e ? Math.max(0, e.blockedUntil - this.clock()) : 0;
  }

  /** Records a failed sign-in. */
  failed(ip: string): void {
    const e = this.entries.get(ip) ?? { failures: 0, blockedUntil: 0 };
    e.failures += 1;
    if (e.failures >= FREE_FAILURES) e.blockedUntil = this.clock() + Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (e.failures - FREE_FAILURES));
    this.entries.set(ip, e);
  }

  /** Forgets the IP's failures (after a successful sign-in). */
  succeeded(ip: string): void {
    this.entries.delete(ip);
  }
}
