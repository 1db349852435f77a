import { GrammyError, HttpError } from 'grammy';
import { RefusedError, RetryAfterError, UnreachableError, type ChannelError } from '../../src/channel/index.ts';

/** True when Telegram refused a formatted text because of its entities (our HTML was not accepted). */
export function isEntityError(e: unknown): boolean {
  return e instanceof GrammyError && e.error_code === 400 && /can't parse entities|can't find end|unsupported start tag/i.test(e.description);
}

/** True when Telegram says the token is no longer valid (revoked or deleted bot). */
export function isTokenRevoked(e: unknown): boolean {
  return e instanceof GrammyError && (e.error_code === 401 || e.error_code === 404) && /unauthorized|not found/i.test(e.description);
}

/**
 * The adapter's one error translator: a Bot API failure becomes the channel error the outbox
 * understands. 429 → retry after `retry_after` seconds; 401 → refused and unhealthy; other 4xx →
 * refused; 5xx and network failures → unreachable. Messages never contain the token.
 */
export function translate(e: unknown, method: string): ChannelError {
  if (e instanceof GrammyError) {
    const what = `Telegram ${method} answered ${e.error_code}: ${e.description}`;
    if (e.error_code === 429) {
      const s = e.parameters?.retry_after;
      return new RetryAfterError(what, typeof s === 'number' ? s * 1000 : undefined);
    }
    if (isTokenRevoked(e)) return new RefusedError(`${what} (the bot token was revoked or the bot deleted)`, true);
    if (e.error_code >= 500) return new UnreachableError(what);
    return new RefusedError(what);
  }
  if (e instanceof HttpError) return new UnreachableError(`Telegram ${method} could not be reached: ${redact(String((e.error as Error)?.message ?? e.message))}`);
  return new UnreachableError(`Telegram ${method} failed: ${redact(e instanceof Error ? e.message : String(e))}`);
}

/** Removes anything that looks like a bot token (`123:ABC…`, also inside `/bot<token>/` URLs). */
export function redact(text: string): string {
  return text.replace(/\d{5,}:[A-Za-z0-9_-]{20,}/g, '<token>');
}
