import type { ChannelCapabilities } from '../../src/channel/index.ts';

/**
 * Slack: a chat channel with threads, one installation per user, connected by OAuth.
 * `maxTextLength` is 4000 characters — Slack truncates `text` past 40 000 and advises staying
 * under 4000 per message, so long texts are split there.
 */
export const capabilities: ChannelCapabilities = {
  category: 'chat',
  inbound: true,
  maxTextLength: 4000,
  threads: true,
  multiRow: false,
  authMethods: ['oauth'],
};

/** Bot scopes the hub asks for at install time. */
export const BOT_SCOPES: readonly string[] = [
  'app_mentions:read',
  'chat:write',
  'im:history',
  'im:read',
  'im:write',
  'channels:history',
  'groups:history',
  // Trigger events: reaction_added, member_joined_channel (public / private channels).
  'reactions:read',
  'channels:read',
  'groups:read',
];
