import type { Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { InboxRow } from '../store/inbox.ts';
import { LeaseSweeper } from './lease-sweeper.ts';
import { Wakeup } from './wakeup.ts';

/** Handles one claimed inbox row to its end (done, ignored or failed). */
export type InboxHandler = (row: InboxRow) => Promise<void>;

/**
 * Drains the inbox. Claims rows in arrival order and chains the rows of one ordering key (a
 * conversation), so one thread is handled in order while different threads run in parallel; at most
 * `inboxConcurrency` rows are held at once.
 */
export class InboxWorker {
  private readonly wakeup = new Wakeup();
  private readonly sweeper: LeaseSweeper;
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of rows held in memory (running or waiting in their chain). */
  private readonly held = new Set<number>();
  /** The last promise of each ordering key's chain. */
  private readonly tails = new Map<string, Promise<void>>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly handle: InboxHandler,
    private readonly tuning: BusTuning,
    private readonly log: Logger,
  ) {
    this.sweeper = new LeaseSweeper('inbox', () => store.inbox.recoverExpired(), tuning.leaseMs, log);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New rows were committed. */
  wake(): void {
    this.wakeup.wake();
  }

  /**
   * Stops claiming, hands rows that have not started back to the inbox (so a restart takes them at
   * once), and waits up to `graceMs` for the turns already running.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.running = false;
    this.wakeup.wake();
    await this.loop;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs))]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      await this.sweeper.maybeSweep();
      const room = this.tuning.inboxConcurrency - this.inFlight.size;
      let claimed: InboxRow[] = [];
      if (room > 0) {
        try {
          claimed = await this.store.inbox.claim(room, this.tuning.leaseMs);
        } catch (e) {
          this.log.error({ err: e }, 'inbox claim failed');
        }
      }
      for (const row of claimed) {
        // A row we still hold whose lease ran out came back: it is already in its chain.
        if (this.held.has(row.id)) continue;
        this.held.add(row.id);
        const key = row.ordering_key;
        const p: Promise<void> = (this.tails.get(key) ?? Promise.resolve())
          .then(() => (this.running ? this.handleSafely(row) : this.handBack(row)))
          // handleSafely and handBack never throw; this keeps a bug from breaking the chain or the process.
          .catch((e) => this.log.error({ err: e, inbox: row.id }, 'inbound handling failed unexpectedly; the row stays leased until its lease expires'))
          .finally(() => {
            this.held.delete(row.id);
            this.inFlight.delete(p);
            if (this.tails.get(key) === p) this.tails.delete(key);
            this.wakeup.wake();
          });
        this.tails.set(key, p);
        this.inFlight.add(p);
      }
      // Fewer rows than room means nothing else is ready: new rows and finished turns wake us.
      if (claimed.length < room || room <= 0) await this.wakeup.wait(this.tuning.pollIntervalMs);
    }
  }

  /** Hands a row that has not started back to the inbox (shutdown). If that fails, lease expiry takes it back later. */
  private async handBack(row: InboxRow): Promise<void> {
    try {
      await this.store.inbox.release(row.id);
    } catch (e) {
      this.log.error({ err: e, inbox: row.id, channel: row.channel }, 'could not hand an inbox row back at shutdown; it stays leased until its lease expires');
    }
  }

  /**
   * Runs the handler; on an unexpected error (a bug, a database outage) retries in place with
   * backoff, so later rows of the same thread keep waiting behind it, and after the last attempt
   * marks the row failed.
   */
  private async handleSafely(row: InboxRow): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.handle(row);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        if (attempt >= this.tuning.maxAttempts || !this.running) {
          this.log.error({ err: e, inbox: row.id, channel: row.channel, attempt }, 'inbound handling failed for good');
          await this.store.inbox.finish(row.id, 'failed', reason).catch(() => undefined);
          return;
        }
        this.log.error({ err: e, inbox: row.id, channel: row.channel, attempt }, 'inbound handling failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (attempt - 1))));
      }
    }
  }
}
