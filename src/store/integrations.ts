import type { Kysely, Selectable } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import type { IntegrationInfo } from '../channel/services.ts';
import { newId } from '../crypto/tokens.ts';
import { parseJson } from './json.ts';
import type { Database, UserIntegrationsTable } from './schema.ts';

/** An integration row as stored (secrets sealed). */
export type IntegrationRow = Selectable<UserIntegrationsTable>;

/** An integration with its settings parsed. Secrets are opened only on request. */
export type Integration = IntegrationInfo;

/** Where an integration's secrets are sealed: binds the ciphertext to its row. */
export const integrationSecretContext = (id: string) => `user_integrations.secrets:${id}`;

/** Turns a row into an {@link Integration}. */
export function toIntegration(r: IntegrationRow): Integration {
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
  isDefault?: boolean;
  config?: Record<string, unknown>;
  secrets?: Record<string, unknown>;
}

/** The `user_integrations` rows. Reads by id take the owner, so another user's id is not found. */
export class IntegrationsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly envelope: Envelope,
  ) {}

  async create(input: NewIntegration): Promise<Integration> {
    const id = input.id ?? newId('int');
    const now = Date.now();
    const row: IntegrationRow = {
      id,
      user_id: input.userId,
      type: input.type,
      name: input.name,
      external_id: input.externalId ?? null,
      is_default: input.isDefault ? 1 : 0,
      status: 'active',
      status_reason: null,
      config: JSON.stringify(input.config ?? {}),
      secrets: input.secrets ? this.envelope.sealJson(input.secrets, integrationSecretContext(id)) : null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('user_integrations').values(row).execute();
    return toIntegration(row);
  }

  /** A user's integration by id, or undefined (also for another user's id). */
  async get(userId: string, id: string): Promise<Integration | undefined> {
    const r = await this.db.selectFrom('user_integrations').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return r && toIntegration(r);
  }

  /** Internal lookup without tenancy (adapters and workers). */
  async byId(id: string): Promise<Integration | undefined> {
    const r = await this.db.selectFrom('user_integrations').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toIntegration(r);
  }

  /** Internal lookup of a connected thing by the platform's id (a bot id, a team id). */
  async byExternalId(type: string, externalId: string): Promise<Integration[]> {
    const rows = await this.db
      .selectFrom('user_integrations')
      .selectAll()
      .where('type', '=', type)
      .where('external_id', '=', externalId)
      .execute();
    return rows.map(toIntegration);
  }

  async list(userId: string, type?: string): Promise<Integration[]> {
    let q = this.db.selectFrom('user_integrations').selectAll().where('user_id', '=', userId);
    if (type) q = q.where('type', '=', type);
    return (await q.orderBy('created_at').execute()).map(toIntegration);
  }

  /** Every integration of a type (workers start pollers etc.). */
  async listByType(type: string): Promise<Integration[]> {
    const rows = await this.db.selectFrom('user_integrations').selectAll().where('type', '=', type).orderBy('created_at').execute();
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

  /** Changes name, default flag or settings (merged). Making one default clears the flag on the user's others of that type. */
  async update(
    userId: string,
    id: string,
    patch: { name?: string; isDefault?: boolean; config?: Record<string, unknown> },
  ): Promise<Integration | undefined> {
    const current = await this.get(userId, id);
    if (!current) return undefined;
    if (patch.isDefault) {
      await this.db
        .updateTable('user_integrations')
        .set({ is_default: 0 })
        .where('user_id', '=', userId)
        .where('type', '=', current.type)
        .execute();
    }
    await this.db
      .updateTable('user_integrations')
      .set({
        name: patch.name ?? current.name,
        is_default: patch.isDefault === undefined ? (current.isDefault ? 1 : 0) : patch.isDefault ? 1 : 0,
        config: JSON.stringify({ ...current.config, ...(patch.config ?? {}) }),
        updated_at: Date.now(),
      })
      .where('id', '=', id)
      .execute();
    return this.get(userId, id);
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
