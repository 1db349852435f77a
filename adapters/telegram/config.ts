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
      /** `telegram` (default: Telegram's published send limits) or `off` (test servers, benchmarks). */
      TELEGRAM_PACING: optionalEnv.pipe(
        z.enum(['telegram', 'off'], { error: (iss) => `must be one of: telegram (Telegram's published limits, the default), off; got ${JSON.stringify(iss.input)}` }).default('telegram'),
      ),
      /** How many bots' grammY clients and webhook secrets stay cached (an LRU; idle bots drop out). Default 1000. */
      TELEGRAM_BOT_CACHE: optionalEnv.pipe(
        z
          .string()
          .regex(/^[1-9]\d{0,6}$/, 'TELEGRAM_BOT_CACHE must be a whole number of bots, 1 or more')
          .transform(Number)
          .optional(),
      ),
    })
    .transform((e) => ({
      /** Without a trailing slash (grammY refuses one). */
      apiRoot: (e.TELEGRAM_API_ROOT ?? 'https://api.telegram.org').replace(/\/+$/, ''),
      sharedBotToken: e.TELEGRAM_SHARED_BOT_TOKEN,
      mode: e.TELEGRAM_MODE,
      pacing: e.TELEGRAM_PACING,
      botCache: e.TELEGRAM_BOT_CACHE ?? 1000,
    })),
});
