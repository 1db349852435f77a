/** Options of {@link AttemptLimiter}. */
export interface AttemptOptions {
  /** Failed attempts allowed per chat before the cool-down. Default 5. */
  max: number;
  /** Cool-down after the last allowed failure, in ms. Default 15 min. */
  coolDownMs: number;
}

/**
 * Counts failed `/link` and pairing attempts per chat and imposes a cool-down after too many, so a
 * code cannot be guessed by brute force. In process: a restart forgets the counts (codes are long and
 * expire in an hour, so the window for guessing stays tiny).
 */
export class AttemptLimiter {
  private readonly failures = new Map<string, { count: number; until: number }>();

  constructor(private readonly o: AttemptOptions = { max: 5, coolDownMs: 15 * 60_000 }) {}

  /** Milliseconds left in the chat's cool-down, or 0 when it may try. */
  blockedFor(key: string): number {
    const f = this.failures.get(key);
    if (!f || f.until === 0) return 0;
    const left = f.until - Date.now();
    if (left <= 0) {
      this.failures.delete(key);
      return 0;
    }
    return left;
  }

  /** Counts a failure; returns the attempts left before the cool-down (0: it starts now). */
  fail(key: string): number {
    const f = this.failures.get(key) ?? { count: 0, until: 0 };
    f.count += 1;
    if (f.count >= this.o.max) f.until = Date.now() + this.o.coolDownMs;
    this.failures.set(key, f);
    if (this.failures.size > 50_000) this.failures.delete(this.failures.keys().next().value as string);
    return Math.max(0, this.o.max - f.count);
  }

  /** Forgets a chat's failures (after a success). */
  reset(key: string): void {
    this.failures.delete(key);
  }
}
