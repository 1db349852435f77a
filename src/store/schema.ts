import type { Generated } from 'kysely';

/**
 * Table shapes. Portable across SQLite and PostgreSQL: text ids, integer 0/1 booleans,
 * epoch-millisecond integer timestamps (`*_at`), JSON kept as text, secrets sealed as text.
 */
export interface Database {
  users: UsersTable;
  api_keys: ApiKeysTable;
  agent_profiles: AgentProfilesTable;
  user_integrations: UserIntegrationsTable;
  integration_state: IntegrationStateTable;
  grants: GrantsTable;
  identity_links: IdentityLinksTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  inbox: InboxTable;
  outbox: OutboxTable;
  notifications: NotificationsTable;
  encryption_keys: EncryptionKeysTable;
  link_codes: LinkCodesTable;
  claims: ClaimsTable;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string | null;
  is_admin: number;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  key_hash: string;
  /** First characters of the key, for recognising it in lists. */
  hint: string;
  created_at: number;
  last_used_at: number | null;
  /** A label the owner chose (`default` for the first key). */
  name: string;
  /** 1 for the key SWITCHBOARD_ADMIN_KEY manages (at most one row), else 0. */
  is_bootstrap: number;
}

export interface AgentProfilesTable {
  id: string;
  user_id: string;
  name: string;
  /** `echo` | `http` | `llm`. */
  agent_kind: string;
  agent_url: string | null;
  /** Sealed Standard Webhooks secret (`whsec_…`) for `http` agents; sealed JSON secrets for `llm` agents. */
  agent_secret: string | null;
  /** Non-secret settings of `llm` agents, as JSON text (migration 007). */
  agent_config: string | null;
  token_hash: string;
  /**
   * What happens to a turn a crash interrupted after the agent got it: `at_least_once` (default: sent
   * again with the same `webhook-id`) or `at_most_once` (not sent again; the person is asked to resend).
   */
  agent_delivery: string;
  created_at: number;
  updated_at: number;
}

export interface UserIntegrationsTable {
  id: string;
  user_id: string;
  /** Channel name: `telegram`, `slack`, `email`, `webhook`… */
  type: string;
  name: string;
  /** The platform's id of the connected thing (Telegram bot id, Slack team id), when there is one. */
  external_id: string | null;
  /** At most one row per (user, type) has 1 (a partial unique index). */
  is_default: number;
  /**
   * 1 for a row of a type a user may have only once (email, webhook, Slack): a partial unique index on
   * (user, type) where this is 1 refuses a second one, also under concurrent connects. 0 for multi-row types.
   */
  single_row: Generated<number>;
  /** `active` | `unhealthy`. */
  status: string;
  status_reason: string | null;
  /** Settings the user set or may see, JSON; internal state lives in `integration_state`. */
  config: string;
  /** Sealed JSON of every secret of the integration. */
  secrets: string | null;
  created_at: number;
  updated_at: number;
}

/**
 * Internal state of an integration an adapter keeps (Telegram's thread epochs, a bot's getMe answer):
 * one row per key, never shown by the API, deleted with the integration.
 */
export interface IntegrationStateTable {
  integration_id: string;
  /** The adapter's name for the state, e.g. `bot` or `epoch:<chat>`. */
  key: string;
  /** JSON. Counters bumped in SQL are JSON integers. */
  value: string;
  updated_at: number;
}

export interface GrantsTable {
  profile_id: string;
  integration_id: string;
  created_at: number;
}

export interface IdentityLinksTable {
  id: string;
  user_id: string;
  integration_id: string | null;
  channel: string;
  external_user_id: string;
  external_chat_id: string | null;
  created_at: number;
}

export interface ThreadsTable {
  id: string;
  user_id: string;
  profile_id: string | null;
  channel: string;
  integration_id: string | null;
  /** Unique per channel scope: `<channel>|<integration or profile>|<adapter's opaque key>`. */
  thread_key: string;
  /** The adapter's opaque key for the conversation (chat id, thread_ts…). */
  external_key: string;
  /** JSON: where replies go (the adapter's reply target of the latest inbound message). */
  reply_target: string;
  /** History before this instant is not shown to the agent (`chat --clear`). */
  reset_at: number;
  created_at: number;
  last_message_at: number;
}

export interface MessagesTable {
  id: Generated<number>;
  user_id: string;
  thread_id: string | null;
  profile_id: string | null;
  /** `user_message` | `agent_response` | `notification` | `delivery` | `error` | `policy`. */
  type: string;
  /** `in` | `out` | `system`. */
  direction: string;
  text: string;
  /** JSON: sender, attachments, platform ids, reasons. */
  meta: string;
  inbox_id: number | null;
  created_at: number;
}

export interface InboxTable {
  id: Generated<number>;
  channel: string;
  /** Integration id, or another scope for channels without rows (console: the profile). */
  source: string;
  external_event_id: string;
  /** Serialises handling: rows with the same key are handled in id order. */
  ordering_key: string;
  payload: string;
  /** `pending` | `processing` | `done` | `ignored` | `failed`. */
  status: string;
  attempts: number;
  /** End of the lease (epoch ms) while `processing`; renewed by its owner's heartbeat. */
  locked_until: number | null;
  /** The hub process that holds (or last held) the lease: a random id per process. */
  lease_owner: string | null;
  last_error: string | null;
  received_at: number;
  processed_at: number | null;
}

export interface OutboxTable {
  id: Generated<number>;
  idempotency_key: string;
  user_id: string;
  channel: string;
  integration_id: string | null;
  notification_id: string | null;
  thread_id: string | null;
  /** Serialises sends to one chat. */
  ordering_key: string;
  /** JSON of the OutboundMessage. */
  payload: string;
  /** `pending` | `sending` | `sent` | `failed` | `dead`. */
  status: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: number;
  /** End of the lease (epoch ms) while `sending`; renewed by its owner's heartbeat. */
  locked_until: number | null;
  /** The hub process that holds (or last held) the lease: a random id per process. */
  lease_owner: string | null;
  last_error: string | null;
  /** JSON of the platform's ids for what was sent. */
  result: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
}

export interface NotificationsTable {
  id: string;
  user_id: string;
  profile_id: string;
  idempotency_key: string | null;
  message: string;
  subject: string | null;
  claim: number;
  /** JSON array of the channels asked for. */
  channels: string;
  created_at: number;
}

export interface EncryptionKeysTable {
  kid: string;
  /** A known text sealed under the key; proves the loaded key is the right one. */
  check_value: string;
  created_at: number;
}

export interface LinkCodesTable {
  code_hash: string;
  /** `telegram_link` | `telegram_pair` | `slack_state`… */
  purpose: string;
  user_id: string;
  integration_id: string | null;
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

export interface ClaimsTable {
  /** `<integration id>|<adapter's key of the sent message>` (e.g. chat id + message id). */
  claim_key: string;
  notification_id: string;
  profile_id: string;
  user_id: string;
  created_at: number;
}
