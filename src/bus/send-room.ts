import type { DeliveryRow } from '../store/outbox.ts';

/** A place held among the sends in flight ({@link SendRoom.reserve}); of `adopt` and `release`, the first call counts. */
export interface SendSlot {
  /** The reply was committed leased to this process: send it now. */
  adopt(row: DeliveryRow): void;
  /** The reply went in pending, or its write failed: give the place back (whoever queues a row wakes the worker). */
  release(): void;
  /** Inside the write: the reply went in pending behind an open send of its chat (see ReplyLease.behind). */
  behind(orderingKey: string): void;
}

/** What a {@link SendRoom} drives. */
export interface SendRoomDeps {
  /** Most sends at once. */
  capacity: number;
  /** Ticks the worker (a claim). */
  wakeLoop: () => void;
  /** False once the worker stops: no more places are handed out. */
  running: () => boolean;
  /** Starts a send of a row leased to this process (see {@link SendRoom.track}); `since`: the wake count to compare with at its end. */
  start: (row: DeliveryRow, since: number) => void;
  /** One process owns the database (SQLite): every row queued is seen here, so a send's end need not always tick. */
  singleProcess: boolean;
}

/**
 * The outbox worker's sends in flight, the places held for replies queued already leased, and when
 * the end of a send must tick the worker. A tick (a claim statement) after every send is what a
 * busy outbox would otherwise pay; on SQLite it is needed only when a claim may find rows now: the
 * send was not recorded as sent, the last tick left rows, a row was queued while it was in flight
 * (a {@link woken}), or a reply of its chat was queued behind it ({@link SendSlot.behind}).
 * On PostgreSQL other replicas queue unseen, so every end ticks.
 */
export class SendRoom {
  /** The sends in flight, for the worker's stop to wait on. */
  readonly inFlight = new Set<Promise<void>>();
  /** The last tick may have left claimable rows (it had no room, or filled it): replies queue behind them. */
  owed = true;
  private reserved = 0;
  private wakes = 0;
  /** Chats with a reply queued pending behind an open send: the end of a send of theirs ticks. */
  private readonly behind = new Set<string>();

  constructor(private readonly d: SendRoomDeps) {}

  /** Places free for a claim. */
  free(): number {
    return this.d.capacity - this.inFlight.size - this.reserved;
  }

  /** Rows were queued (the worker was woken): every send in flight ticks when it ends. */
  woken(): void {
    this.wakes++;
  }

  /**
   * Holds a place for a reply about to be queued already leased. Undefined when there is none, the
   * worker is stopping, or the last tick left rows (they go first: a reply never jumps a due row).
   */
  reserve(): SendSlot | undefined {
    if (!this.d.running() || this.owed || this.free() <= 0) return undefined;
    this.reserved++;
    // A wake between the reply's commit and its send counts too.
    const since = this.wakes;
    let open = true;
    const close = () => {
      if (!open) return false;
      open = false;
      this.reserved--;
      return true;
    };
    return {
      adopt: (row) => {
        if (close()) this.d.start(row, since);
      },
      // Room came back: a tick that found none left rows for it.
      release: () => {
        if (close() && this.owed) this.d.wakeLoop();
      },
      behind: (orderingKey) => void this.behind.add(orderingKey),
    };
  }

  /**
   * Counts a send in flight until `sent` settles (true: recorded as sent), then ticks the worker if a
   * claim may find rows; `since`: the wake count from which on a wake counts (default now).
   */
  track(orderingKey: string, sent: Promise<boolean>, since = this.wakes): void {
    const wakes = since;
    const done: Promise<void> = sent.then((ok) => {
      this.inFlight.delete(done);
      const waiting = this.behind.delete(orderingKey);
      if (!this.d.singleProcess || !ok || this.owed || this.wakes !== wakes || waiting) this.d.wakeLoop();
    });
    this.inFlight.add(done);
  }
}
