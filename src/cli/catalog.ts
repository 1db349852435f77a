/**
 * What the CLI tells people about each integration type beyond what `GET /v1/integrations/available`
 * answers: a label, how to connect it, the scopes it asks for, and its settings. Types the hub
 * offers that are not listed here (newer hubs) still work, with their name as label.
 */
export interface TypeGuide {
  label: string;
  description: string;
  /** Scopes asked for at OAuth install time. */
  scopes?: string[];
  /** Settings changed with `switchboard integrations update <id> --set key=value`. */
  settings: Record<string, string>;
}

/** Settings every type has. */
export const COMMON_SETTINGS: Record<string, string> = {
  mcp_tools: 'true (default) | false: its tools are offered on /mcp to the profiles it is granted to (integrations mcp activate|deactivate)',
};

export const GUIDES: Record<string, TypeGuide> = {
  telegram: {
    label: 'Telegram',
    description: 'A Telegram bot of yours (token from @BotFather, then /link in a DM), or the hub\'s shared bot (one-tap pairing)',
    settings: { dm_policy: 'owner (default) | allowlist | open: who may DM the bot', allow_from: 'Telegram user ids (with dm_policy allowlist)' },
  },
  slack: {
    label: 'Slack',
    description: 'A Slack workspace, installed with "Add to Slack"',
    scopes: ['app_mentions:read', 'chat:write', 'im:history', 'im:read', 'im:write', 'channels:history', 'groups:history'],
    settings: { policy: 'installer (default) | workspace: who may talk to the agent', notify_channel: 'a channel id for notifications (default: a DM to the installer)' },
  },
  email: {
    label: 'Email (Resend)',
    description: 'Email notifications through your Resend account (API key, a sender on a verified domain)',
    settings: {},
  },
  webhook: {
    label: 'Webhook',
    description: 'Notifications POSTed to a URL of yours, signed the Standard Webhooks way when it has a secret',
    settings: {},
  },
  gmail: {
    label: 'Gmail',
    description: 'A Google account\'s mailbox, connected with Google sign-in; agents it is granted to search, read and draft mail (gmail_* tools)',
    scopes: ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.compose'],
    settings: { allow_send: 'false (default) | true: gmail_send sends; while false it saves a draft instead' },
  },
  teller: {
    label: 'Teller (bank accounts)',
    description: 'Bank accounts linked with Teller Connect (Data sources on the dashboard Integrations page); agents granted it read accounts, balances and transactions through tools',
    settings: {},
  },
  hook: {
    label: 'Inbound hook',
    description: 'A URL outside services call (CI, GitHub, Stripe, your apps); each call is a hook.received event',
    settings: {},
  },
};

/** Headings of categories in listings; others are shown by their name. */
export const CATEGORY_LABELS: Record<string, string> = { data: 'Data sources' };

/** The guide of a type (a bare one for types this CLI does not know). */
export const guideOf = (type: string): TypeGuide => GUIDES[type] ?? { label: type, description: '', settings: {} };

/**
 * How a `--auth-method` of the documents maps onto a type's own methods: `oauth` and `shared` only
 * where the type has them; `token` means the type's credential (bot token, API key, URL).
 */
export function resolveAuthMethod(type: string, methods: string[], wanted: string | undefined): string {
  const credential = methods.find((m) => m !== 'oauth' && m !== 'shared');
  if (wanted === undefined) return credential ?? methods[0];
  if (methods.includes(wanted)) return wanted;
  if (wanted === 'token' && credential) return credential;
  const offered = methods.map((m) => (m === credential ? 'token' : m));
  throw new AuthMethodError(`${type} cannot be connected with --auth-method ${wanted}; it offers: ${[...new Set(offered)].join(', ')}`);
}

/** A `--auth-method` a type does not offer. */
export class AuthMethodError extends Error {}
