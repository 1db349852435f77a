import type { Logger } from './services.ts';
import { Wakeup } from './wakeup.ts';

/**
 * What one tick reports:
 * - `true`: there may be more work right now, tick again at once (after yielding to the event loop);
 * - `false`: nothing more for now, sleep until {@link WorkerLoop.wake} or `pollMs`;
 * - a number: sleep at most that many ms (capped by `pollMs`), or until woken — e.g. until the next due row.
 */
export type TickResult = boolean | number;

/** Options of {@link WorkerLoop}. */
export interface WorkerLoopOptions {
  /** Names the loop in logs, e.g. `inbox`, `outbox`, `lease-sweeper`. */
  name: string;
  /** Longest sleep between two ticks when nothing wakes the loop (ms). */
  pollMs: number;
  /**
   * One round of work. It should not throw; if it does, the error is logged with the loop's name
   * and the loop sleeps `pollMs` before the next tick — it never dies.
   */
  tick: () => Promise<TickResult>;
  log: Logger;
}

/**
 * The loop every bus worker runs on (inbox, outbox, lease sweeper, heartbeat, retention…): start,
 * wake, stop, the poll interval and error handling, written once.
 *
 * ```ts
 * const loop = new WorkerLoop({ name: 'pruner', pollMs: 60_000, log, tick: async () => (await pruneBatch()) === BATCH });
 * loop.start();   // ticks at once, then as the tick asks
 * loop.wake();    // new work: tick now instead of at the end of the sleep (a wake during a tick is kept)
 * await loop.stop(); // no tick starts after this; resolves when the running tick has returned
 * ```
 *
 * Work a tick starts in the background (sends, turns) is the worker's own to drain at stop.
 */
export class WorkerLoop {
  private readonly wakeup = new Wakeup();
  private active = false;
  private loop: Promise<void> | undefined;

  constructor(private readonly o: WorkerLoopOptions) {}

  /** True between {@link start} and {@link stop}: background work may use it to decide whether to go on. */
  get running(): boolean {
    return this.active;
  }

  /** Starts ticking; a second call while running does nothing. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  /** Ends the current sleep (or the next one, if a tick is running). No effect once stopped. */
  wake(): void {
    if (this.active) this.wakeup.wake();
  }

  /** Stops: no new tick starts; resolves once the running tick (if any) has returned. */
  async stop(): Promise<void> {
    this.active = false;
    this.wakeup.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.active) {
      let next: TickResult;
      try {
        next = await this.o.tick();
      } catch (e) {
        this.o.log.error({ err: e, worker: this.o.name }, `${this.o.name} worker tick failed; trying again`);
        next = false;
      }
      if (!this.active) break;
      if (next === true) await new Promise<void>((r) => setImmediate(r));
      else await this.wakeup.wait(typeof next === 'number' ? Math.max(0, Math.min(this.o.pollMs, next)) : this.o.pollMs);
    }
  }
}
