import { BadRequestError, type IntegrationInfo } from '../../src/channel/index.ts';

/** Who may talk to the agent through a Slack integration. */
export type SlackPolicy = 'installer' | 'workspace';

/**
 * What a Slack integration keeps in its (plain) config. The bot token lives in the encrypted
 * secrets as {@link SlackSecrets}.
 */
export interface SlackConfig {
  team_id: string | null;
  team_name: string | null;
  enterprise_id: string | null;
  enterprise_name: string | null;
  is_enterprise_install: boolean;
  app_id: string | null;
  bot_user_id: string;
  bot_id: string | null;
  scopes: string[];
  /** The Slack user id of the person who installed the app (linked to the hub user). */
  installer_user_id: string;
  /** Who may talk: `installer` (default) or `workspace`. */
  policy?: SlackPolicy;
  /** Channel id that notifications go to; null (default) means a DM to the installer. */
  notify_channel?: string | null;
}

/** The encrypted part of a Slack integration. */
export interface SlackSecrets {
  bot_token: string;
  bot_refresh_token?: string;
  bot_expires_at?: number;
}

/** Reads an integration's config as a {@link SlackConfig} (fields may be missing on damaged rows). */
export function slackConfig(integration: IntegrationInfo): Partial<SlackConfig> {
  return integration.config as Partial<SlackConfig>;
}

/** The policy in force; `installer` unless set. */
export function policyOf(integration: IntegrationInfo): SlackPolicy {
  return slackConfig(integration).policy === 'workspace' ? 'workspace' : 'installer';
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;

/**
 * Checks PATCHed settings: `policy` (`installer` | `workspace`) and `notify_channel` (a channel id
 * such as `C0123ABCD`, or null for a DM to the installer). Anything else is refused by name.
 */
export function validateSlackSettings(settings: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'policy') {
      if (value !== 'installer' && value !== 'workspace') throw new BadRequestError('policy must be "installer" or "workspace"', 'invalid_request');
      out.policy = value;
    } else if (key === 'notify_channel') {
      if (value !== null && (typeof value !== 'string' || !CHANNEL_ID.test(value))) {
        throw new BadRequestError('notify_channel must be a Slack channel id such as C0123ABCD, or null for a DM', 'invalid_request');
      }
      out.notify_channel = value;
    } else {
      throw new BadRequestError(`unknown field: ${key} (Slack settings are policy and notify_channel)`, 'invalid_request');
    }
  }
  return out;
}
