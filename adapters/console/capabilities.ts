import type { ChannelCapabilities } from '../../src/channel/index.ts';

/** The console is local: no platform limits beyond a generous text cap. */
export const capabilities: ChannelCapabilities = {
  category: 'local',
  inbound: true,
  maxTextLength: 64_000,
  threads: true,
  multiRow: false,
  authMethods: ['none'],
};
