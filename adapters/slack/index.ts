export { createSlackAdapter, type SlackAdapterOptions } from './adapter.ts';
export { verifySlackSignature } from './verify.ts';
export { markdownToMrkdwn, renderText } from './format.ts';
export type { SlackConfig, SlackPolicy } from './settings.ts';
export type { SlackEnvelope, SlackTarget } from './parse.ts';
