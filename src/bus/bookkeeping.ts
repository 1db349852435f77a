import type { Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import { nextDelay } from './backoff.ts';

/** Longest wait between two tries of the same bookkeeping write (ms): well inside a lease. */
const MAX_BOOKKEEPING_DELAY_MS = 30_000;

/** What {@link retryBookkeeping} needs. */
export interface BookkeepingOptions {
  tuning: Pick<BusTuning, 'retryBaseMs' | 'retryMaxMs'>;
  log: Logger;
  /** While this is true, the write is tried again; once false (shutdown) the last error is logged and given up. */
  alive: () => boolean;
}

/**
 * Runs a database write that records what already happened (a send the platform accepted, a retry
 * schedule…) until it succeeds, with exponential backoff (from `retryBaseMs`, at most 30 s between
 * tries), logging each failure. Never throws: after shutdown it logs and returns false, leaving the
 * row leased for lease expiry to take back. Returns true once written.
 */
export async function retryBookkeeping(what: string, write: () => Promise<void>, o: BookkeepingOptions): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await write();
      if (attempt > 1) o.log.info({ what, attempt }, 'bookkeeping write succeeded after a retry');
      return true;
    } catch (e) {
      if (!o.alive()) {
        o.log.error({ err: e, what, attempt }, 'bookkeeping write failed at shutdown; the row stays leased until its lease expires');
        return false;
      }
      const delay = nextDelay(attempt, { baseMs: o.tuning.retryBaseMs, maxMs: Math.min(o.tuning.retryMaxMs, MAX_BOOKKEEPING_DELAY_MS) });
      o.log.error({ err: e, what, attempt, retryInMs: delay }, 'bookkeeping write failed; retrying it');
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
