import type { Logger } from '../channel/index.ts';
import { countLeaseTakeovers } from '../metrics/index.ts';
import type { Store } from '../store/index.ts';
import { WorkerLoop } from '../channel/worker-loop.ts';

/** The queues a sweep takes rows back into. */
export type LeasedQueue = 'inbox' | 'outbox';

/** Longest time between two sweeps (ms): a dead process's rows are back at most this long after their lease ends. */
const MAX_SWEEP_MS = 3000;

/**
 * Takes back rows whose process stopped: at start, and then every half lease (at most every 3 s),
 * rows whose lease ran out go back to pending in the inbox and the outbox, and the worker of that
 * queue is woken. With the default 10 s lease a dead process's rows are taken back within 13 s.
 */
export class LeaseSweeper {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly store: Store,
    leaseMs: number,
    private readonly log: Logger,
    /** Called when rows of a queue were taken back (to wake its worker). */
    private readonly onRecovered: (queue: LeasedQueue) => void,
  ) {
    this.loop = new WorkerLoop({ name: 'lease-sweeper', pollMs: Math.max(10, Math.min(leaseMs / 2, MAX_SWEEP_MS)), log, tick: () => this.sweep() });
  }

  /**
   * Takes back what a previous run of this process left. On SQLite only one process serves the file,
   * so every row in flight is orphaned: all are taken back at once, without waiting for their lease.
   * On PostgreSQL other replicas may hold live leases: only expired ones are taken. Never throws (the
   * periodic sweep takes the rows later).
   */
  async recoverAtStart(): Promise<void> {
    const all = this.store.dialect === 'sqlite';
    for (const queue of ['inbox', 'outbox'] as const) {
      try {
        const n = all ? await this.store[queue].takeBackAll() : await this.store[queue].recoverExpired();
        countLeaseTakeovers(queue, n);
        if (n > 0) this.log.warn({ rows: n, queue }, `${queue} rows left in flight by the previous run were taken back`);
      } catch (e) {
        this.log.error({ err: e, queue }, `${queue} rows of the previous run could not be taken back at start; the sweeper will take them when their leases end`);
      }
    }
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async sweep(): Promise<false> {
    for (const queue of ['inbox', 'outbox'] as const) {
      const n = await this.store[queue].recoverExpired();
      countLeaseTakeovers(queue, n);
      if (n > 0) {
        this.log.warn({ rows: n, queue }, `${queue} rows whose lease ran out (a stopped process's) were taken back`);
        this.onRecovered(queue);
      }
    }
    return false;
  }
}
