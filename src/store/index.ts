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
import { StatusCountsRepo } from './status-counts.ts';
import { ThreadsRepo } from './threads.ts';
import { TriggersRepo } from './triggers.ts';
import { TurnOutcomesRepo } from './turn-outcomes.ts';
import { UsersRepo } from './users.ts';
import { WriteTracker } from './write-tracker.ts';

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
  /** The end of a turn, written together (one statement on PostgreSQL). */
  readonly turns: TurnOutcomesRepo;
  /** Inbox and outbox rows per status (the depth gauges; benchmarks and tests). */
  readonly counts: StatusCountsRepo;
  /** Runs `fn` in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
}

/**
 * The store over `kysely`. Outside a transaction (`db` given) the hot-path reads go through the
 * database's read cache; inside one (`db` undefined) every read sees the transaction's own writes.
 */
function build(kysely: Kysely<Database>, dialect: Dialect, envelope: Envelope, db: Db | undefined): Store {
  const cache = db?.cache;
  return {
    dialect,
    users: new UsersRepo(kysely),
    profiles: new ProfilesRepo(kysely, envelope, cache),
    integrations: new IntegrationsRepo(kysely, envelope, cache),
    state: new IntegrationStateRepo(kysely, cache),
    grants: new GrantsRepo(kysely, cache),
    links: new IdentityLinksRepo(kysely, cache),
    threads: new ThreadsRepo(kysely, cache),
    messages: new MessagesRepo(kysely),
    inbox: new InboxRepo(kysely, dialect),
    outbox: new OutboxRepo(kysely, dialect),
    notifications: new NotificationsRepo(kysely),
    claims: new ClaimsRepo(kysely),
    linkCodes: new LinkCodesRepo(kysely),
    triggers: new TriggersRepo(kysely, envelope, cache),
    leases: new LeasesRepo(kysely, dialect),
    rateLimits: new RateLimitsRepo(kysely),
    sessions: new SessionsRepo(kysely),
    turns: new TurnOutcomesRepo(kysely, dialect),
    counts: new StatusCountsRepo(kysely),
    transaction: (fn) => (db ? runTransaction(db, kysely, envelope, fn) : fn(build(kysely, dialect, envelope, undefined))),
  };
}

/**
 * One transaction. The cached tables it writes are announced to the other replicas inside it (so
 * the news arrives with the commit) and marked stale here once it committed: a read that ran
 * beside the transaction cannot keep what it read before the commit.
 */
async function runTransaction<T>(db: Db, kysely: Kysely<Database>, envelope: Envelope, fn: (tx: Store) => Promise<T>): Promise<T> {
  const written = new Set<string>();
  try {
    return await kysely.transaction().execute(async (trx) => {
      const tracked = trx.withPlugin(new WriteTracker((t) => t.forEach((x) => written.add(x))));
      const out = await fn(build(tracked, db.dialect, envelope, undefined));
      if (written.size) await db.announce(trx, written);
      return out;
    });
  } finally {
    if (written.size) db.cache.written(written);
  }
}

/** Builds the store over an open database. */
export function createStore(db: Db, envelope: Envelope): Store {
  return build(db.kysely, db.dialect, envelope, db);
}

export type { Db } from './db.ts';
export { openDatabase, migrate, isDatabaseUnavailable, DatabaseInUseError } from './db.ts';
