import type { ChannelCapabilities } from '../../src/channel/index.ts';

/**
 * Email is outbound only. A text over `maxTextLength` characters (100 000) goes out as several
 * emails, "(1/2)" in the subject; Resend's own limit on a message is far larger (40 MB).
 * Retries use the bus's exponential backoff.
 */
export const capabilities: ChannelCapabilities = {
  category: 'notification',
  inbound: false,
  maxTextLength: 100_000,
  threads: false,
  multiRow: false,
  authMethods: ['api_key'],
};
