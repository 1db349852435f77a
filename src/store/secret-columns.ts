import { sql, type Kysely } from 'kysely';
import { profileSecretContext } from './profiles.ts';
import { integrationSecretContext } from './integrations.ts';
import type { Database } from './schema.ts';

/** A column that holds sealed values, and how each row's seal context is named. */
export interface SecretColumn {
  table: 'agent_profiles' | 'user_integrations';
  column: 'agent_secret' | 'secrets';
  context: (id: string) => string;
}

/** Every sealed column. Key rotation walks exactly these; a new secret column must be listed here. */
export const SECRET_COLUMNS: readonly SecretColumn[] = [
  { table: 'agent_profiles', column: 'agent_secret', context: profileSecretContext },
  { table: 'user_integrations', column: 'secrets', context: integrationSecretContext },
];

/** Distinct key ids that sealed values in the secret columns name. */
export async function sealedKeyIds(db: Kysely<Database>): Promise<string[]> {
  const ids = new Set<string>();
  for (const c of SECRET_COLUMNS) {
    const rows = await (db as Kysely<any>)
      .selectFrom(c.table)
      .select(sql<string>`substr(${sql.ref(c.column)}, 5, 16)`.as('kid'))
      .where(c.column, 'is not', null)
      .distinct()
      .execute();
    for (const r of rows) ids.add(r.kid);
  }
  return [...ids];
}

/** Counts sealed values not yet under key `kid`, across every secret column. */
export async function countSealedNotUnder(db: Kysely<Database>, kid: string): Promise<number> {
  let n = 0;
  for (const c of SECRET_COLUMNS) {
    const r = await (db as Kysely<any>)
      .selectFrom(c.table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(c.column, 'is not', null)
      .where(c.column, 'not like', `sb1.${kid}.%`)
      .executeTakeFirstOrThrow();
    n += Number(r.n);
  }
  return n;
}
