import { z } from 'zod';
import { defineAdapterConfig, optionalEnv } from '../../src/channel/index.ts';

const url = (name: string) => optionalEnv.pipe(z.url({ message: `${name} must be an absolute URL` }).optional());

/** Google's own endpoints, used when GOOGLE_OAUTH_URL is unset. */
export const GOOGLE_DEFAULTS = {
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
  apiUrl: 'https://gmail.googleapis.com/',
} as const;

/**
 * The Gmail data source's settings (the Google OAuth client), from the environment.
 * `GOOGLE_OAUTH_URL` replaces Google's OAuth hosts with one base: `<base>/o/oauth2/v2/auth`,
 * `<base>/token` and `<base>/revoke` (tests point it at a local fake). `GOOGLE_API_URL` is the
 * Gmail REST root (default https://gmail.googleapis.com/).
 */
export const gmailConfig = defineAdapterConfig({
  schema: z
    .object({
      /** OAuth client id and secret ("Web application" client); without both, connecting answers "not configured". */
      GOOGLE_CLIENT_ID: optionalEnv,
      GOOGLE_CLIENT_SECRET: optionalEnv,
      GOOGLE_API_URL: url('GOOGLE_API_URL'),
      GOOGLE_OAUTH_URL: url('GOOGLE_OAUTH_URL'),
    })
    .transform((e) => {
      const oauth = e.GOOGLE_OAUTH_URL?.replace(/\/+$/, '');
      const api = e.GOOGLE_API_URL ?? GOOGLE_DEFAULTS.apiUrl;
      return {
        clientId: e.GOOGLE_CLIENT_ID,
        clientSecret: e.GOOGLE_CLIENT_SECRET,
        authUrl: oauth ? `${oauth}/o/oauth2/v2/auth` : GOOGLE_DEFAULTS.authUrl,
        tokenUrl: oauth ? `${oauth}/token` : GOOGLE_DEFAULTS.tokenUrl,
        revokeUrl: oauth ? `${oauth}/revoke` : GOOGLE_DEFAULTS.revokeUrl,
        /** Always ends in "/". */
        apiUrl: api.endsWith('/') ? api : `${api}/`,
      };
    }),
});

/** The parsed settings. */
export type GmailSettings = ReturnType<typeof gmailConfig.of>;
