import { sql, type Kysely } from 'kysely';
import type { Dialect } from './db.ts';
import type { Database } from './schema.ts';

/** A `leases` row: who holds a named lease and until when (epoch ms, the database's clock). */
interface LeasesTable {
  name: string;
  owner: string;
  expires_at: number;
}

/**
 * Named leases (`telegram-poll:<integrationId>`…): at most one owner at a time, until it stops
 * renewing and the lease runs out. Times come from the database's clock, so replicas whose clocks
 * differ still agree on who holds what.
 */
export class LeasesRepo {
  private readonly db: Kysely<Database & { leases: LeasesTable }>;
  private readonly now;

  constructor(db: Kysely<Database>, dialect: Dialect) {
    this.db = db.withTables<{ leases: LeasesTable }>();
    this.now = dialect === 'postgres' ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`cast(unixepoch('subsec') * 1000 as integer)`;
  }

  /**
   * Takes the lease for `owner` for `ttlMs` when it is free or expired, or renews it when `owner`
   * holds it already. One statement; resolves true when `owner` holds it afterwards.
   */
  async acquire(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const row = await this.db
      .insertInto('leases')
      .values({ name, owner, expires_at: sql<number>`${this.now} + ${Math.ceil(ttlMs)}` })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet((eb) => ({ owner: eb.ref('excluded.owner'), expires_at: eb.ref('excluded.expires_at') }))
          .where((eb) => eb.or([eb('leases.owner', '=', eb.ref('excluded.owner')), eb('leases.expires_at', '<=', this.now)])),
      )
      .returning('owner')
      .executeTakeFirst();
    return row?.owner === owner;
  }

  /** Gives the lease up, if `owner` holds it. */
  async release(name: string, owner: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', owner).execute();
  }

  /** The owner of a lease that has not run out, or undefined. */
  async holder(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('leases').select('owner').where('name', '=', name).where('expires_at', '>', this.now).executeTakeFirst();
    return row?.owner;
  }
}
