/** Options of {@link nextDelay}. Times in ms. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A fixed schedule (delay before attempt 2, 3, …) that replaces the exponential curve. */
  schedule?: readonly number[];
  /** The wait the platform asked for; honoured when longer than the computed delay. */
  retryAfterMs?: number;
  /** Random source in [0,1); injectable for tests. */
  random?: () => number;
}

/**
 * Delay before the next attempt after `attempt` attempts failed: exponential (`base·2^(n-1)`, capped)
 * with full-half jitter (50–100 %), or the fixed schedule's entry with ±10 % jitter; never shorter
 * than the platform's retry-after.
 */
export function nextDelay(attempt: number, o: BackoffOptions): number {
  const random = o.random ?? Math.random;
  let delay: number;
  if (o.schedule && o.schedule.length > 0) {
    const d = o.schedule[Math.min(attempt - 1, o.schedule.length - 1)];
    delay = d * (0.9 + 0.2 * random());
  } else {
    const exp = Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, attempt - 1));
    delay = exp * (0.5 + 0.5 * random());
  }
  if (o.retryAfterMs !== undefined) delay = Math.max(delay, o.retryAfterMs);
  return Math.round(delay);
}
