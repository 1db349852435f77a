/** The adapter contract: the only part of src/ that adapters import. */
export * from './adapter.ts';
export * from './adapter-config.ts';
export * from './chat-event.ts';
export * from './data-tools.ts';
export * from './errors.ts';
export * from './markdown.ts';
export * from './pages.ts';
export * from './services.ts';
export * from './split.ts';
export * from './stream-throttle.ts';
export * from './types.ts';
export * from '../errors.ts';
// The URL guard, for adapters that fetch URLs users typed (webhooks).
export * from '../net/url-guard.ts';
// Standard Webhooks signing, for adapters that sign what they send.
export { newWebhookSecret, signedHeaders } from '../crypto/standard-webhooks.ts';
// Pacing waits, for adapters that pace their sends (metrics).
export { observePacingWait } from '../metrics/pacing.ts';
export { guardedFetch, GuardedTimeoutError, type GuardedFetchOptions, type GuardedResponse } from '../net/guarded-fetch.ts';
export * from './rate-limiter.ts';
// The loop every background worker runs on (start, wake, stop, poll interval, error handling).
export { WorkerLoop, type TickResult, type WorkerLoopOptions } from './worker-loop.ts';
