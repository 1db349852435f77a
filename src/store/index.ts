import type { Kysely } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { Db, Dialect } from './db.ts';
import { GrantsRepo } from './grants.ts';
import { IdentityLinksRepo } from './identity-links.ts';
import { InboxRepo } from './inbox.ts';
import { IntegrationStateRepo } from './integration-state.ts';
import { IntegrationsRepo } from './integrations.ts';
import { LeasesRepo } from './leases.ts';
import { LinkCodesRepo } from './link-codes.ts';
import { MessagesRepo } from './messages.ts';
import { ClaimsRepo, NotificationsRepo } from './notifications.ts';
import { OutboxRepo } from './outbox.ts';
import { ProfilesRepo } from './profiles.ts';
import { RateLimitsRepo } from './rate-limits.ts';
import type { Database } from './schema.ts';
import { SessionsRepo } from './sessions.ts';
import { ThreadsRepo } from './threads.ts';
import { TriggersRepo } from './triggers.ts';
import { UsersRepo } from './users.ts';

/** Every repository over one connection or transaction. The rest of the hub talks to the database only through this. */
export interface Store {
  readonly dialect: Dialect;
  readonly users: UsersRepo;
  readonly profiles: ProfilesRepo;
  readonly integrations: IntegrationsRepo;
  /** Adapters' internal state per integration, kept out of its config. */
  readonly state: IntegrationStateRepo;
  readonly grants: GrantsRepo;
  readonly links: IdentityLinksRepo;
  readonly threads: ThreadsRepo;
  readonly messages: MessagesRepo;
  readonly inbox: InboxRepo;
  readonly outbox: OutboxRepo;
  readonly notifications: NotificationsRepo;
  readonly claims: ClaimsRepo;
  readonly linkCodes: LinkCodesRepo;
  /** Triggers and their schedule state. */
  readonly triggers: TriggersRepo;
  /** Named leases replicas share (one poller per bot…). */
  readonly leases: LeasesRepo;
  /** The shared send limiter (PostgreSQL; SQLite paces in memory). */
  readonly rateLimits: RateLimitsRepo;
  /** Dashboard sign-in sessions. */
  readonly sessions: SessionsRepo;
  /** Runs `fn` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

function build(kysely: Kysely<Database>, dialect: Dialect, envelope: Envelope, inTx: boolean): Store {
  return {
    dialect,
    users: new UsersRepo(kysely),
    profiles: new ProfilesRepo(kysely, envelope),
    integrations: new IntegrationsRepo(kysely, envelope),
    state: new IntegrationStateRepo(kysely),
    grants: new GrantsRepo(kysely),
    links: new IdentityLinksRepo(kysely),
    threads: new ThreadsRepo(kysely),
    messages: new MessagesRepo(kysely),
    inbox: new InboxRepo(kysely, dialect),
    outbox: new OutboxRepo(kysely, dialect),
    notifications: new NotificationsRepo(kysely),
    claims: new ClaimsRepo(kysely),
    linkCodes: new LinkCodesRepo(kysely),
    triggers: new TriggersRepo(kysely, envelope),
    leases: new LeasesRepo(kysely, dialect),
    rateLimits: new RateLimitsRepo(kysely),
    sessions: new SessionsRepo(kysely),
    transaction: (fn) =>
      inTx
        ? fn(build(kysely, dialect, envelope, true))
        : kysely.transaction().execute((trx) => fn(build(trx, dialect, envelope, true))),
  };
}

/** Builds the store over an open database. */
export function createStore(db: Db, envelope: Envelope): Store {
  return build(db.kysely, db.dialect, envelope, false);
}

export type { Db } from './db.ts';
export { openDatabase, migrate, isDatabaseUnavailable, DatabaseInUseError } from './db.ts';
