import { z } from 'zod';
import { defineAdapterConfig, optionalEnv } from '../../src/channel/index.ts';

/** The Telegram channel's settings, from the environment. */
export const telegramConfig = defineAdapterConfig({
  schema: z
    .object({
      /** Bot API root (tests point it at a local fake). Default https://api.telegram.org. */
      TELEGRAM_API_ROOT: optionalEnv.pipe(z.url({ message: 'TELEGRAM_API_ROOT must be an absolute URL' }).optional()),
      /** Token of the platform's shared bot, for one-tap pairing; none by default. */
      TELEGRAM_SHARED_BOT_TOKEN: optionalEnv,
      /** `webhook` (default; needs a public PUBLIC_URL) or `polling` (local development). */
      TELEGRAM_MODE: optionalEnv.pipe(z.enum(['webhook', 'polling']).default('webhook')),
    })
    .transform((e) => ({
      /** Without a trailing slash (grammY refuses one). */
      apiRoot: (e.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, ''),
      sharedBotToken: e.TELEGRAM_SHARED_BOT_TOKEN,
      mode: e.TELEGRAM_MODE,
    })),
});
