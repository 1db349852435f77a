import type { Store } from './index.ts';

/**
 * A write that the jobs of one batch share: each job brings an item, and `writeAll` runs once per
 * batch with all of them (one multi-row statement instead of one per job). It must throw if any item
 * cannot be written as asked; the batch then rolls back and each item is written alone.
 */
export interface SharedWrite<I> {
  writeAll(tx: Store, items: I[]): Promise<void>;
}

interface Job {
  /** A job of its own, or an item of a shared write. */
  fn?: (tx: Store) => Promise<unknown>;
  shared?: { write: SharedWrite<unknown>; item: unknown };
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit: write jobs that arrive close together run one after another inside a single
 * transaction, so a burst of N inbound events or turn outcomes costs one commit (one fsync) instead
 * of N. Each caller's promise resolves only after the shared commit. If any job fails, the batch is
 * rolled back and every job is retried in its own transaction, so one bad job never sinks the rest.
 *
 * A {@link SharedWrite} (see {@link share}) joins the batch as one item: after the batch's own jobs,
 * each shared write runs once with the items of all its jobs, so a batch of turn outcomes costs one
 * statement per kind of row rather than one per turn.
 *
 * On PostgreSQL two batches may be open at once (each on its own connection), so one fills while
 * the other runs its round trips; SQLite has one connection and one batch at a time. With the hot
 * writes shared, a PostgreSQL batch of up to 64 jobs costs a handful of statements, and two of
 * them at a time beat many small ones: on the 2-core bench, batches of 8 with 20 open handled
 * ~1,100 replies/s, 64 with 2 open 1,350–2,000 (fewer transactions, and fewer busy server
 * processes competing for the cores). Without the shared writes, 64 with 2 open fell to ~900.
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
    /** Most jobs in one transaction. Default 64 on PostgreSQL, 256 on SQLite. */
    maxBatch?: number,
    /** Most batches open at once. Default 2 on PostgreSQL, 1 on SQLite (one connection). */
    parallel?: number,
  ) {
    this.maxBatch = maxBatch ?? (store.dialect === 'postgres' ? 64 : 256);
    this.parallel = Math.max(1, parallel ?? (store.dialect === 'postgres' ? 2 : 1));
  }

  /** Runs `fn` in a (shared) transaction; resolves with its result after the commit. */
  run<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Adds `item` to `write` in the next batch; resolves after the commit. */
  share<I>(write: SharedWrite<I>, item: I): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ shared: { write: write as SharedWrite<unknown>, item }, resolve: resolve as (v: unknown) => void, reject });
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
        const shared = new Map<SharedWrite<unknown>, unknown[]>();
        for (const job of batch) {
          if (job.fn) out.push(await job.fn(tx));
          else {
            out.push(undefined);
            const { write, item } = job.shared!;
            const items = shared.get(write);
            if (items) items.push(item);
            else shared.set(write, [item]);
          }
        }
        for (const [write, items] of shared) await write.writeAll(tx, items);
        return out;
      });
      batch.forEach((job, i) => job.resolve(results[i]));
    } catch {
      for (const job of batch) {
        try {
          job.resolve(await this.store.transaction(alone(job)));
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

/** A job as a transaction of its own: its function, or its shared write with just its item. */
function alone(job: Job): (tx: Store) => Promise<unknown> {
  if (job.fn) return job.fn;
  const { write, item } = job.shared!;
  return (tx) => write.writeAll(tx, [item]);
}
