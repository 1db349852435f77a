import type { Config } from '../config.ts';

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
  readonly config: Config;
  readonly log: Logger;
  readonly inbox: {
    /** Commits events (deduped) and wakes the inbox worker. Resolves after the commit. */
    append(events: InboxEvent[]): Promise<AppendResult[]>;
  };
  readonly integrations: {
    byId(id: string): Promise<IntegrationInfo | undefined>;
    byExternalId(type: string, externalId: string): Promise<IntegrationInfo[]>;
    listByType(type: string): Promise<IntegrationInfo[]>;
    secrets<T = Record<string, unknown>>(id: string): Promise<T | undefined>;
    setSecrets(id: string, secrets: Record<string, unknown> | null): Promise<void>;
    setStatus(id: string, status: 'active' | 'unhealthy', reason: string | null): Promise<void>;
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
}
