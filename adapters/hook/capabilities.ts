import type { ChannelCapabilities } from '../../src/channel/index.ts';

/** Largest body an inbound hook accepts: 256 KiB; a larger one answers 413 before it is read. */
export const MAX_HOOK_BODY_BYTES = 256 * 1024;

/**
 * An inbound hook: outside services POST to it and each call is a `hook.received` event for
 * triggers. It sends nothing, so notifications to it are refused before they are queued. A user may
 * have several (one per service).
 */
export const capabilities: ChannelCapabilities = {
  category: 'events',
  inbound: true,
  maxTextLength: 0,
  threads: false,
  multiRow: true,
  authMethods: ['standard', 'github', 'bearer'],
};
