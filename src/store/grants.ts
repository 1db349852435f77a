import type { Kysely } from 'kysely';
import type { ReadCache } from './read-cache.ts';
import type { Database } from './schema.ts';
import { toIntegration, type Integration } from './integrations.ts';

/** Integration ↔ profile grants: the scope model. */
export class GrantsRepo {
  constructor(
    private readonly db: Kysely<Database>,
    /** Serves {@link profilesOf} outside transactions. */
    private readonly cache?: ReadCache,
  ) {}

  /** Grants an integration to a profile (idempotent). */
  async grant(profileId: string, integrationId: string): Promise<void> {
    await this.db
      .insertInto('grants')
      .values({ profile_id: profileId, integration_id: integrationId, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['profile_id', 'integration_id']).doNothing())
      .execute();
  }

  /** Revokes a grant; true when it existed. */
  async revoke(profileId: string, integrationId: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('grants')
      .where('profile_id', '=', profileId)
      .where('integration_id', '=', integrationId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Whether a profile may use an integration. */
  async has(profileId: string, integrationId: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('grants')
      .select('profile_id')
      .where('profile_id', '=', profileId)
      .where('integration_id', '=', integrationId)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** The integrations granted to a profile. */
  async integrationsOf(profileId: string): Promise<Integration[]> {
    const rows = await this.db
      .selectFrom('grants')
      .innerJoin('user_integrations', 'user_integrations.id', 'grants.integration_id')
      .selectAll('user_integrations')
      .where('grants.profile_id', '=', profileId)
      .orderBy('grants.created_at')
      .execute();
    return rows.map(toIntegration);
  }

  /** Ids of the profiles an integration is granted to, oldest grant first. */
  async profilesOf(integrationId: string): Promise<string[]> {
    return this.cache ? this.cache.get('grants', `of:${integrationId}`, () => this.loadProfilesOf(integrationId)) : this.loadProfilesOf(integrationId);
  }

  private async loadProfilesOf(integrationId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('grants')
      .select('profile_id')
      .where('integration_id', '=', integrationId)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.profile_id);
  }
}
