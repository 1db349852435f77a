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
 */
export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private running = false;

  constructor(
    private readonly store: Store,
    /** Most jobs in one transaction. Default 256. */
    private readonly maxBatch = 256,
  ) {}

  /** Runs `fn` in a (shared) transaction; resolves with its result after the commit. */
  run<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const batch = this.queue.splice(0, this.maxBatch);
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
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }
}
