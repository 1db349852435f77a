import type { AdapterSettings } from './adapter-config.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** A one-time code made but not yet stored (`AdapterServices.linkCodes.draft`). */
export interface PendingLinkCode {
  purpose: string;
  userId: string;
  integrationId: string | null;
  /** The code itself, shown once; only its hash is stored. */
  code: string;
  /** Epoch ms. */
  createdAt: number;
  /** Epoch ms. */
  expiresAt: number;
}

/** An integration as adapters see it (never its secrets; those are opened on request). */
export interface IntegrationInfo {
  readonly id: string;
  readonly userId: string;
  readonly type: string;
  readonly name: string;
  readonly externalId: string | null;
  readonly isDefault: boolean;
  readonly status: 'active' | 'unhealthy';
  readonly statusReason: string | null;
  readonly config: Record<string, unknown>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** One inbound event to commit to the inbox. */
export interface InboxEvent {
  channel: string;
  /** Integration id (or another scope, e.g. a profile for the console). */
  source: string;
  /** The platform's id of the event; the dedupe key within channel + source. */
  externalEventId: string;
  /** Events with the same key are handled one at a time, in arrival order. */
  orderingKey: string;
  /** The raw event, JSON-serialisable. */
  payload: unknown;
}

/** Result of committing one event. */
export interface AppendResult {
  id: number;
  duplicate: boolean;
}

/**
 * Something that happened which triggers may follow (docs/triggers.md): a hook call, a chat
 * message, a failed delivery… Emitting the same `sourceId` twice fires each trigger once.
 */
export interface HubEvent {
  /** The event's name, e.g. `hook.received`. */
  type: string;
  /** The user it happened to; only their triggers fire. */
  userId: string;
  /** The integration it happened on; null for the hub's own events. */
  integrationId: string | null;
  /** Stable id of the occurrence (e.g. `hook:<integration>:<delivery id>`), the dedupe key of its firings. */
  sourceId: string;
  /** When it happened, epoch ms. */
  occurredAt: number;
  /** The payload handed to the agent or the URL; JSON-serialisable. */
  data: Record<string, unknown>;
}

/** When an integration's polled (virtual) triggers want it polled: see `AdapterServices.triggers`. */
export interface PollSchedule {
  integrationId: string;
  /** The shortest interval among its active polled triggers, ms. */
  intervalMs: number;
  /**
   * Epoch ms since when at least one of those triggers has been active unchanged (created, resumed
   * or edited then). Later than the last poll by more than an interval: nobody followed the
   * integration for a while, so what happened meanwhile may be skipped rather than replayed.
   */
  activeSince: number;
}

/** Minimal structured logger (pino-compatible). */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A linked external account. */
export interface IdentityLink {
  id: string;
  user_id: string;
  integration_id: string | null;
  channel: string;
  external_user_id: string;
  external_chat_id: string | null;
}

/**
 * What the hub lends adapters. Adapters reach the store only through these methods, so platform
 * code never touches tables, and the store never learns platform shapes.
 */
export interface AdapterServices {
  /** Hub-wide non-secret values and this adapter's own settings slice; nothing else of the hub's config. */
  readonly config: AdapterSettings;
  readonly log: Logger;
  readonly inbox: {
    /** Commits events (deduped) and wakes the inbox worker. Resolves after the commit. */
    append(events: InboxEvent[]): Promise<AppendResult[]>;
  };
  readonly integrations: {
    byId(id: string): Promise<IntegrationInfo | undefined>;
    /** Every row of a type with the platform's id `externalId` (an indexed read). */
    byExternalId(type: string, externalId: string): Promise<IntegrationInfo[]>;
    /** The user's row of a type with the platform's id `externalId`, or undefined (an indexed read of one row). */
    ofUserByExternalId(userId: string, type: string, externalId: string): Promise<IntegrationInfo | undefined>;
    /** The user's default row of a type, else their oldest, else undefined (an indexed read of one row). */
    defaultOf(userId: string, type: string): Promise<IntegrationInfo | undefined>;
    /** Whether the user has any row of a type (an indexed probe). */
    exists(userId: string, type: string): Promise<boolean>;
    listByType(type: string): Promise<IntegrationInfo[]>;
    secrets<T = Record<string, unknown>>(id: string): Promise<T | undefined>;
    setSecrets(id: string, secrets: Record<string, unknown> | null): Promise<void>;
    setStatus(id: string, status: 'active' | 'unhealthy', reason: string | null): Promise<void>;
    /**
     * Creates a row (pairing, OAuth installs). It becomes the default when the user has no default of
     * its type. For a single-row type (not `multiRow`) a second row is refused with a 409
     * `integration_exists` ConflictError, also when two creates race.
     * With `grantToDefaultProfile`, it is granted to the user's `default` profile (else their oldest),
     * whose name comes back as `grantedTo`, so a one-tap pairing is ready to chat.
     */
    create(input: {
      userId: string;
      type: string;
      name: string;
      externalId?: string | null;
      config?: Record<string, unknown>;
      secrets?: Record<string, unknown>;
      grantToDefaultProfile?: boolean;
    }): Promise<IntegrationInfo & { grantedTo?: string }>;
    /** Merges settings into an integration's config (shallow, atomic: concurrent merges all land). */
    updateConfig(id: string, patch: Record<string, unknown>): Promise<void>;
    /** A user's integrations of a type, oldest first. Reads them all: not for per-request paths. */
    listForUser(userId: string, type: string): Promise<IntegrationInfo[]>;
  };
  /**
   * An adapter's internal state about an integration (counters, cached platform answers), one value
   * per key, kept out of the config so the API never shows it and reads of the row stay small.
   * Deleted with the integration.
   */
  readonly state: {
    /** The value under a key (JSON), or undefined. */
    get<T = unknown>(integrationId: string, key: string): Promise<T | undefined>;
    /** Sets or replaces the value under a key (JSON-serialisable). */
    set(integrationId: string, key: string, value: unknown): Promise<void>;
    /** Adds one to the integer under a key (0 when unset) atomically in the database; resolves with the new value. */
    bump(integrationId: string, key: string): Promise<number>;
    /**
     * Renames the keys that are `fromPrefix` or start with it followed by a separator (`epoch:-42`,
     * `epoch:-42:7`, never `epoch:-421`) to start with `toPrefix`; a target that exists already is
     * kept and the old key dropped. One transaction; resolves with how many keys moved.
     */
    moveKeys(integrationId: string, fromPrefix: string, toPrefix: string): Promise<number>;
  };
  readonly events: {
    /**
     * Fires the active triggers of the event's user that follow it. Resolves once their work is
     * committed (an inbox row or an outbox row each), with how many fired.
     */
    emit(event: HubEvent): Promise<number>;
  };
  /** The user's triggers, as far as an adapter that polls for them needs to know. */
  readonly triggers: {
    /**
     * The virtual (polled) trigger schedule of the integrations of `type` (the adapter's own): one
     * row per active integration with at least one active trigger on a polled event of the type
     * (`email.received` for gmail), with the shortest interval among them. Integrations missing
     * from the answer have nothing to poll for. One indexed, grouped query; call it per pass.
     */
    pollSchedule(type: string): Promise<PollSchedule[]>;
  };
  readonly users: {
    byId(id: string): Promise<{ id: string; email: string; name: string | null } | undefined>;
  };
  readonly conversations: {
    /**
     * Whether the hub already takes part in a conversation on an integration: a thread with this
     * adapter key exists, or a claimed notification was sent with this claim key.
     */
    known(channel: string, integrationId: string, key: string): Promise<boolean>;
    /**
     * Moves a conversation to a new adapter key (a Telegram group that became a supergroup): every
     * thread and claim of the integration whose key is `oldKeyPrefix`, or starts with it followed by
     * a character that is not a letter or digit (`#`, `:`…), gets `newKeyPrefix` instead, the rest
     * of its key kept. A thread whose new key is taken already stays where it is. Idempotent; one
     * transaction. Resolves with how many threads and claims moved.
     */
    rekey(channel: string, integrationId: string, oldKeyPrefix: string, newKeyPrefix: string): Promise<{ threads: number; claims: number }>;
  };
  /** One-time codes: `/link` claims, pairing deep links, OAuth states. Only hashes are stored. */
  readonly linkCodes: {
    /**
     * A code that is not stored yet: return it in `ConnectResult.linkCodes` and it is stored in
     * the transaction that creates the integration (nothing is written when the connect fails).
     */
    draft(input: { purpose: string; userId: string; integrationId?: string | null; ttlMs: number; code?: string }): PendingLinkCode;
    issue(input: { purpose: string; userId: string; integrationId?: string | null; ttlMs: number; code?: string }): Promise<{ code: string; expiresAt: number }>;
    consume(purpose: string, code: string): Promise<{ userId: string; integrationId: string | null } | { refused: 'unknown' | 'expired' | 'used' }>;
  };
  readonly links: {
    find(channel: string, integrationId: string | null, externalUserId: string): Promise<IdentityLink | undefined>;
    link(input: {
      userId: string;
      channel: string;
      integrationId: string | null;
      externalUserId: string;
      externalChatId?: string | null;
    }): Promise<IdentityLink>;
    unlink(channel: string, integrationId: string | null, externalUserId: string): Promise<boolean>;
    ofUser(userId: string, integrationId?: string): Promise<IdentityLink[]>;
  };
  /**
   * Named leases shared by every replica of the hub (one database): at most one replica holds a
   * name at a time, until it stops renewing. Names are the adapter's own, e.g. `telegram-poll:<id>`.
   */
  readonly leases: {
    /**
     * Takes the lease for this replica for `ttlMs` (ms) when it is free or has run out, or renews
     * it when this replica holds it. Resolves true when this replica holds it afterwards.
     */
    acquire(name: string, ttlMs: number): Promise<boolean>;
    /** Gives the lease up if this replica holds it. */
    release(name: string): Promise<void>;
  };
  /**
   * Send slots shared by every replica: on PostgreSQL one table all replicas reserve in (one round
   * trip per reservation); on SQLite (one process) an in-memory limiter.
   */
  readonly rates: RateLimiter;
}
