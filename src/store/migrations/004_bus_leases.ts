import type { Kysely } from 'kysely';

/**
 * Leases the database can judge across processes, and the delivery promise of an agent:
 * - `inbox.lease_owner`, `outbox.lease_owner`: the process (a random id per hub process) that holds
 *   or last held the row's lease. Heartbeats renew the rows of one owner; a finish by a process that
 *   lost its row to another changes nothing. Existing rows get null.
 * - `agent_profiles.agent_delivery`: `at_least_once` (default: a turn interrupted by a crash is sent to
 *   the agent again with the same `webhook-id`) or `at_most_once` (it is not; the person is asked to resend).
 *
 * Claims rely on the partial indexes of 001 (`inbox_open` on (status, id) and `inbox_open_ordering`
 * on (ordering_key, id), both over unfinished rows only): the head row of each conversation is found
 * by one probe per candidate, however long the finished history is.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inbox').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('agent_profiles').addColumn('agent_delivery', 'text', (c) => c.notNull().defaultTo('at_least_once')).execute();
}

/** Drops the three columns. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agent_profiles').dropColumn('agent_delivery').execute();
  await db.schema.alterTable('outbox').dropColumn('lease_owner').execute();
  await db.schema.alterTable('inbox').dropColumn('lease_owner').execute();
}
