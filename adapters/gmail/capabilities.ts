import type { ChannelCapabilities } from '../../src/channel/index.ts';

/** Read mail, labels and history. */
export const SCOPE_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
/** Create drafts and send them (no deleting, no label changes). */
export const SCOPE_COMPOSE = 'https://www.googleapis.com/auth/gmail.compose';

/**
 * Scopes asked for at consent time: the narrowest pair that serves the tools (docs/gmail.md).
 * `gmail.modify` would also allow trashing and relabelling mail, which no tool does.
 */
export const GMAIL_SCOPES: readonly string[] = [SCOPE_READONLY, SCOPE_COMPOSE];

/** The tools a granted Gmail integration offers. */
export const GMAIL_TOOLS: readonly string[] = ['gmail_search', 'gmail_read', 'gmail_draft', 'gmail_send', 'gmail_labels'];

/**
 * Gmail: a data source agents read through tools, one row per Google account, connected by OAuth.
 * It carries no notifications (`maxTextLength` is unused).
 */
export const capabilities: ChannelCapabilities = {
  category: 'data',
  inbound: false,
  maxTextLength: 0,
  threads: false,
  multiRow: true,
  authMethods: ['oauth'],
  scopes: GMAIL_SCOPES,
  tools: GMAIL_TOOLS,
};
