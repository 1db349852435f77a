import {
  guardedFetch,
  GuardedTimeoutError,
  RefusedError,
  RetryAfterError,
  UnreachableError,
  UrlGuardError,
  signedHeaders,
  type GuardedResponse,
} from '../../src/channel/index.ts';

/** One signed POST to a webhook endpoint. */
export interface PostOptions {
  url: string;
  /** `whsec_…`; without it the request is not signed. */
  secret?: string;
  /** The `webhook-id`; the same on every retry. */
  id: string;
  body: string;
  allow: readonly string[];
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
}

/**
 * Posts one event through the URL guard and translates the outcome: 2xx resolves; 410 refuses and
 * marks the integration unhealthy; 429 and 5xx retry (after `Retry-After` when given); network
 * errors and timeouts retry; redirects and other 4xx refuse for good.
 */
export async function postEvent(o: PostOptions): Promise<GuardedResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Switchboard-Webhooks/1',
    ...(o.secret ? signedHeaders(o.secret, o.id, o.body) : { 'webhook-id': o.id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }),
  };
  let res: GuardedResponse;
  try {
    res = await guardedFetch(o.url, { method: 'POST', headers, body: o.body, allow: o.allow, timeoutMs: o.timeoutMs, maxRedirects: 0 });
  } catch (e) {
    if (e instanceof UrlGuardError) throw new RefusedError(`webhook URL refused: ${e.message}`, true);
    if (e instanceof GuardedTimeoutError) throw new UnreachableError(`webhook endpoint timed out: ${e.message}`);
    throw new UnreachableError(`webhook endpoint unreachable: ${(e as Error).message}`, { cause: e });
  }
  const s = res.status;
  if (s >= 200 && s < 300) return res;
  const wait = retryAfterMs(res.headers['retry-after']);
  if (s === 410) throw new RefusedError('webhook endpoint answered 410 Gone; the integration is marked unhealthy', true);
  if (s === 429) throw new RetryAfterError('webhook endpoint answered 429 Too Many Requests', wait);
  if (s >= 500 || s === 408) {
    if (wait !== undefined) throw new RetryAfterError(`webhook endpoint answered HTTP ${s}`, wait);
    throw new UnreachableError(`webhook endpoint answered HTTP ${s}`);
  }
  if (s >= 300 && s < 400) throw new RefusedError(`webhook endpoint answered a redirect (HTTP ${s}); redirects are not followed`);
  throw new RefusedError(`webhook endpoint refused the event: HTTP ${s}`);
}

/** `Retry-After` as milliseconds: seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
