import type { DeliveryRow } from '../store/outbox.ts';

/** Places held for rows about to be written already leased ({@link LeaseRoom.hold}), and the wake count then. */
export interface HeldPlaces {
  count: number;
  /** The room's wake count when they were held: a wake from then on counts for their rows. */
  since: number;
}

/** What a {@link LeaseRoom} drives. */
export interface LeaseRoomDeps {
  /** Most rows in flight at once. */
  capacity: number;
  /** False once the worker stops: no more places are handed out. */
  running: () => boolean;
  /** One process owns the database (SQLite): every row written is seen here, so the end of one need not always look for more. */
  singleProcess: boolean;
  /** Ticks the worker (a claim). */
  wakeLoop: () => void;
  /** A row of `key` ended and a claim may find work now: look (a probe of the key, or a tick). */
  look: (key: string) => void;
}

/**
 * A worker's rows in flight, the places it holds for rows written already leased to this process
 * (so no claim has to find them), and when the end of a row must look for more work. Both bus
 * workers run on one: the inbox (turns) and the outbox (sends).
 *
 * Looking after every row is what a busy worker would otherwise pay (a claim statement each). On
 * SQLite it is needed only when a claim may find rows now: the row did not end quietly (a claimed
 * turn, a send not recorded as sent), the last tick left rows ({@link owed}), the worker was woken
 * since the row's places were held or it started (a row was queued unseen), or a row of its key was
 * written pending behind it ({@link waitsBehind}). On PostgreSQL other replicas write unseen, so
 * every end looks.
 */
export class LeaseRoom {
  /** The rows in flight, for the worker's stop to wait on. */
  readonly inFlight = new Set<Promise<void>>();
  /** The last tick may have left claimable rows (no room, or a full batch): leased writes do not jump them. */
  owed = true;
  private reserved = 0;
  private wakes = 0;
  /** Keys with a row written pending behind an open one: the end of a row of theirs looks. */
  private readonly behind = new Set<string>();

  constructor(private readonly d: LeaseRoomDeps) {}

  /** Places free for a claim. */
  free(): number {
    return this.d.capacity - this.inFlight.size - this.reserved;
  }

  /** Rows were queued unseen (the worker was woken): every row in flight looks when it ends. */
  woken(): void {
    this.wakes++;
  }

  /**
   * Holds up to `n` places for rows about to be written already leased. None on PostgreSQL, while
   * the worker is stopping, or while the last tick left rows (they go first). Give them back with
   * {@link giveBack}.
   */
  hold(n: number): HeldPlaces {
    const ok = this.d.singleProcess && this.d.running() && !this.owed;
    const count = ok ? Math.max(0, Math.min(n, this.free())) : 0;
    this.reserved += count;
    return { count, since: this.wakes };
  }

  /** Gives back places held by {@link hold}, `used` of them taken by rows now {@link track}ed (or about to be). */
  giveBack(places: HeldPlaces, used: number): void {
    this.reserved -= places.count;
    // Room came back: a tick that found none left rows for it.
    if (places.count > used && this.owed) this.d.wakeLoop();
  }

  /** Inside the write: a row of `key` went in pending behind an open row (before that row's end can commit). */
  waitsBehind(key: string): void {
    this.behind.add(key);
  }

  /**
   * Counts a row in flight until `quiet` settles (true: it ended as a row leased at write whose key
   * may have nothing waiting, or a send recorded as sent), then looks if a claim may find work.
   * `since`: the wake count from which on a wake counts (default now).
   */
  track(key: string, quiet: Promise<boolean>, since = this.wakes): void {
    const done: Promise<void> = quiet.then((ok) => {
      this.inFlight.delete(done);
      const waiting = this.behind.delete(key);
      if (!this.d.singleProcess || !ok || this.owed || this.wakes !== since || waiting) this.d.look(key);
    });
    this.inFlight.add(done);
  }
}

/** A place held among the outbox's sends ({@link sendSlot}); of `adopt` and `release`, the first call counts. */
export interface SendSlot {
  /** The reply was committed leased to this process: send it now. */
  adopt(row: DeliveryRow): void;
  /** The reply went in pending, or its write failed: give the place back (whoever queues a row wakes the worker). */
  release(): void;
  /** Inside the write: the reply went in pending behind an open send of its chat (see ReplyLease.behind). */
  behind(orderingKey: string): void;
}

/** One place of `room` for a reply queued already leased, sent with `start` once adopted; undefined when there is none. */
export function sendSlot(room: LeaseRoom, start: (row: DeliveryRow, since: number) => void): SendSlot | undefined {
  const places = room.hold(1);
  if (!places.count) return undefined;
  let open = true;
  const close = (used: number) => {
    if (!open) return false;
    open = false;
    room.giveBack(places, used);
    return true;
  };
  return {
    adopt: (row) => {
      if (close(1)) start(row, places.since);
    },
    release: () => void close(0),
    behind: (key) => room.waitsBehind(key),
  };
}
