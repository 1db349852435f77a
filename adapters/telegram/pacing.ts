import { observePacingWait, RetryAfterError } from '../../src/channel/index.ts';

/** Send rates, in milliseconds between messages. */
export interface PacingOptions {
  /** Interval per private chat. Default 1000 (≈1 msg/s). */
  chatIntervalMs: number;
  /** Interval per group or supergroup. Default 3000 (≈20 msgs/min). */
  groupIntervalMs: number;
  /** Interval per bot across all chats. Default 34 (≈30 msgs/s). */
  botIntervalMs: number;
  /** Sends that may go at once before an interval applies (burst), per chat and per bot. Default 3 and 30. */
  chatBurst: number;
  botBurst: number;
  /** A wait longer than this is not slept: the send is handed back to the outbox as a retry-after. Default 5000. */
  maxWaitMs: number;
}

/** Telegram's published limits, kept a little under. */
export const DEFAULT_PACING: PacingOptions = {
  chatIntervalMs: 1000,
  groupIntervalMs: 3000,
  botIntervalMs: 34,
  chatBurst: 3,
  botBurst: 30,
  maxWaitMs: 5000,
};

/** No pacing at all (benchmarks of the hub itself). */
export const NO_PACING: PacingOptions = { chatIntervalMs: 0, groupIntervalMs: 0, botIntervalMs: 0, chatBurst: 1, botBurst: 1, maxWaitMs: 0 };

/**
 * A rate cell (GCRA): `tat` is the theoretical arrival time of the next send. A send at time t is
 * allowed when t ≥ tat − burst × interval.
 */
class Cell {
  tat = 0;
  constructor(
    readonly interval: number,
    readonly burst: number,
  ) {}
  /** The earliest time a send may go, without reserving it. */
  earliest(now: number): number {
    return Math.max(now, this.tat - (this.burst - 1) * this.interval);
  }
  /** Reserves a send at `at`. */
  take(at: number): void {
    this.tat = Math.max(this.tat, at) + this.interval;
  }
}

/**
 * Paces sends before Telegram has to say 429: per chat, per group and per bot. In process and
 * non-blocking across chats: a send waits first for its chat's slot (other chats go on), then for
 * the bot's. A wait longer than `maxWaitMs` throws {@link RetryAfterError} so the outbox reschedules
 * the delivery instead of holding a worker.
 */
export class Pacer {
  private readonly chats = new Map<string, Cell>();
  private readonly bots = new Map<string, Cell>();

  constructor(private readonly o: PacingOptions = DEFAULT_PACING) {}

  /** Resolves when a message to `chatKey` through bot `botKey` may be sent. */
  async acquire(botKey: string, chatKey: string, isGroup: boolean): Promise<void> {
    if (this.o.botIntervalMs <= 0 && this.o.chatIntervalMs <= 0 && this.o.groupIntervalMs <= 0) return;
    const chat = this.cell(this.chats, `${botKey}|${chatKey}`, isGroup ? this.o.groupIntervalMs : this.o.chatIntervalMs, isGroup ? 1 : this.o.chatBurst);
    const now = Date.now();
    const at = chat.earliest(now);
    if (at - now > this.o.maxWaitMs) throw new RetryAfterError(`paced: chat ${chatKey} may be sent to again in ${at - now} ms`, at - now);
    chat.take(at);
    if (at > now) await sleep(at - now);
    const bot = this.cell(this.bots, botKey, this.o.botIntervalMs, this.o.botBurst);
    const now2 = Date.now();
    const at2 = bot.earliest(now2);
    bot.take(at2);
    if (at2 > now2) await sleep(at2 - now2);
    observePacingWait('telegram', at - now + (at2 - now2));
    this.prune();
  }

  private cell(map: Map<string, Cell>, key: string, interval: number, burst: number): Cell {
    let c = map.get(key);
    if (!c) map.set(key, (c = new Cell(interval, Math.max(1, burst))));
    return c;
  }

  /** Forgets cells that are idle, so the maps stay small. */
  private prune(): void {
    if (this.chats.size < 10_000) return;
    const now = Date.now();
    for (const [k, c] of this.chats) if (c.tat < now) this.chats.delete(k);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
