import { observePacingWait } from '../../src/channel/index.ts';

/**
 * Spaces calls per key (a Slack channel) at least `intervalMs` apart — Slack allows about one
 * chat.postMessage per second per channel. Each caller reserves the next free slot and sleeps
 * until it; the table forgets keys idle for a minute.
 */
export class ChannelPacer {
  private readonly next = new Map<string, number>();

  /** @param intervalMs gap between two calls on one key, in ms (default 1000). */
  constructor(private readonly intervalMs = 1000) {}

  /** Resolves when the caller may make its call on `key`. */
  async wait(key: string): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.next.get(key) ?? 0);
    this.next.set(key, slot + this.intervalMs);
    if (this.next.size > 1000) this.sweep(now);
    observePacingWait('slack', slot - now);
    if (slot > now) await new Promise((r) => setTimeout(r, slot - now));
  }

  private sweep(now: number): void {
    for (const [k, t] of this.next) if (t < now - 60_000) this.next.delete(k);
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
