import { z } from 'zod';
import { defineAdapterConfig, optionalEnv } from '../../src/channel/index.ts';

/** The Slack channel's settings (the Slack app's credentials), from the environment. */
export const slackConfig = defineAdapterConfig({
  schema: z
    .object({
      /** OAuth client id and secret for "Add to Slack"; without both, installing answers "not configured". */
      SLACK_CLIENT_ID: optionalEnv,
      SLACK_CLIENT_SECRET: optionalEnv,
      /** Verifies Events API requests; without it the events route answers 503. */
      SLACK_SIGNING_SECRET: optionalEnv,
      /** Accepted and kept, but unused: OAuth states are one-time codes stored hashed. */
      SLACK_STATE_SECRET: optionalEnv,
      /** Web API base URL (tests point it at a local fake). Default https://slack.com/api/. */
      SLACK_API_URL: optionalEnv.pipe(z.url({ message: 'SLACK_API_URL must be an absolute URL' }).optional()),
    })
    .transform((e) => {
      const apiUrl = e.SLACK_API_URL ?? 'https://slack.com/api/';
      return {
        clientId: e.SLACK_CLIENT_ID,
        clientSecret: e.SLACK_CLIENT_SECRET,
        signingSecret: e.SLACK_SIGNING_SECRET,
        stateSecret: e.SLACK_STATE_SECRET,
        /** Always ends in "/": the client appends method names to it. */
        apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`,
      };
    }),
});
