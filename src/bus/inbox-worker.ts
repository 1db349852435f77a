import type { Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import { LeaseLostError, type InboxRow } from '../store/inbox.ts';
import { WorkerLoop } from '../channel/worker-loop.ts';
import { LeaseRoom, type HeldPlaces } from './lease-room.ts';

/**
 * Handles one claimed inbox row to its end (done, ignored or failed). `retry` counts the earlier
 * tries of this claim in this process (0 on the first), which failed unexpectedly and were retried in place.
 */
export type InboxHandler = (row: InboxRow, retry: number) => Promise<void>;

/**
 * Drains the inbox. Claims the head row of each conversation (the database hands out a row only once
 * every older row of its ordering key is finished, whoever held it), so one thread is handled in
 * order, across processes and crashes, while different threads run in parallel; at most
 * `inboxConcurrency` rows are held at once. Leases are renewed by the bus's heartbeat.
 *
 * Two ways to find work: a scan of the pending rows in arrival order (at start, on a plain
 * {@link wake}, and at least every poll interval), and, in between, a probe of just the
 * conversations known to have moved ({@link hint}: rows appended here, a row finished here). Under
 * a backlog the scan walks every row waiting behind a held head; the probe costs one index lookup
 * per conversation, so a finished turn does not pay for the whole backlog. On SQLite the head of a
 * quiet conversation is mostly appended already leased here ({@link reserve}, {@link appended}) and
 * needs neither.
 */
export class InboxWorker {
  private readonly loop: WorkerLoop;
  /** Turns in flight, places held for rows appended leased, and when a finished row probes its conversation. */
  private readonly room: LeaseRoom;
  /** Ids of rows being handled here. */
  private readonly held = new Set<number>();
  /** Conversations whose head may be claimable now. */
  private readonly hinted = new Set<string>();
  /** A scan of all pending rows is owed (start, a plain wake). */
  private scanDue = true;
  private lastScan = 0;

  constructor(
    private readonly store: Store,
    private readonly handle: InboxHandler,
    private readonly tuning: BusTuning,
    private readonly log: Logger,
    /** This process's lease owner id. */
    private readonly owner: string,
    /**
     * Runs the claim in a transaction shared with the appends and outcomes around it (group commit),
     * so a claim costs no commit of its own. Default: a transaction of its own.
     */
    private readonly commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T> = (fn) => store.transaction(fn),
  ) {
    this.loop = new WorkerLoop({ name: 'inbox', pollMs: tuning.pollIntervalMs, log, tick: () => this.tick() });
    this.room = new LeaseRoom({
      capacity: tuning.inboxConcurrency,
      running: () => this.loop.running,
      singleProcess: store.dialect === 'sqlite',
      wakeLoop: () => this.loop.wake(),
      // The next row of this conversation may be claimed now.
      look: (key) => this.hint([key]),
    });
  }

  /** Starts claiming. */
  start(): void {
    this.loop.start();
  }

  /** Rows of unknown conversations may be claimable (recovered leases, trigger firings): scan. */
  wake(): void {
    this.room.woken();
    this.scanDue = true;
    this.loop.wake();
  }

  /**
   * Holds up to `n` places for rows about to be appended already leased to this process (SQLite, see
   * AppendLease), as {@link LeaseRoom.hold}; none while hinted conversations wait for a probe. Give
   * them back with {@link appended} or {@link release}.
   */
  reserve(n: number): HeldPlaces {
    return this.room.hold(this.hinted.size ? 0 : n);
  }

  /** Gives back the places held by {@link reserve} (the append failed). */
  release(places: HeldPlaces): void {
    this.room.giveBack(places, 0);
  }

  /**
   * An append committed: handles its leased rows at once, gives back the rest of the places held for
   * it, and probes the conversations whose rows went in pending (`behind`): an open row of theirs
   * that ends here probes them again.
   */
  appended(rows: InboxRow[], places: HeldPlaces, behind: string[]): void {
    for (const key of behind) this.room.waitsBehind(key);
    if (behind.length) this.hint(behind);
    // Stopping: the leased rows stay leased here, and the next start takes them back (SQLite).
    const running = this.loop.running;
    this.room.giveBack(places, running ? rows.length : 0);
    if (running) for (const row of rows) this.handleRow(row, places.since);
  }

  /** Rows of these conversations were committed, or one of their rows finished: probe them. */
  hint(orderingKeys: Iterable<string>): void {
    for (const k of orderingKeys) this.hinted.add(k);
    this.loop.wake();
  }

  /**
   * Stops claiming and waits up to `graceMs` for the turns already running. A turn still running
   * after that keeps its row leased; a restart (SQLite) or another replica after the lease (PostgreSQL)
   * takes it back.
   */
  async stop(graceMs = 10_000): Promise<void> {
    await this.loop.stop();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.room.inFlight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** Claims what there is room for and starts handling it. More work is likely when the batch was full. */
  private async tick(): Promise<boolean> {
    const room = this.room.free();
    if (room <= 0) {
      this.room.owed = true;
      return false;
    }
    const scan = this.scanDue || Date.now() - this.lastScan >= this.tuning.pollIntervalMs;
    let claimed: InboxRow[];
    let more: boolean;
    if (scan) {
      this.scanDue = false;
      this.lastScan = Date.now();
      // The scan finds every head there is; hints given from here on are for rows it may miss.
      this.hinted.clear();
      claimed = await this.commit((tx) => tx.inbox.claim(room, this.tuning.leaseMs, this.owner));
      more = claimed.length === room;
    } else {
      const keys = [...this.hinted].slice(0, room);
      if (keys.length === 0) return (this.room.owed = false);
      for (const k of keys) this.hinted.delete(k);
      claimed = await this.commit((tx) => tx.inbox.claimHeads(keys, this.tuning.leaseMs, this.owner));
      more = this.hinted.size > 0;
    }
    // A row of ours whose lease ran out (the database was away) came back: it is still running here.
    for (const row of claimed) if (!this.held.has(row.id)) this.handleRow(row);
    this.room.owed = more;
    return more;
  }

  /**
   * Handles a row leased to this process. When it ends, the next row of its conversation may be
   * claimable: probed after a claimed row, and after a row leased at append (`since`: the wake count
   * when its places were held) as {@link LeaseRoom.track} says.
   */
  private handleRow(row: InboxRow, since?: number): void {
    this.held.add(row.id);
    const handled = this.handleSafely(row)
      // handleSafely never throws; this keeps a bug from becoming an unhandled rejection.
      .catch((e) => this.log.error({ err: e, inbox: row.id }, 'inbound handling failed unexpectedly; the row stays leased until its lease expires'))
      .then(() => {
        this.held.delete(row.id);
        // Only a row leased at append can end quietly: a claimed one came from the queue, where more of its conversation may wait.
        return since !== undefined;
      });
    this.room.track(row.ordering_key, handled, since);
  }

  /**
   * Runs the handler; on an unexpected error (a bug, a database outage) retries in place with
   * backoff, so later rows of the same thread keep waiting behind it, and after the last attempt
   * marks the row failed. A row another process took over meanwhile is left to it.
   */
  private async handleSafely(row: InboxRow): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.handle(row, attempt - 1);
      } catch (e) {
        if (e instanceof LeaseLostError) {
          this.log.warn({ inbox: row.id, channel: row.channel }, 'inbox row was taken over by another process while handled here; its outcome here was dropped');
          return;
        }
        const reason = e instanceof Error ? e.message : String(e);
        if (attempt >= this.tuning.maxAttempts || !this.loop.running) {
          this.log.error({ err: e, inbox: row.id, channel: row.channel, attempt }, 'inbound handling failed for good');
          await this.store.inbox.finish(row.id, 'failed', reason, row.lease_owner).catch(() => undefined);
          return;
        }
        this.log.error({ err: e, inbox: row.id, channel: row.channel, attempt }, 'inbound handling failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * 2 ** (attempt - 1))));
      }
    }
  }
}
