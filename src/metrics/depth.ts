import { Gauge, Registry } from 'prom-client';
import type { Logger } from '../channel/index.ts';

/** Rows per status of the inbox and the outbox, for the statuses that are work or failed for good. */
export interface DepthCounts {
  inbox: Record<string, number>;
  outbox: Record<string, number>;
}

/** Options of {@link DepthGauges}. */
export interface DepthOptions {
  /** Reads both tables' counts (`StatusCountsRepo.depth`: one query per table, by partial indexes). */
  read: () => Promise<DepthCounts>;
  log: Logger;
  /** How long one reading answers every scrape, in ms. Default 2000. */
  ttlMs?: number;
  /** The clock, in epoch ms. Default `Date.now`. */
  now?: () => number;
}

const INBOX_STATUSES = ['pending', 'processing', 'failed'];
const OUTBOX_STATUSES = ['pending', 'sending', 'failed', 'dead'];

/**
 * The database-wide depth gauges `switchboard_inbox_rows{status}` and
 * `switchboard_outbox_rows{status}`, read at scrape time: the statuses that are work (pending,
 * processing, sending) or failed for good (failed, dead). Finished rows are left out: counting them
 * would read the whole history retention keeps, and the counters (deliveries, turns) tell their
 * rate. One reading (or its failure) answers every scrape for `ttlMs`, and concurrent scrapes share
 * one reading, so a scrape storm costs the database at most two queries per TTL, each reading only
 * the partial indexes of those statuses. Every reported status is there, 0 when absent. When the
 * database cannot be read the gauges are left out of that scrape (and a warning logged).
 */
export class DepthGauges {
  /** This hub's registry, holding only the two gauges. */
  readonly registry = new Registry();
  private cached: { at: number; reading: Promise<DepthCounts | undefined> } | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly o: DepthOptions) {
    this.ttlMs = o.ttlMs ?? 2000;
    this.now = o.now ?? Date.now;
    const self = this;
    for (const [table, statuses] of [['inbox', INBOX_STATUSES], ['outbox', OUTBOX_STATUSES]] as const) {
      new Gauge({
        name: `switchboard_${table}_rows`,
        help: `Rows in the ${table} by status (database-wide: every replica reports the same value)`,
        labelNames: ['status'],
        registers: [this.registry],
        async collect() {
          const counts = await self.reading();
          this.reset();
          if (!counts) return;
          for (const s of statuses) this.set({ status: s }, 0);
          for (const [s, n] of Object.entries(counts[table])) this.set({ status: s }, n);
        },
      });
    }
  }

  /** The current reading: cached for the TTL, shared by concurrent callers; undefined if it failed. */
  reading(): Promise<DepthCounts | undefined> {
    const t = this.now();
    if (!this.cached || t - this.cached.at >= this.ttlMs) {
      const reading = this.o.read().catch((e: unknown) => {
        this.o.log.warn({ err: e }, 'metrics: could not read inbox/outbox depth; left out of this scrape');
        return undefined;
      });
      this.cached = { at: t, reading };
    }
    return this.cached.reading;
  }
}
