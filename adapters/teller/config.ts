import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { defineAdapterConfig, optionalEnv } from '../../src/channel/index.ts';
import { CONNECT_JS } from './capabilities.ts';

/** Teller's API hosts serve every environment; the access token decides which one a call reaches. */
const DEFAULT_API_URL = 'https://api.teller.io';

/**
 * A PEM setting: the PEM text itself (it starts with `-----BEGIN`; `\n` escapes, as one-line `.env`
 * values carry them, become newlines) or the path of a file holding it, read once at start-up.
 */
const pem = () =>
  optionalEnv.transform((v, ctx) => {
    if (v === undefined) return undefined;
    if (v.startsWith('-----BEGIN')) return v.replace(/\\n/g, '\n');
    try {
      const text = readFileSync(v, 'utf8');
      if (!text.includes('-----BEGIN')) throw Object.assign(new Error(), { code: 'not a PEM file' });
      return text;
    } catch (e) {
      // Only the error code: the value may be a mangled key, and it never goes into a message.
      ctx.addIssue({ code: 'custom', message: `must be PEM text (-----BEGIN …) or the path of a readable PEM file (${(e as { code?: string }).code ?? 'unreadable'})` });
      return z.NEVER;
    }
  });

/**
 * The Teller data source's settings, from the environment. Client certificates are what Teller
 * authenticates the application by (mutual TLS); sandbox calls work without them.
 */
export const tellerConfig = defineAdapterConfig({
  schema: z
    .object({
      /** The application's client certificate from the Teller dashboard: PEM text or a file path. */
      TELLER_CERT: pem(),
      /** Its private key: PEM text or a file path. Never logged. */
      TELLER_KEY: pem(),
      /** `sandbox` (default) | `development` | `production`: the environment Teller Connect enrolls in. */
      TELLER_ENVIRONMENT: optionalEnv.pipe(z.enum(['sandbox', 'development', 'production'], { message: 'TELLER_ENVIRONMENT must be sandbox, development or production' }).default('sandbox')),
      /** API base URL (tests point it at a local fake). Default https://api.teller.io. */
      TELLER_API_URL: optionalEnv.pipe(z.url({ message: 'TELLER_API_URL must be an absolute URL' }).optional()),
      /**
       * Teller Connect's script, which the dashboard loads (and its CSP allows, by origin). Default
       * https://cdn.teller.io/connect/connect.js; tests point it at a local fake.
       */
      TELLER_CONNECT_URL: optionalEnv.pipe(z.url({ message: 'TELLER_CONNECT_URL must be an absolute URL' }).optional()),
      /** The Teller application id (`app_…`) the dashboard opens Teller Connect with. */
      TELLER_APPLICATION_ID: optionalEnv,
      /** The webhook signing secret from Teller's Application Settings; without it the webhook answers 503. */
      TELLER_SIGNING_SECRET: optionalEnv,
      /** Extra CA certificates to trust for TELLER_API_URL (a test CA, a private proxy): PEM text or a file path. */
      TELLER_CA_CERT: pem(),
    })
    .superRefine((e, ctx) => {
      if (!!e.TELLER_CERT !== !!e.TELLER_KEY) ctx.addIssue({ code: 'custom', path: [e.TELLER_CERT ? 'TELLER_KEY' : 'TELLER_CERT'], message: 'TELLER_CERT and TELLER_KEY go together: set both or neither' });
    })
    .transform((e) => ({
      cert: e.TELLER_CERT,
      key: e.TELLER_KEY,
      environment: e.TELLER_ENVIRONMENT,
      /** Never ends in "/". */
      apiUrl: (e.TELLER_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, ''),
      applicationId: e.TELLER_APPLICATION_ID,
      connectUrl: e.TELLER_CONNECT_URL ?? CONNECT_JS,
      signingSecret: e.TELLER_SIGNING_SECRET,
      ca: e.TELLER_CA_CERT,
    })),
});

/** The parsed Teller settings. */
export type TellerSettings = z.output<typeof tellerConfig.schema>;
