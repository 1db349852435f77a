import type { Kysely, Selectable } from 'kysely';
import { newId } from '../crypto/tokens.ts';
import { ApiKeysRepo } from './api-keys.ts';
import type { Database, UsersTable } from './schema.ts';

/** A user row. */
export type UserRow = Selectable<UsersTable>;

/** Users and their API keys (hashes only). */
export class UsersRepo {
  /** The users' API keys. */
  readonly apiKeys: ApiKeysRepo;

  constructor(private readonly db: Kysely<Database>) {
    this.apiKeys = new ApiKeysRepo(db);
  }

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

  /** Every user, oldest first (admins' user list). */
  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('created_at').orderBy('id').execute();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Stores the hash of an API key for a user (named `default` unless told). The key itself is never stored. */
  async addApiKey(userId: string, key: string, name?: string): Promise<void> {
    await this.apiKeys.add(userId, key, { name });
  }

  /** The user owning an API key, or undefined. */
  async byApiKey(key: string): Promise<UserRow | undefined> {
    return (await this.apiKeys.find(key))?.user;
  }
}
