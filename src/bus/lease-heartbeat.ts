import type { Logger } from '../channel/index.ts';
import type { Store } from '../store/index.ts';
import { WorkerLoop } from '../channel/worker-loop.ts';

/**
 * Keeps this process's leases alive while its work runs: every third of a lease, one statement per
 * table extends every inbox and outbox row `owner` holds to a full lease again. So a turn or a send
 * may take longer than the lease without another process taking it over, and a dead process's rows
 * are free one lease after its last heartbeat.
 */
export class LeaseHeartbeat {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly store: Store,
    private readonly owner: string,
    private readonly leaseMs: number,
    log: Logger,
  ) {
    this.loop = new WorkerLoop({ name: 'lease-heartbeat', pollMs: Math.max(10, leaseMs / 3), log, tick: () => this.beat() });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  private async beat(): Promise<false> {
    await this.store.inbox.heartbeat(this.owner, this.leaseMs);
    await this.store.outbox.heartbeat(this.owner, this.leaseMs);
    return false;
  }
}
