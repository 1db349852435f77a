/**
 * What an adapter throws when a send or a platform call does not succeed. The outbox worker reads
 * the kind: retry after a wait, retry with backoff, or stop.
 */
export abstract class ChannelError extends Error {
  abstract readonly kind: 'retry_after' | 'refused' | 'unreachable';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The platform asked us to slow down (HTTP 429, `retry_after`): try again after `retryAfterMs`. */
export class RetryAfterError extends ChannelError {
  readonly kind = 'retry_after' as const;
  constructor(
    message: string,
    /** Milliseconds the platform asked us to wait; undefined means "use the backoff schedule". */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The platform refused for good (a 4xx that is not 429): retrying cannot help. With `unhealthy`,
 * the integration itself is broken (revoked token, deleted endpoint) and is marked so.
 */
export class RefusedError extends ChannelError {
  readonly kind = 'refused' as const;
  constructor(
    message: string,
    readonly unhealthy = false,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** We could not reach the platform (network error, timeout, 5xx): retry with backoff. */
export class UnreachableError extends ChannelError {
  readonly kind = 'unreachable' as const;
}

/** True for any of the three channel errors. */
export function isChannelError(e: unknown): e is ChannelError {
  return e instanceof ChannelError;
}
