import type { AdapterRegistration } from '../src/channel/index.ts';
import { createConsoleAdapter } from './console/index.ts';
import { createHookAdapter } from './hook/index.ts';
import { emailConfig } from './email/config.ts';
import { gmailConfig } from './gmail/config.ts';
import { createGmailAdapter } from './gmail/index.ts';
import { createEmailAdapter } from './email/index.ts';
import { slackConfig } from './slack/config.ts';
import { createSlackAdapter } from './slack/index.ts';
import { tellerConfig } from './teller/config.ts';
import { createTellerAdapter } from './teller/index.ts';
import { telegramConfig } from './telegram/config.ts';
import { createTelegramAdapter } from './telegram/index.ts';
import { createWebhookAdapter } from './webhook/index.ts';

/**
 * The channel registry: one row per channel, keyed by its name, with the factory and the settings
 * slice the channel declares (`<name>/config.ts`). The hub parses every slice at start-up and builds
 * every adapter listed here; a new channel is a new folder and a new row, with no edit to src/.
 */
export const adapterRegistry = {
  console: { create: createConsoleAdapter },
  slack: { config: slackConfig, create: (deps) => createSlackAdapter(deps) },
  telegram: { config: telegramConfig, create: (deps) => createTelegramAdapter(deps) },
  email: { config: emailConfig, create: createEmailAdapter },
  webhook: { create: createWebhookAdapter },
  hook: { create: createHookAdapter },
  gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps) },
  teller: { config: tellerConfig, create: (deps) => createTellerAdapter(deps) },
} satisfies Record<string, AdapterRegistration>;

/** The name of a registered channel. */
export type ChannelName = keyof typeof adapterRegistry;
