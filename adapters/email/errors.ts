import { RefusedError, RetryAfterError, UnreachableError, type ChannelError } from '../../src/channel/index.ts';

/** The few fields of a Resend error we read (the SDK returns errors, it does not throw them). */
export interface ResendErrorShape {
  name?: string;
  message?: string;
  statusCode?: number | null;
}

/** Resend names that mean the key itself is bad: the integration turns unhealthy. */
const BAD_KEY = new Set(['invalid_api_key', 'missing_api_key', 'restricted_api_key', 'invalid_access']);

/**
 * Translates a Resend error into the bus's terms: 429 and 5xx retry (after `retry-after` when
 * given), no status (network) retries, a bad key refuses and marks the integration unhealthy,
 * anything else (validation) refuses for good.
 */
export function translateResendError(err: ResendErrorShape, headers: Record<string, string> | null): ChannelError {
  const status = err.statusCode ?? null;
  const what = `Resend ${status ?? 'network'} ${err.name ?? 'error'}: ${err.message ?? 'no message'}`;
  if (status === null) return new UnreachableError(`could not reach Resend (${err.message ?? 'network error'})`);
  if (status === 429) {
    const raw = headers?.['retry-after'];
    const seconds = raw !== undefined && /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : undefined;
    return new RetryAfterError(what, seconds === undefined ? undefined : Math.round(seconds * 1000));
  }
  if (status >= 500) return new UnreachableError(what);
  if (status === 409 && err.name === 'concurrent_idempotent_requests') return new RetryAfterError(what, 1000);
  if (status === 401 || status === 403 || BAD_KEY.has(err.name ?? '')) return new RefusedError(what, true);
  return new RefusedError(what);
}
