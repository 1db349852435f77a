import type { ChannelCapabilities } from '../../src/channel/index.ts';
import { MAX_TEXT } from './format.ts';

/** Telegram: a chat channel, one row per bot, 4096-character messages, forum topics as threads. */
export const capabilities: ChannelCapabilities = {
  category: 'chat',
  inbound: true,
  maxTextLength: MAX_TEXT,
  threads: true,
  multiRow: true,
  authMethods: ['token', 'shared'],
};
