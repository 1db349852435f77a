import type { Kysely } from 'kysely';

/**
 * The outbox claim asks, for each due row, whether an older unfinished row shares its ordering key.
 * With only (ordering_key, id) indexed that walks every sent row of the key too, so claims slowed
 * down as history grew (bench: 25 deliveries/s with 1 000 queued). This index answers it directly.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('outbox_ordering_status').on('outbox').columns(['ordering_key', 'status', 'id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_ordering_status').execute();
}
