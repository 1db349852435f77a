import { WorkerLoop, type Logger } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import type { TriggerRow } from '../../store/triggers.ts';
import { fireInTx } from './firing.ts';

/** How often the scheduler looks for due ticks when nothing else wakes it: 15 000 ms. */
export const DEFAULT_SCHEDULER_POLL_MS = 15_000;
/** Due schedules handled per pass: 100. */
const BATCH = 100;

/** The first tick after `now` on the grid `tick + k·stepMs` (k ≥ 1). */
export function nextTickAfter(tick: number, stepMs: number, now: number): number {
  return tick + (Math.floor(Math.max(0, now - tick) / stepMs) + 1) * stepMs;
}

/**
 * Fires `schedule.tick` triggers. The next tick of each trigger is stored (`next_fire_at`), so a
 * restart loses none; a tick is claimed with a conditional update in the same transaction as its
 * firing, so of several replicas exactly one fires it. Ticks missed while the hub was down are
 * collapsed into one firing (its `data.missed_ticks` says how many were skipped). `clock` is
 * injectable (epoch ms) so tests need not wait an hour.
 */
export class Scheduler {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly store: Store,
    private readonly wake: () => void,
    private readonly log: Logger,
    readonly clock: () => number = Date.now,
    pollMs: number = DEFAULT_SCHEDULER_POLL_MS,
  ) {
    this.loop = new WorkerLoop({ name: 'scheduler', pollMs, log, tick: async () => (await this.runDue(), false) });
  }

  /** Starts the loop with a pass at once (a tick that fell due while the hub was down fires now). */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop and waits for the pass in flight. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass: fires every due tick this process wins. Resolves with how many it fired. */
  async runDue(): Promise<number> {
    const now = this.clock();
    let fired = 0;
    for (const t of await this.store.triggers.dueSchedules(now, BATCH)) {
      if (await this.fireTick(t, now)) fired++;
    }
    if (fired) this.wake();
    return fired;
  }

  private async fireTick(t: TriggerRow, now: number): Promise<boolean> {
    const tick = t.next_fire_at!;
    const step = t.interval_minutes! * 60_000;
    const next = nextTickAfter(tick, step, now);
    return this.store.transaction(async (tx) => {
      if (!(await tx.triggers.claimTick(t.id, tick, next, now))) return false;
      await fireInTx(tx, t, {
        type: 'schedule.tick',
        userId: t.user_id,
        integrationId: null,
        sourceId: `tick:${tick}`,
        occurredAt: tick,
        data: {
          scheduled_at: new Date(tick).toISOString(),
          interval_minutes: t.interval_minutes,
          missed_ticks: Math.floor((now - tick) / step),
          next_at: new Date(next).toISOString(),
        },
      });
      return true;
    });
  }
}
