/**
 * The `code` values of @slack/web-api's errors (its `ErrorCode` enum), named here so translating an
 * error does not load the Web API client.
 */
const ErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const;
import { ChannelError, RefusedError, RetryAfterError, UnreachableError } from '../../src/channel/index.ts';

/** Slack error codes that mean the installation itself is dead (revoked, uninstalled, deactivated). */
const DEAD_TOKEN = new Set(['invalid_auth', 'token_revoked', 'account_inactive', 'not_authed', 'token_expired', 'missing_scope', 'team_access_not_granted']);
/** Slack error codes worth another try later. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/**
 * The Slack adapter's one error translator: a Web API failure becomes the channel error the outbox
 * understands. 429 → RetryAfterError (Retry-After seconds → ms); a dead token → RefusedError with
 * `unhealthy`; other platform errors → RefusedError; network failures and 5xx → UnreachableError.
 * Messages carry Slack's error code only, never a token.
 */
export function translateSlackError(e: unknown, what = 'Slack call'): ChannelError {
  if (e instanceof ChannelError) return e;
  const err = e as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  switch (err?.code) {
    case ErrorCode.RateLimitedError:
      return new RetryAfterError(`${what}: Slack rate limit (retry after ${err.retryAfter ?? '?'} s)`, typeof err.retryAfter === 'number' ? err.retryAfter * 1000 : undefined);
    case ErrorCode.PlatformError: {
      const code = err.data?.error ?? 'unknown_error';
      if (code === 'ratelimited') return new RetryAfterError(`${what}: Slack said ratelimited`);
      if (TRANSIENT.has(code)) return new UnreachableError(`${what}: Slack error ${code}`);
      return new RefusedError(`${what}: Slack refused (${code})`, DEAD_TOKEN.has(code));
    }
    case ErrorCode.HTTPError: {
      const status = err.statusCode ?? 0;
      if (status >= 500 || status === 408) return new UnreachableError(`${what}: Slack answered HTTP ${status}`);
      return new RefusedError(`${what}: Slack answered HTTP ${status}`);
    }
    case ErrorCode.RequestError:
      return new UnreachableError(`${what}: could not reach Slack`);
    default:
      return new UnreachableError(`${what} failed: ${err?.message ?? String(e)}`);
  }
}

/** The Slack error code inside a Web API error, if any (for pages and logs). */
export function slackErrorCode(e: unknown): string | undefined {
  const err = e as { code?: string; data?: { error?: string } };
  return err?.code === ErrorCode.PlatformError ? err.data?.error : err?.code;
}
