import type { Logger } from '../channel/index.ts';
import { countLeaseTakeovers } from '../metrics/index.ts';

/**
 * Now and then (every half lease, at most every 10 s) puts rows a crashed worker left leased back
 * to pending, through the `recover` it is given. Cheap to call on every loop turn.
 */
export class LeaseSweeper {
  private next = 0;

  constructor(
    private readonly what: string,
    private readonly recover: () => Promise<number>,
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {}

  /** Sweeps if it is time. Never throws. */
  async maybeSweep(): Promise<void> {
    if (Date.now() < this.next) return;
    this.next = Date.now() + Math.min(this.leaseMs / 2, 10_000);
    try {
      const n = await this.recover();
      countLeaseTakeovers(this.what, n);
      if (n > 0) this.log.warn({ rows: n }, `${this.what} rows left by a stopped worker were taken back`);
    } catch (e) {
      this.log.error({ err: e }, `${this.what} lease recovery failed`);
    }
  }
}
