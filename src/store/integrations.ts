import { sql, type Kysely, type Selectable } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { IntegrationInfo } from '../channel/services.ts';
import { newId } from '../crypto/tokens.ts';
import { ConflictError } from '../errors.ts';
import { parseJson } from './json.ts';
import { isPostgres } from './migrations/helpers.ts';
import type { ReadCache } from './read-cache.ts';
import type { Database, UserIntegrationsTable } from './schema.ts';

/** An integration row as stored (secrets sealed). */
export type IntegrationRow = Selectable<UserIntegrationsTable>;

/** An integration with its settings parsed. Secrets are opened only on request. */
export type Integration = IntegrationInfo;

/** Where an integration's secrets are sealed: binds the ciphertext to its row. */
export const integrationSecretContext = (id: string) => `user_integrations.secrets:${id}`;

/** The columns an {@link Integration} is made of: never the sealed secrets (reads stay small). */
const INFO_COLUMNS = ['id', 'user_id', 'type', 'name', 'external_id', 'is_default', 'status', 'status_reason', 'config', 'created_at', 'updated_at'] as const;

/** Turns a row into an {@link Integration}. */
export function toIntegration(r: Omit<IntegrationRow, 'secrets' | 'single_row'>): Integration {
  return {
    id: r.id,
    userId: r.user_id,
    type: r.type,
    name: r.name,
    externalId: r.external_id,
    isDefault: Number(r.is_default) === 1,
    status: r.status === 'unhealthy' ? 'unhealthy' : 'active',
    statusReason: r.status_reason,
    config: parseJson(r.config, {}),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Input of {@link IntegrationsRepo.create}. */
export interface NewIntegration {
  id?: string;
  userId: string;
  type: string;
  name: string;
  externalId?: string | null;
  /** Become the user's default of this type if they have none yet (decided atomically). Default false. */
  isDefault?: boolean;
  /** The type allows one row per user: a second one is refused (409 `integration_exists`). Default false. */
  singleRow?: boolean;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** Whether `e` is the database refusing a second row of a single-row type (index `user_integrations_single_row`). */
function isSingleRowViolation(e: unknown): boolean {
  const err = e as { code?: unknown; constraint?: unknown; message?: unknown };
  if (err?.code === '23505') return err.constraint === 'user_integrations_single_row';
  // SQLite names the columns, not the index; the default index cannot fire here (its insert is an upsert).
  return err?.code === 'SQLITE_CONSTRAINT_UNIQUE' && String(err.message).includes('user_integrations.user_id, user_integrations.type');
}

/** The `user_integrations` rows. Reads by id take the owner, so another user's id is not found. */
export class IntegrationsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly envelope: Envelope,
    /** Serves {@link byId} outside transactions. */
    private readonly cache?: ReadCache,
  ) {}

  /**
   * Inserts a row. With `isDefault` it becomes the default only if the user has no default of the type
   * (an upsert on the one-default index, so two concurrent creates never both win). With `singleRow`
   * a second row of the type for the user is refused with a ConflictError (`integration_exists`).
   */
  async create(input: NewIntegration): Promise<Integration> {
    const id = input.id ?? newId('int');
    const now = Date.now();
    const row: IntegrationRow = {
      id,
      user_id: input.userId,
      type: input.type,
      name: input.name,
      external_id: input.externalId ?? null,
      is_default: 0,
      single_row: input.singleRow ? 1 : 0,
      status: 'active',
      status_reason: null,
      config: JSON.stringify(input.config ?? {}),
      secrets: input.secrets ? this.envelope.sealJson(input.secrets, integrationSecretContext(id)) : null,
      created_at: now,
      updated_at: now,
    };
    try {
      if (input.isDefault) {
        // One statement whether this is the user's first row of the type or their thousandth: the row
        // is the default when none exists (decided in the insert); a concurrent create that took the
        // default first makes this insert do nothing, and the row goes in as a non-default.
        const noDefault = sql<number>`case when exists ${this.db
          .selectFrom('user_integrations')
          .select(sql`1`.as('one'))
          .where('user_id', '=', row.user_id)
          .where('type', '=', row.type)
          .where('is_default', '=', 1)} then 0 else 1 end`;
        const won = await this.db
          .insertInto('user_integrations')
          .values({ ...row, is_default: noDefault })
          .onConflict((oc) => oc.columns(['user_id', 'type']).where(sql<boolean>`is_default = 1`).doNothing())
          .returning('is_default')
          .executeTakeFirst();
        if (won) return toIntegration({ ...row, is_default: Number(won.is_default) });
      }
      await this.db.insertInto('user_integrations').values(row).execute();
    } catch (e) {
      if (isSingleRowViolation(e)) throw new ConflictError(`You already have a ${input.type} integration; update or disconnect it first`, 'integration_exists');
      throw e;
    }
    return toIntegration(row);
  }

  /** A user's integration by id, or undefined (also for another user's id). */
  async get(userId: string, id: string): Promise<Integration | undefined> {
    const r = await this.db.selectFrom('user_integrations').select(INFO_COLUMNS).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return r && toIntegration(r);
  }

  /** Internal lookup without tenancy (adapters and workers). */
  async byId(id: string): Promise<Integration | undefined> {
    const load = async () => {
      const r = await this.db.selectFrom('user_integrations').select(INFO_COLUMNS).where('id', '=', id).executeTakeFirst();
      return r && toIntegration(r);
    };
    return this.cache ? this.cache.get('user_integrations', `id:${id}`, load) : load();
  }

  /** Internal lookup of a connected thing by the platform's id (a bot id, a team id). */
  async byExternalId(type: string, externalId: string): Promise<Integration[]> {
    const rows = await this.db
      .selectFrom('user_integrations')
      .select(INFO_COLUMNS)
      .where('type', '=', type)
      .where('external_id', '=', externalId)
      .execute();
    return rows.map(toIntegration);
  }

  /**
   * Whether the user has any integration of a type: one index probe (`user_integrations_pick`),
   * whatever the number of rows.
   */
  async exists(userId: string, type: string): Promise<{ id: string } | undefined> {
    return this.db.selectFrom('user_integrations').select('id').where('user_id', '=', userId).where('type', '=', type).limit(1).executeTakeFirst();
  }

  /**
   * The user's default integration of a type, else their oldest one, else undefined: one indexed
   * read of one row (`user_integrations_pick`), whatever the number of rows.
   */
  async defaultOf(userId: string, type: string): Promise<Integration | undefined> {
    const r = await this.db
      .selectFrom('user_integrations')
      .select(INFO_COLUMNS)
      .where('user_id', '=', userId)
      .where('type', '=', type)
      .orderBy('is_default', 'desc')
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst();
    return r && toIntegration(r);
  }

  /** The user's integration of a type with the platform's id `externalId`, or undefined (index `user_integrations_external`). */
  async ofUserByExternalId(userId: string, type: string, externalId: string): Promise<Integration | undefined> {
    const r = await this.db
      .selectFrom('user_integrations')
      .select(INFO_COLUMNS)
      .where('type', '=', type)
      .where('external_id', '=', externalId)
      .where('user_id', '=', userId)
      .limit(1)
      .executeTakeFirst();
    return r && toIntegration(r);
  }

  /** A user's integrations (of a type), oldest first. Reads every row: not for per-request paths. */
  async list(userId: string, type?: string): Promise<Integration[]> {
    let q = this.db.selectFrom('user_integrations').select(INFO_COLUMNS).where('user_id', '=', userId);
    if (type) q = q.where('type', '=', type);
    return (await q.orderBy('created_at').execute()).map(toIntegration);
  }

  /** Every integration of a type (workers start pollers etc.). */
  async listByType(type: string): Promise<Integration[]> {
    const rows = await this.db.selectFrom('user_integrations').select(INFO_COLUMNS).where('type', '=', type).orderBy('created_at').execute();
    return rows.map(toIntegration);
  }

  /** The opened secrets of an integration. */
  async secrets<T = Record<string, unknown>>(id: string): Promise<T | undefined> {
    const r = await this.db.selectFrom('user_integrations').select('secrets').where('id', '=', id).executeTakeFirst();
    return r?.secrets ? this.envelope.openJson<T>(r.secrets, integrationSecretContext(id)) : undefined;
  }

  /** Replaces the secrets of an integration. */
  async setSecrets(id: string, secrets: Record<string, unknown> | null): Promise<void> {
    await this.db
      .updateTable('user_integrations')
      .set({ secrets: secrets ? this.envelope.sealJson(secrets, integrationSecretContext(id)) : null, updated_at: Date.now() })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Changes name, default flag, external id or settings (merged shallowly into the stored config), in one
   * transaction: the row is read and locked (`FOR UPDATE` on PostgreSQL; SQLite has one writer), so
   * concurrent patches all land. Making one default clears the flag on the user's others of that type
   * in the same transaction, under a lock on all of them taken in id order.
   */
  async update(
    userId: string,
    id: string,
    patch: { name?: string; isDefault?: boolean; config?: Record<string, unknown>; externalId?: string | null },
  ): Promise<Integration | undefined> {
    return this.inTransaction(async (db) => {
      const pg = isPostgres(db);
      const mine = db.selectFrom('user_integrations').selectAll().where('user_id', '=', userId);
      let current: IntegrationRow | undefined;
      if (patch.isDefault) {
        const type = (await mine.select('type').where('id', '=', id).executeTakeFirst())?.type;
        if (type === undefined) return undefined;
        const siblings = mine.where('type', '=', type).orderBy('id');
        current = (await (pg ? siblings.forUpdate() : siblings).execute()).find((r) => r.id === id);
      } else {
        const one = mine.where('id', '=', id);
        current = await (pg ? one.forUpdate() : one).executeTakeFirst();
      }
      if (!current) return undefined;
      if (patch.isDefault) {
        await db
          .updateTable('user_integrations')
          .set({ is_default: 0 })
          .where('user_id', '=', userId)
          .where('type', '=', current.type)
          .where('is_default', '=', 1)
          .where('id', '<>', id)
          .execute();
      }
      const next: IntegrationRow = {
        ...current,
        name: patch.name ?? current.name,
        is_default: patch.isDefault === undefined ? Number(current.is_default) : patch.isDefault ? 1 : 0,
        config: patch.config ? JSON.stringify({ ...parseJson(current.config, {}), ...patch.config }) : current.config,
        external_id: patch.externalId === undefined ? current.external_id : patch.externalId,
        updated_at: Date.now(),
      };
      await db
        .updateTable('user_integrations')
        .set({ name: next.name, is_default: next.is_default, config: next.config, external_id: next.external_id, updated_at: next.updated_at })
        .where('id', '=', id)
        .execute();
      return toIntegration(next);
    });
  }

  /** Runs `fn` in a transaction, or in the caller's when this repo is already inside one. */
  private inTransaction<T>(fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.isTransaction ? fn(this.db) : this.db.transaction().execute(fn);
  }

  /** Marks an integration healthy or not, with a reason shown to the user. */
  async setStatus(id: string, status: 'active' | 'unhealthy', reason: string | null): Promise<void> {
    await this.db.updateTable('user_integrations').set({ status, status_reason: reason, updated_at: Date.now() }).where('id', '=', id).execute();
  }

  /** Deletes an integration (its grants and links cascade). */
  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('user_integrations').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
