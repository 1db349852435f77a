import { PostgresAdapter, type CreateTableBuilder, type Kysely } from 'kysely';

/** True when the database behind `db` is PostgreSQL. */
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Starts a table whose `id` is an auto-incrementing integer on either dialect. */
export function serialId(db: Kysely<any>, table: string): CreateTableBuilder<string, 'id'> {
  return isPostgres(db)
    ? db.schema.createTable(table).addColumn('id', 'bigserial', (c) => c.primaryKey())
    : db.schema.createTable(table).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
}
