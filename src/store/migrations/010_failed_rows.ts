import { sql, type Kysely } from 'kysely';

/**
 * Partial indexes of the rows that failed for good: inbox `failed`, outbox `failed` and `dead`. With
 * the open-row indexes of 001 (`inbox_open`, `outbox_due`) they let the depth gauges of `/metrics`
 * count every status that is work or needs attention by index, so a scrape costs the backlog and the
 * failures, not the whole history that retention keeps. Rows enter them only when they fail.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index inbox_failed on inbox (status, id) where status = 'failed'`.execute(db);
  await sql`create index outbox_failed on outbox (status, id) where status in ('failed', 'dead')`.execute(db);
}

/** Drops both indexes. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists inbox_failed`.execute(db);
  await sql`drop index if exists outbox_failed`.execute(db);
}
