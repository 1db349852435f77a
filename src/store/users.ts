import type { Kysely, Selectable } from 'kysely';
import { hashToken, newId } from '../crypto/tokens.ts';
import type { Database, UsersTable } from './schema.ts';

/** A user row. */
export type UserRow = Selectable<UsersTable>;

/** Users and their API keys (hashes only). */
export class UsersRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Creates a user. Throws on a duplicate email (unique constraint). */
  async create(input: { email: string; name?: string | null; isAdmin?: boolean }): Promise<UserRow> {
    const row: UserRow = {
      id: newId('usr'),
      email: input.email.toLowerCase(),
      name: input.name ?? null,
      is_admin: input.isAdmin ? 1 : 0,
      created_at: Date.now(),
    };
    await this.db.insertInto('users').values(row).execute();
    return row;
  }

  async byId(id: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('email', '=', email.toLowerCase()).executeTakeFirst();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Stores the hash of an API key for a user. The key itself is never stored. */
  async addApiKey(userId: string, key: string): Promise<void> {
    await this.db
      .insertInto('api_keys')
      .values({
        id: newId('key'),
        user_id: userId,
        key_hash: hashToken(key),
        hint: key.slice(0, 7),
        created_at: Date.now(),
        last_used_at: null,
      })
      .execute();
  }

  /** The user owning an API key, or undefined. */
  async byApiKey(key: string): Promise<UserRow | undefined> {
    return this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .selectAll('users')
      .where('api_keys.key_hash', '=', hashToken(key))
      .executeTakeFirst();
  }
}
