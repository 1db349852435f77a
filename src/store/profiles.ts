import type { Kysely, Selectable } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import { hashToken, newId, newProfileToken } from '../crypto/tokens.ts';
import type { ReadCache } from './read-cache.ts';
import type { AgentProfilesTable, Database } from './schema.ts';

/** A profile row as stored (secret still sealed). */
export type ProfileRow = Selectable<AgentProfilesTable>;

/**
 * How an agent is reached. An `llm` agent keeps its non-secret settings as JSON (`config`) and its
 * secrets (API key, MCP headers) as one string sealed in `agent_secret`; src/llm/settings.ts owns both shapes.
 * For `http`, `delivery` defaults to `at_least_once` (and is kept on update when absent).
 */
export type AgentSpec =
  | { kind: 'echo' }
  | { kind: 'http'; url: string; secret?: string; delivery?: AgentDelivery }
  | { kind: 'llm'; config: Record<string, unknown>; secret?: string };

/**
 * What happens to a turn a crash interrupted after the agent got it: `at_least_once` (the default)
 * sends it again with the same `webhook-id`; `at_most_once` does not and asks the person to resend.
 */
export type AgentDelivery = 'at_least_once' | 'at_most_once';

/** The delivery promises a profile may choose, the default first. */
export const AGENT_DELIVERIES = ['at_least_once', 'at_most_once'] as const satisfies readonly AgentDelivery[];

/** Where the agent's secret is sealed: binds the ciphertext to its row. */
export const profileSecretContext = (id: string) => `agent_profiles.agent_secret:${id}`;

/** Agent profiles of users. Every read by id is scoped to a user, so other tenants' rows are invisible. */
export class ProfilesRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly envelope: Envelope,
    /** Serves {@link byId} outside transactions. */
    private readonly cache?: ReadCache,
  ) {}

  /** Creates a profile and returns it with its token (shown once; only the hash is kept). */
  async create(userId: string, name: string, agent: AgentSpec): Promise<{ profile: ProfileRow; token: string }> {
    const id = newId('prf');
    const token = newProfileToken();
    const now = Date.now();
    const profile: ProfileRow = {
      id,
      user_id: userId,
      name,
      ...this.agentColumns(id, agent),
      token_hash: hashToken(token),
      agent_delivery: (agent.kind === 'http' && agent.delivery) || 'at_least_once',
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('agent_profiles').values(profile).execute();
    return { profile, token };
  }

  /** A profile of this user by id, or undefined (also for another user's id). */
  async get(userId: string, id: string): Promise<ProfileRow | undefined> {
    return this.db.selectFrom('agent_profiles').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  }

  /** A profile by id or name, scoped to the user. */
  async find(userId: string, idOrName: string): Promise<ProfileRow | undefined> {
    return this.db
      .selectFrom('agent_profiles')
      .selectAll()
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .executeTakeFirst();
  }

  /** Internal lookup without tenancy (bus only). */
  async byId(id: string): Promise<ProfileRow | undefined> {
    const load = () => this.db.selectFrom('agent_profiles').selectAll().where('id', '=', id).executeTakeFirst();
    return this.cache ? this.cache.get('agent_profiles', `id:${id}`, load) : load();
  }

  async list(userId: string): Promise<ProfileRow[]> {
    return this.db.selectFrom('agent_profiles').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  }

  /** The profile a token belongs to. */
  async byToken(token: string): Promise<ProfileRow | undefined> {
    return this.db.selectFrom('agent_profiles').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirst();
  }

  /**
   * Updates name, agent and/or delivery promise of a user's profile; returns the new row or undefined.
   * An agent spec replaces the agent (its `delivery`, when given, too); `delivery` alone changes only that.
   */
  async update(userId: string, id: string, patch: { name?: string; agent?: AgentSpec; delivery?: AgentDelivery }): Promise<ProfileRow | undefined> {
    const values: Partial<ProfileRow> = { updated_at: Date.now() };
    if (patch.name !== undefined) values.name = patch.name;
    const delivery = patch.delivery ?? (patch.agent?.kind === 'http' ? patch.agent.delivery : undefined);
    if (delivery) values.agent_delivery = delivery;
    if (patch.agent) Object.assign(values, this.agentColumns(id, patch.agent));
    const r = await this.db.updateTable('agent_profiles').set(values).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) ? this.get(userId, id) : undefined;
  }

  /** Replaces a user's profile token with a new one (shown once); the old one stops working. Undefined when no such profile. */
  async newToken(userId: string, id: string): Promise<string | undefined> {
    const token = newProfileToken();
    const r = await this.db.updateTable('agent_profiles').set({ token_hash: hashToken(token), updated_at: Date.now() }).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) ? token : undefined;
  }

  /** Deletes a user's profile; true when it existed. */
  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('agent_profiles').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** The columns that describe an agent: kind, URL, JSON settings and the sealed secret. */
  private agentColumns(id: string, agent: AgentSpec): Pick<ProfileRow, 'agent_kind' | 'agent_url' | 'agent_secret' | 'agent_config'> {
    const secret = agent.kind === 'echo' ? undefined : agent.secret;
    return {
      agent_kind: agent.kind,
      agent_url: agent.kind === 'http' ? agent.url : null,
      agent_secret: secret ? this.envelope.seal(secret, profileSecretContext(id)) : null,
      agent_config: agent.kind === 'llm' ? JSON.stringify(agent.config) : null,
    };
  }

  /** The opened agent secret of a profile, if any. */
  agentSecret(profile: ProfileRow): string | undefined {
    return profile.agent_secret ? this.envelope.open(profile.agent_secret, profileSecretContext(profile.id)) : undefined;
  }
}
