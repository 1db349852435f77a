import { sql, type Kysely } from 'kysely';
import { hasKeyPrefix, likePrefix } from './key-prefix.ts';
import type { ReadCache } from './read-cache.ts';
import type { Database } from './schema.ts';

/**
 * The `integration_state` rows: an adapter's internal state about one integration (thread epochs, a bot's
 * getMe answer), one row per key, kept out of the config the API shows. Deleted with the integration.
 */
export class IntegrationStateRepo {
  constructor(
    private readonly db: Kysely<Database>,
    /** Serves {@link get} outside transactions. */
    private readonly cache?: ReadCache,
  ) {}

  /** The value under a key (parsed JSON), or undefined when none was set. */
  async get<T = unknown>(integrationId: string, key: string): Promise<T | undefined> {
    return this.cache ? this.cache.get('integration_state', `${integrationId}|${key}`, () => this.load<T>(integrationId, key)) : this.load<T>(integrationId, key);
  }

  private async load<T>(integrationId: string, key: string): Promise<T | undefined> {
    const r = await this.db
      .selectFrom('integration_state')
      .select('value')
      .where('integration_id', '=', integrationId)
      .where('key', '=', key)
      .executeTakeFirst();
    return r ? (JSON.parse(r.value) as T) : undefined;
  }

  /** Sets (or replaces) the value under a key; `value` must be JSON-serialisable. */
  async set(integrationId: string, key: string, value: unknown): Promise<void> {
    const now = Date.now();
    const text = JSON.stringify(value);
    await this.db
      .insertInto('integration_state')
      .values({ integration_id: integrationId, key, value: text, updated_at: now })
      .onConflict((oc) => oc.columns(['integration_id', 'key']).doUpdateSet({ value: text, updated_at: now }))
      .execute();
  }

  /**
   * Adds one to the integer under a key (0 when unset) in one SQL statement and returns the new value,
   * so concurrent bumps, in one process or across replicas, never lose a step.
   */
  async bump(integrationId: string, key: string): Promise<number> {
    const now = Date.now();
    const r = await this.db
      .insertInto('integration_state')
      .values({ integration_id: integrationId, key, value: '1', updated_at: now })
      .onConflict((oc) =>
        oc.columns(['integration_id', 'key']).doUpdateSet({
          value: sql<string>`cast(cast(integration_state.value as bigint) + 1 as text)`,
          updated_at: now,
        }),
      )
      .returning('value')
      .executeTakeFirstOrThrow();
    return Number(r.value);
  }

  /**
   * Renames every key that is `fromPrefix` or continues it after a separator to start with
   * `toPrefix`; where the new key exists already it is kept and the old one dropped. Run it in a
   * transaction. Resolves with how many keys were moved.
   */
  async moveKeys(integrationId: string, fromPrefix: string, toPrefix: string): Promise<number> {
    const rows = await this.db
      .selectFrom('integration_state')
      .select(['key', 'value'])
      .where('integration_id', '=', integrationId)
      .where(sql<boolean>`key like ${likePrefix(fromPrefix)} escape '\\'`)
      .execute();
    let moved = 0;
    for (const r of rows.filter((row) => hasKeyPrefix(row.key, fromPrefix))) {
      const next = toPrefix + r.key.slice(fromPrefix.length);
      await this.db
        .insertInto('integration_state')
        .values({ integration_id: integrationId, key: next, value: r.value, updated_at: Date.now() })
        .onConflict((oc) => oc.columns(['integration_id', 'key']).doNothing())
        .execute();
      await this.delete(integrationId, r.key);
      moved++;
    }
    return moved;
  }

  /** Removes a key; true when it existed. */
  async delete(integrationId: string, key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('integration_state').where('integration_id', '=', integrationId).where('key', '=', key).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }
}
