import type { ChannelCapabilities } from '../../src/channel/index.ts';

/** Largest webhook body we send: 256 KiB, as JSON bytes. */
export const MAX_BODY_BYTES = 256 * 1024;

/**
 * Webhooks are outbound only. A text over `maxTextLength` characters is sent as several events
 * (`part`/`parts`); the notify API refuses messages whose body would pass {@link MAX_BODY_BYTES}
 * before anything is queued, so in practice one notification is one event.
 * Retries follow Svix's schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h (7 attempts).
 */
export const capabilities: ChannelCapabilities = {
  category: 'notification',
  inbound: false,
  maxTextLength: 200_000,
  threads: false,
  multiRow: false,
  authMethods: ['url'],
  retrySchedule: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000],
};
