import type { Store } from './index.ts';

interface Job {
  fn: (tx: Store) => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: write jobs that arrive close together run one after another inside a single
 * transaction, so a burst of N inbound events or turn outcomes costs one commit (one fsync) instead
 * of N. Each caller's promise resolves only after the shared commit. If any job fails, the batch is
 * rolled back and every job is retried in its own transaction, so one bad job never sinks the rest.
 *
 * On PostgreSQL several batches may be open at once (each on its own connection), so the round
 * trips of one batch do not hold up the next; SQLite has one connection and one batch at a time.
 * A PostgreSQL batch is small (8 jobs) and up to 20 run at once: each job costs round trips, and a
 * long batch made every caller behind it wait for all of them (measured: a turn took ~220 ms under
 * a backlog with 4 batches of up to 256 jobs). SQLite statements take microseconds, so its batches
 * stay large.
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private running = 0;
  /** Most batches open at once. */
  private readonly parallel: number;
  /** Most jobs in one transaction. */
  private readonly maxBatch: number;

  constructor(
    private readonly store: Store,
    /** Most jobs in one transaction. Default 8 on PostgreSQL, 256 on SQLite. */
    maxBatch?: number,
    /** Most batches open at once. Default 20 on PostgreSQL (of the default pool of 25), 1 on SQLite (one connection). */
    parallel?: number,
  ) {
    this.maxBatch = maxBatch ?? (store.dialect === 'postgres' ? 8 : 256);
    this.parallel = Math.max(1, parallel ?? (store.dialect === 'postgres' ? 20 : 1));
  }

  /** Runs `fn` in a (shared) transaction; resolves with its result after the commit. */
  run<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.parallel || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running++;
    const batch = this.queue.splice(0, this.maxBatch);
    // More waiting than one batch takes: another batch may open beside this one.
    this.schedule();
    try {
      const results = await this.store.transaction(async (tx) => {
        const out: unknown[] = [];
        for (const job of batch) out.push(await job.fn(tx));
        return out;
      });
      batch.forEach((job, i) => job.resolve(results[i]));
    } catch {
      for (const job of batch) {
        try {
          job.resolve(await this.store.transaction(job.fn));
        } catch (e) {
          job.reject(e);
        }
      }
    } finally {
      this.running--;
      this.schedule();
    }
  }
}
