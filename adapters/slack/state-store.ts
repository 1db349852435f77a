import { randomBytes } from 'node:crypto';
import type { InstallURLOptions, StateStore } from '@slack/oauth';
import type { AdapterServices } from '../../src/channel/index.ts';

/** How long an install link stays valid: 10 minutes, in ms. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** The link-code purpose of Slack OAuth states. */
const PURPOSE = 'slack_oauth';

/** Raised when a callback's state is unknown, used or expired. Its message is safe to show. */
export class SlackStateError extends Error {
  readonly code = 'slack_oauth_invalid_state';
  constructor(readonly refusal: 'unknown' | 'expired' | 'used' | 'missing') {
    super(`the install link is ${refusal === 'unknown' || refusal === 'missing' ? 'not valid' : refusal === 'used' ? 'already used' : 'expired'}`);
  }
}

/** The hub user an install was started for; carried as the installation's `metadata`. */
export interface InstallMetadata {
  user_id: string;
}

/**
 * An OAuth state store on the hub's one-time codes: the state is a random 32-character code bound
 * server-side to the user who asked for the install URL, valid once for {@link STATE_TTL_MS}. The
 * browser that completes the install need not be the client that asked, so no cookie is involved.
 */
export function linkCodeStateStore(services: AdapterServices, base: () => Omit<InstallURLOptions, 'metadata'>): StateStore {
  return {
    async generateStateParam(options: InstallURLOptions): Promise<string> {
      const meta = JSON.parse(options.metadata ?? '{}') as Partial<InstallMetadata>;
      if (!meta.user_id) throw new Error('an install URL needs the hub user in its metadata');
      const code = randomBytes(24).toString('base64url');
      await services.linkCodes.issue({ purpose: PURPOSE, userId: meta.user_id, ttlMs: STATE_TTL_MS, code });
      return code;
    },
    async verifyStateParam(_now: Date, state: string): Promise<InstallURLOptions> {
      if (!state || state.length > 200) throw new SlackStateError('missing');
      const owner = await services.linkCodes.consume(PURPOSE, state);
      if ('refused' in owner) throw new SlackStateError(owner.refused);
      return { ...base(), metadata: JSON.stringify({ user_id: owner.userId } satisfies InstallMetadata) };
    },
  };
}
