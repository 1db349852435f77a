export { createTelegramAdapter, type TelegramOptions } from './adapter.ts';
export { DEFAULT_PACING, NO_PACING, type PacingOptions } from './pacing.ts';
export { markdownToHtml, toParts } from './format.ts';
