import type { Kysely, Selectable } from 'kysely';
import { hashToken, newId } from '../crypto/tokens.ts';
import type { ApiKeysTable, Database, UsersTable } from './schema.ts';

/** An API key row as the API may show it: never the key, never its hash. */
export type ApiKeyInfo = Omit<Selectable<ApiKeysTable>, 'key_hash'>;

/** How many characters of a key are kept as its hint (`sb_` + 4). */
export const KEY_HINT_LENGTH = 7;

/** How stale `last_used_at` may get before a use writes it again: one minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const INFO_COLUMNS = ['id', 'user_id', 'name', 'hint', 'created_at', 'last_used_at', 'is_bootstrap'] as const;

/** Users' API keys, stored as SHA-256 hashes only. */
export class ApiKeysRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Stores the hash of `key` for a user under a name; returns the row without the hash. */
  async add(userId: string, key: string, o: { name?: string; bootstrap?: boolean } = {}): Promise<ApiKeyInfo> {
    const { row, info } = keyRow(userId, key, o);
    await this.db.insertInto('api_keys').values(row).execute();
    return info;
  }


  /** The key row and its user for a presented key, or undefined. */
  async find(key: string): Promise<{ key: ApiKeyInfo; user: Selectable<UsersTable> } | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .selectAll('users')
      .select(['api_keys.id as key_id', 'api_keys.name as key_name', 'api_keys.hint', 'api_keys.created_at as key_created_at', 'api_keys.last_used_at', 'api_keys.is_bootstrap'])
      .where('api_keys.key_hash', '=', hashToken(key))
      .executeTakeFirst();
    if (!row) return undefined;
    const { key_id, key_name, hint, key_created_at, last_used_at, is_bootstrap, ...user } = row;
    return {
      key: { id: key_id, user_id: user.id, name: key_name, hint, created_at: Number(key_created_at), last_used_at: last_used_at === null ? null : Number(last_used_at), is_bootstrap: Number(is_bootstrap) },
      user,
    };
  }

  /** A user's keys, oldest first. */
  async list(userId: string): Promise<ApiKeyInfo[]> {
    const rows = await this.db.selectFrom('api_keys').select(INFO_COLUMNS).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => ({ ...r, created_at: Number(r.created_at), last_used_at: r.last_used_at === null ? null : Number(r.last_used_at), is_bootstrap: Number(r.is_bootstrap) }));
  }

  /** How many keys a user has. */
  async count(userId: string): Promise<number> {
    const r = await this.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Deletes one of a user's keys; false when the user has no key with that id. */
  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('api_keys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Records a use of a key at `now` (epoch ms) unless one was recorded within
   * {@link LAST_USED_RESOLUTION_MS}; the condition is in SQL, so replicas write at most once a minute too.
   */
  async touch(id: string, now = Date.now()): Promise<void> {
    await this.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', now - LAST_USED_RESOLUTION_MS)]))
      .execute();
  }

  /**
   * Makes `key` the one bootstrap key of `userId`: deletes any other key flagged as bootstrap and
   * stores this one flagged. Run it inside a transaction so the swap is atomic; a replica that
   * stored the same key a moment earlier is not an error.
   */
  async replaceBootstrap(userId: string, key: string): Promise<void> {
    await this.db.deleteFrom('api_keys').where('is_bootstrap', '=', 1).execute();
    const { row } = keyRow(userId, key, { name: BOOTSTRAP_KEY_NAME, bootstrap: true });
    await this.db.insertInto('api_keys').values(row).onConflict((oc) => oc.column('key_hash').doNothing()).execute();
  }

  /** Flags an existing key as the bootstrap key (a key from before flags existed). */
  async markBootstrap(id: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ is_bootstrap: 1, name: BOOTSTRAP_KEY_NAME }).where('id', '=', id).execute();
  }
}

/** The name of the key SWITCHBOARD_ADMIN_KEY manages. */
export const BOOTSTRAP_KEY_NAME = 'SWITCHBOARD_ADMIN_KEY';

/** A new key row, and the same without its hash. */
function keyRow(userId: string, key: string, o: { name?: string; bootstrap?: boolean }): { row: Selectable<ApiKeysTable>; info: ApiKeyInfo } {
  const info: ApiKeyInfo = {
    id: newId('key'),
    user_id: userId,
    hint: key.slice(0, KEY_HINT_LENGTH),
    name: o.name ?? 'default',
    is_bootstrap: o.bootstrap ? 1 : 0,
    created_at: Date.now(),
    last_used_at: null,
  };
  return { row: { ...info, key_hash: hashToken(key) }, info };
}
