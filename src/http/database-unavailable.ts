import type { ServerResponse } from 'node:http';
import type { Logger } from '../channel/index.ts';
import { isDatabaseUnavailable } from '../store/index.ts';
import { sendJson } from './send-json.ts';

/** Seconds a platform is asked to wait before it sends again while the database is away. */
const RETRY_AFTER_S = 5;

/**
 * For a webhook whose handler failed with `e`: when `e` says the database cannot be reached (or
 * written), answers 503 `database_unavailable` with `Retry-After: 5` (so the platform delivers the
 * event again; nothing was stored), logs a warning and returns true. Any other error is left to the
 * caller (false).
 */
export function answerDatabaseUnavailable(e: unknown, res: ServerResponse, log: Logger | undefined, channel: string): boolean {
  if (!isDatabaseUnavailable(e)) return false;
  log?.warn({ channel, err: (e as Error)?.message }, 'webhook refused with 503: the database is unavailable');
  if (res.headersSent) return true;
  res.setHeader('retry-after', String(RETRY_AFTER_S));
  sendJson(res, 503, { error: { code: 'database_unavailable', message: 'The database is unavailable right now; deliver this event again later' } });
  return true;
}
