import type { ChannelCapabilities } from '../../src/channel/index.ts';

/**
 * Teller: a data source (bank accounts agents read through tools), one row per bank enrollment
 * (a user may link several banks), connected with Teller Connect. It carries no messages.
 */
export const capabilities: ChannelCapabilities = {
  category: 'data',
  inbound: false,
  maxTextLength: 0,
  threads: false,
  multiRow: true,
  authMethods: ['teller_connect'],
};

/** Teller Connect's script; Teller requires it to be loaded from its CDN (TELLER_CONNECT_URL replaces it in tests). */
export const CONNECT_JS = 'https://cdn.teller.io/connect/connect.js';
