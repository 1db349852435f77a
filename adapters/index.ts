import type { AdapterFactory } from '../src/channel/index.ts';
import { createConsoleAdapter } from './console/index.ts';
import { createSlackAdapter } from './slack/index.ts';
import { createTelegramAdapter } from './telegram/index.ts';
import { createEmailAdapter } from './email/index.ts';
import { createWebhookAdapter } from './webhook/index.ts';

/**
 * The channel registry: one row per channel, keyed by its name. The hub builds every adapter listed
 * here at start-up; a new channel is a new folder and a new row.
 */
export const adapterFactories = {
  console: createConsoleAdapter,
  slack: (deps) => createSlackAdapter(deps),
  telegram: (deps) => createTelegramAdapter(deps),
  email: createEmailAdapter,
  webhook: createWebhookAdapter,
} satisfies Record<string, AdapterFactory>;

/** The name of a registered channel. */
export type ChannelName = keyof typeof adapterFactories;
