import type { LogLevel, WebClient, Logger as SlackLogger } from '@slack/web-api';
import type { Logger } from '../../src/channel/index.ts';

/** Timeout of one Web API call, in ms. */
export const SLACK_CALL_TIMEOUT_MS = 10_000;

/**
 * Hands the library's log lines to ours at debug level. The library never logs tokens, but its
 * lines are noise next to the hub's own; warnings stay visible at debug.
 */
export function slackLogger(log: Logger): SlackLogger {
  let level = 'warn' as LogLevel;
  const emit = (args: unknown[]) => log.debug({ lib: 'slack' }, args.map(String).join(' '));
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: (...a: unknown[]) => emit(a),
    error: (...a: unknown[]) => emit(a),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => undefined,
  };
}

/**
 * WebClient options shared by every Slack call: the configured API base URL (with its trailing
 * slash), no library retries (the outbox retries), and 429s rejected so we can honour Retry-After.
 */
export function clientOptions(apiUrl: string, log: Logger) {
  return {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SLACK_CALL_TIMEOUT_MS,
    logger: slackLogger(log),
  };
}

/**
 * A Web API client for one token (or none, for OAuth calls). @slack/web-api is imported on the first
 * call, so a hub with no Slack installation never loads it.
 */
export async function slackClient(apiUrl: string, log: Logger, token?: string): Promise<WebClient> {
  const { WebClient } = await import('@slack/web-api');
  return new WebClient(token, clientOptions(apiUrl, log));
}
