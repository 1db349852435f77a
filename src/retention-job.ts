import type { Logger } from './channel/index.ts';
import { retentionPruned } from './metrics/bus-metrics.ts';
import { pruneInBatches, type BatchOptions, type RetentionRepo, type PruneReport } from './store/retention.ts';

const DAY_MS = 86_400_000;

/** Options of {@link RetentionJob}. */
export interface RetentionJobOptions extends Pick<BatchOptions, 'batchSize' | 'pauseMs' | 'sleep'> {
  /** The prune queries (over the hub's database). */
  repo: RetentionRepo;
  log: Logger;
  /** Keep finished rows this many days (RETENTION_DAYS); must be at least 1. */
  days: number;
  /** Time between passes, in ms. Default 300 000 (5 min). */
  intervalMs?: number;
  /** The clock, in epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * Prunes finished rows older than RETENTION_DAYS: one pass at start, then one every `intervalMs`
 * (the timer does not keep the process alive). A pass never overlaps the previous one; a failed
 * pass is logged and the next one tries again. On several replicas each runs its own job: the
 * deletes are idempotent and short, so they only share the work.
 */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<PruneReport | undefined> | undefined;
  private stopping = false;

  constructor(private readonly o: RetentionJobOptions) {
    if (!(o.days >= 1)) throw new Error('RetentionJob needs days >= 1 (0 means retention is off: do not start the job)');
  }

  /** Starts the first pass now and schedules the next ones. */
  start(): void {
    this.stopping = false;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.o.intervalMs ?? 300_000);
    this.timer.unref();
  }

  /**
   * One pass; resolves with what it deleted, or undefined when it failed or the previous pass is
   * still running (it then resolves with that pass's report). Never rejects.
   */
  runOnce(): Promise<PruneReport | undefined> {
    if (this.current) return this.current;
    const cutoff = (this.o.now ?? Date.now)() - this.o.days * DAY_MS;
    this.current = pruneInBatches(this.o.repo, {
      cutoff,
      batchSize: this.o.batchSize,
      pauseMs: this.o.pauseMs,
      sleep: this.o.sleep,
      stopped: () => this.stopping,
      onBatch: (table, n) => retentionPruned.inc({ table }, n),
    })
      .then((report) => {
        const total = report.inbox + report.outbox + report.link_codes;
        if (total > 0) this.o.log.info({ ...report, cutoff: new Date(cutoff).toISOString() }, 'retention pruned finished rows');
        return report;
      })
      .catch((e: unknown) => {
        this.o.log.warn({ err: e }, 'retention pass failed; the next one retries');
        return undefined;
      })
      .finally(() => {
        this.current = undefined;
      });
    return this.current;
  }

  /** Stops the schedule and waits for a pass in progress to end (it stops after its current statement). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.current;
  }
}

/** The job for a configured RETENTION_DAYS, or undefined when retention is off (0). */
export function retentionJobFor(days: number, repo: RetentionRepo, log: Logger): RetentionJob | undefined {
  return days > 0 ? new RetentionJob({ repo, log, days }) : undefined;
}
