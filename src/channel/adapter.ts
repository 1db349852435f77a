import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChannelCapabilities, InboundMessage, OutboundMessage, SendResult } from './types.ts';
import type { AdapterConfig } from './adapter-config.ts';
import type { AdapterServices, HubEvent, IntegrationInfo, PendingLinkCode } from './services.ts';
import type { DataSourceTool } from './data-tools.ts';

/** One inbox row as the adapter sees it when asked to interpret it. */
export interface InboxEventView {
  id: number;
  channel: string;
  source: string;
  externalEventId: string;
  payload: unknown;
}

/**
 * What the bus should do with an inbound event.
 * - `message`: a person wrote to an agent; the bus routes it (to `profileId` when the adapter knows it,
 *   else to the profile granted the integration, or the one a claimed notification names).
 * - `handled`: the adapter answered itself (a `/link` command…); `replies` are queued as they are.
 * - `ignored`: not for an agent (a bot's own message, a policy drop, an unsupported update). Logged with `reason`.
 * - `event`: not a turn but something triggers may follow (a reaction, a member joining): the bus fires
 *   `events` (their firings commit together with the end of the inbox row) and notes `note`. An empty list
 *   is allowed (nothing to fire).
 */
export type InboundDecision =
  | { kind: 'message'; message: InboundMessage; userId: string; profileId?: string }
  | { kind: 'handled'; note: string; userId?: string; replies: OutboundMessage[]; integrationId?: string | null }
  | { kind: 'ignored'; reason: string; userId?: string; integrationId?: string | null; policy?: boolean }
  | { kind: 'event'; note: string; events: HubEvent[] };

/** Context of one send. */
export interface SendContext {
  /** The integration the send goes through; null for channels without rows (console). */
  integration: IntegrationInfo | null;
  /** Stable across every attempt of this delivery; pass it to platforms that dedupe. */
  idempotencyKey: string;
  /** 1 for the first attempt. */
  attempt: number;
}

/**
 * A live preview of a reply while the agent writes it (an optional capability, {@link ChannelAdapter.stream}).
 * The preview is best effort; the reply itself still goes through the outbox as one durable send.
 */
export interface StreamSink {
  /** The whole text written so far. The sink decides how often the platform sees it (throttled); never throws. */
  update(text: string): void;
  /**
   * Stops previewing and waits for calls in flight. Returns the handle the final send needs to finish
   * the streamed message (put on {@link OutboundMessage.stream}), or undefined when the final reply
   * is a new message (a Telegram draft simply disappears).
   */
  finish(): Promise<Record<string, unknown> | undefined>;
}

/** What {@link ChannelAdapter.stream} is given. */
export interface StreamOptions {
  /**
   * Called once the platform created a streamed message, with the handle a final send needs. The
   * bus makes it durable before the stream goes on, so a restart can still finish that message.
   */
  onOpen(handle: Record<string, unknown>): Promise<void>;
}

/** What connecting produced: the row to store. `shown` is returned to the user once (a code, a secret). */
export interface ConnectResult {
  name: string;
  externalId?: string | null;
  config: Record<string, unknown>;
  secrets: Record<string, unknown>;
  shown?: Record<string, unknown>;
  /** Internal state to keep beside the new row (AdapterServices.state), by key; never shown. */
  state?: Record<string, unknown>;
  /**
   * One-time codes (`AdapterServices.linkCodes.draft`) stored in the same transaction as the row and
   * its state: a connect that fails leaves none behind, and the whole connect costs one commit.
   */
  linkCodes?: PendingLinkCode[];
}

/** Context of a connect call. */
export interface ConnectContext {
  userId: string;
  userEmail: string;
  /** The id the new integration will have (adapters that register webhooks need it). */
  integrationId: string;
  /**
   * Set when the credentials of an existing integration are replaced in place
   * (`PUT /v1/integrations/:id/credentials`): the row as it is now. Fields the input leaves out may
   * be kept from it (and from its secrets); `integrationId` is then its id.
   */
  replacing?: IntegrationInfo;
}

/** A raw HTTP request handed to an adapter's inbound route. The body is unparsed. */
export interface InboundHttpRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

/** What an inbound route answers. */
export interface InboundHttpResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send `body` as HTML/text rather than JSON: a full MIME type (`text/html`); text goes out as UTF-8. */
  contentType?: string;
}

/**
 * A public HTTP endpoint an adapter serves (platform webhooks, OAuth callbacks). Implement `handle`
 * (raw body in, answer out): those routes are served on node:http ahead of the express app (the
 * hub's fast lane), matched as express would match them. `handleRaw` gets Node's request and
 * response for libraries that insist on them (the route is mounted on the express app, and the
 * body is not read by the hub).
 */
export interface InboundRoute {
  method: 'get' | 'post';
  /** An express path of literal segments and `:params`, e.g. `/api/telegram/:integrationId/webhook`. */
  path: string;
  /** Body cap in bytes; larger bodies answer 413 before the adapter sees them. Default 1 MiB. */
  maxBodyBytes?: number;
  handle?(req: InboundHttpRequest): Promise<InboundHttpResponse>;
  handleRaw?(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** The caller of an authenticated adapter action (a user API key). */
export interface ActionCaller {
  userId: string;
  userEmail: string;
}

/** What an action answers: JSON with a status (default 200). */
export interface ActionResult {
  status?: number;
  body: unknown;
}

/**
 * An authenticated REST action of a channel. Type actions are mounted at
 * `<METHOD> /v1/integrations/<type>/<action>` (e.g. `POST /v1/integrations/telegram/pair`);
 * integration actions at `POST /v1/integrations/:id/<action>` for rows of this type
 * (e.g. `POST /v1/integrations/:id/link-code`). Throw HubErrors for failures.
 */
export interface TypeAction {
  method: 'get' | 'post';
  handle(caller: ActionCaller, body: Record<string, unknown>): Promise<ActionResult>;
}

/** See {@link TypeAction}. The integration is already checked to belong to the caller. */
export interface IntegrationAction {
  handle(integration: IntegrationInfo, caller: ActionCaller, body: Record<string, unknown>): Promise<ActionResult>;
}

/**
 * The contract every channel implements. Only `name`, `capabilities` and `send` are required;
 * inbound, connect and disconnect are capabilities a channel may have.
 */
export interface ChannelAdapter {
  /** The registry key, e.g. `telegram`. */
  readonly name: string;
  readonly capabilities: ChannelCapabilities;
  /** Sends one message. Throws a ChannelError (retry after / refused / unreachable) when it does not go out. */
  send(message: OutboundMessage, ctx: SendContext): Promise<SendResult>;
  /** Turns a committed inbox event into a decision. Must not throw for unsupported input: return `ignored`. */
  interpret?(event: InboxEventView): Promise<InboundDecision>;
  /** Shows the person that the agent is working (typing…). Best effort. */
  working?(message: InboundMessage): Promise<void>;
  /**
   * Starts a live preview of the reply to `message` (Telegram drafts in private chats, Slack's
   * streaming messages), or undefined where the platform has none (the typing indicator stays).
   */
  stream?(message: InboundMessage, options: StreamOptions): StreamSink | undefined;
  /** Validates credentials with the platform and returns what to store. Throws HubError-like errors with a status. */
  connect?(input: Record<string, unknown>, ctx: ConnectContext): Promise<ConnectResult>;
  /**
   * Checks settings a user PATCHes (DM policy…) and returns them to merge into the integration's config.
   * Throws a BadRequestError naming the field when one is wrong or unknown.
   */
  validateSettings?(settings: Record<string, unknown>, integration: IntegrationInfo): Record<string, unknown>;
  /**
   * Called after replaced credentials were committed (see {@link ConnectContext.replacing}): drop
   * caches of the old ones, restart pollers.
   */
  credentialsReplaced?(integration: IntegrationInfo): Promise<void>;
  /** Revokes what the platform holds for an integration (webhooks, tokens). Best effort; must not throw on a dead token. */
  disconnect?(integration: IntegrationInfo): Promise<void>;
  /** The target for a notification to the integration's owner (their DM, chat, address). */
  notifyTarget?(integration: IntegrationInfo): Promise<Record<string, unknown>>;
  /**
   * Checks a notification before it is queued, for limits splitting cannot help with (a webhook
   * body's size). Throws a HubError (400 naming the limit) to refuse; nothing is written then.
   */
  checkOutbound?(message: OutboundMessage, integration: IntegrationInfo): void;
  /** Key under which sends are serialised (a chat); default: the integration. */
  orderingKey?(message: OutboundMessage, integrationId: string | null): string;
  /** Public endpoints (webhooks) of this channel. */
  routes?: InboundRoute[];
  /** Authenticated REST actions on the channel type, by action name. */
  typeActions?: Record<string, TypeAction>;
  /** Authenticated REST actions on one integration of this type, by action name. */
  integrationActions?: Record<string, IntegrationAction>;
  /** Tools a data source offers to the profiles its integrations are granted to (see {@link DataSourceTool}). */
  tools?: readonly DataSourceTool[];
  /** Starts background work (pollers); called once when the hub starts. */
  start?(): Promise<void>;
  /** Stops background work. */
  stop?(): Promise<void>;
}

/**
 * Everything an adapter factory is given. Its settings are `services.config`: the hub-wide
 * non-secret values and its own slice (read with its declaration's `of`).
 */
export interface AdapterDeps {
  services: AdapterServices;
}

/** Builds an adapter. */
export type AdapterFactory = (deps: AdapterDeps) => ChannelAdapter;

/**
 * One row of the channel registry (`adapters/index.ts`): the factory and, beside it, the settings
 * slice the adapter declares (parsed from the environment at start-up; none when absent).
 */
export interface AdapterRegistration {
  readonly config?: AdapterConfig<object>;
  readonly create: AdapterFactory;
}
