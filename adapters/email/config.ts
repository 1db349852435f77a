import { z } from 'zod';
import { defineAdapterConfig, optionalEnv } from '../../src/channel/index.ts';

/** The email channel's settings, from the environment. Users bring their own Resend API keys. */
export const emailConfig = defineAdapterConfig({
  schema: z
    .object({
      /** Resend API base URL (tests point it at a local fake). Default https://api.resend.com. */
      RESEND_BASE_URL: optionalEnv.pipe(z.url({ message: 'RESEND_BASE_URL must be an absolute URL' }).optional()),
    })
    .transform((e) => ({
      /** Without a trailing slash. */
      resendBaseUrl: (e.RESEND_BASE_URL ?? 'https://api.resend.com').replace(/\/+$/, ''),
    })),
});
