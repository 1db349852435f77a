export { createGmailAdapter, type GmailAdapterOptions } from './adapter.ts';
export { gmailConfig } from './config.ts';
export { GMAIL_SCOPES, GMAIL_TOOLS } from './capabilities.ts';
export { HistoryPoller } from './poller.ts';
