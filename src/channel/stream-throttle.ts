/** Options of {@link LatestTextPump}. */
export interface PumpOptions {
  /** Least time between two pushes, in ms. */
  intervalMs: number;
  /** Epoch ms; injected by tests. Default Date.now. */
  now?: () => number;
  /** Waits `ms`; injected by tests. Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Pushes the latest text of a stream to a platform, one call at a time and at most once per
 * `intervalMs`: texts that arrive in between are coalesced (only the newest is pushed). A failed
 * push stops the pump for good (a preview is best effort). For adapters' {@link StreamSink}s.
 */
export class LatestTextPump {
  private latest: string | undefined;
  private sent: string | undefined;
  private last = -Infinity;
  private running: Promise<void> | undefined;
  private stopped = false;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly push: (text: string) => Promise<void>,
    private readonly o: PumpOptions,
  ) {
    this.now = o.now ?? Date.now;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Offers a newer text; returns at once. */
  update(text: string): void {
    if (this.stopped) return;
    this.latest = text;
    this.running ??= this.loop().finally(() => (this.running = undefined));
  }

  /** Stops pushing and waits for the push in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopped && this.latest !== undefined && this.latest !== this.sent) {
      const wait = this.last + this.o.intervalMs - this.now();
      if (wait > 0) await this.sleep(wait);
      if (this.stopped) return;
      const text = this.latest;
      this.last = this.now();
      try {
        await this.push(text);
        this.sent = text;
      } catch {
        this.stopped = true;
      }
    }
  }
}
