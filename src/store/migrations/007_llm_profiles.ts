import type { Kysely } from 'kysely';

/**
 * Agent profiles get `agent_config`: the non-secret settings of agents that have more than a URL
 * (the `llm` kind: model, base URL, system prompt, limits…), as JSON text. Secrets of such agents
 * (an API key, MCP server headers) stay sealed in `agent_secret`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agent_profiles').addColumn('agent_config', 'text').execute();
}

/** Removes the column `up` added. */
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('agent_profiles').dropColumn('agent_config').execute();
}
