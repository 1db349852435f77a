import type { Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import { LeaseLostError, type InboxRow } from '../store/inbox.ts';
import { WorkerLoop } from '../channel/worker-loop.ts';

/**
 * Handles one claimed inbox row to its end (done, ignored or failed). `retry` counts the earlier
 * tries of this claim in this process (0 on the first), which failed unexpectedly and were retried in place.
 */
export type InboxHandler = (row: InboxRow, retry: number) => Promise<void>;

/** Places held for rows appended already leased ({@link InboxWorker.reserve}), and the worker's wake count then. */
export interface AppendPlaces {
  count: number;
  wakes: number;
}

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
  private readonly inFlight = new Set<Promise<void>>();
  /** Ids of rows being handled here. */
  private readonly held = new Set<number>();
  /** Conversations whose head may be claimable now. */
  private readonly hinted = new Set<string>();
  /** A scan of all pending rows is owed (start, a plain wake). */
  private scanDue = true;
  private lastScan = 0;
  /** Places held for rows being appended already leased here (see {@link reserve}). */
  private reserved = 0;
  /** The last tick may have left claimable rows (no room, a full batch, hints left): appends do not jump them. */
  private owed = true;
  /** Counts {@link wake}s: a leased-at-append row in flight during one hints its conversation when it ends. */
  private wakes = 0;
  /** Conversations with a row appended pending while one of theirs was leased at append. */
  private readonly behind = new Set<string>();
  /** One process owns the database (SQLite): every append is seen here. */
  private readonly singleProcess: boolean;

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
    this.singleProcess = store.dialect === 'sqlite';
  }

  /** Starts claiming. */
  start(): void {
    this.loop.start();
  }

  /** Rows of unknown conversations may be claimable (recovered leases, trigger firings): scan. */
  wake(): void {
    this.wakes++;
    this.scanDue = true;
    this.loop.wake();
  }

  /**
   * Holds up to `n` places for rows about to be appended already leased to this process (SQLite, see
   * AppendLease). None while the worker is stopping or the last tick left rows (they go first). Give
   * them back with {@link appended} or {@link release}.
   */
  reserve(n: number): AppendPlaces {
    const ok = this.singleProcess && this.loop.running && !this.owed && this.hinted.size === 0;
    const count = ok ? Math.max(0, Math.min(n, this.room())) : 0;
    this.reserved += count;
    return { count, wakes: this.wakes };
  }

  /** Gives back the places held by {@link reserve} (the append failed). */
  release(places: AppendPlaces): void {
    this.reserved -= places.count;
    if (places.count && this.owed) this.loop.wake();
  }

  /**
   * An append committed: handles its leased rows at once, gives back the rest of the places held for
   * it, and probes the conversations whose rows went in pending (`behind`): an open row of theirs
   * that ends here probes them again.
   */
  appended(rows: InboxRow[], places: AppendPlaces, behind: string[]): void {
    this.reserved -= places.count;
    for (const key of behind) this.behind.add(key);
    if (behind.length) this.hint(behind);
    // Stopping: the leased rows stay leased here, and the next start takes them back (SQLite).
    if (!this.loop.running) return;
    for (const row of rows) this.handleRow(row, places.wakes);
    if (!behind.length && places.count > rows.length && this.owed) this.loop.wake();
  }

  private room(): number {
    return this.tuning.inboxConcurrency - this.inFlight.size - this.reserved;
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
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  /** Claims what there is room for and starts handling it. More work is likely when the batch was full. */
  private async tick(): Promise<boolean> {
    const room = this.room();
    if (room <= 0) {
      this.owed = true;
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
      if (keys.length === 0) return (this.owed = false);
      for (const k of keys) this.hinted.delete(k);
      claimed = await this.commit((tx) => tx.inbox.claimHeads(keys, this.tuning.leaseMs, this.owner));
      more = this.hinted.size > 0;
    }
    // A row of ours whose lease ran out (the database was away) came back: it is still running here.
    for (const row of claimed) if (!this.held.has(row.id)) this.handleRow(row);
    this.owed = more;
    return more;
  }

  /**
   * Handles a row leased to this process. When it ends, the next row of its conversation may be
   * claimable: probed after a claimed row, and after a row leased at append (`wakes`: the count when
   * its places were held) only if a row of its conversation was appended pending meanwhile, or
   * something woke the worker since.
   */
  private handleRow(row: InboxRow, wakes?: number): void {
    const leasedAtAppend = wakes !== undefined;
    this.held.add(row.id);
    const p: Promise<void> = this.handleSafely(row)
      // handleSafely never throws; this keeps a bug from becoming an unhandled rejection.
      .catch((e) => this.log.error({ err: e, inbox: row.id }, 'inbound handling failed unexpectedly; the row stays leased until its lease expires'))
      .finally(() => {
        this.held.delete(row.id);
        this.inFlight.delete(p);
        const waiting = this.behind.delete(row.ordering_key);
        if (!leasedAtAppend || !this.singleProcess || waiting || this.wakes !== wakes) this.hint([row.ordering_key]);
        else if (this.owed) this.loop.wake();
      });
    this.inFlight.add(p);
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
