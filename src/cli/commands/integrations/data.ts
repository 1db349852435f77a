import { CliError, type ApiClient } from '../../client.ts';

/** One row of `GET /v1/integrations/available`. */
export interface AvailableType {
  type: string;
  category: string;
  auth_methods: string[];
  inbound: boolean;
  multi_row: boolean;
  /** OAuth scopes, for types that declare them. */
  scopes?: string[];
  /** The tools a granted integration offers (data sources). */
  tools?: string[];
}

/** One row of `GET /v1/integrations`. */
export interface Integration {
  id: string;
  type: string;
  name: string;
  is_default: boolean;
  status: string;
  status_reason: string | null;
  needs_attention?: string | null;
  config: Record<string, unknown>;
  created_at: string;
  granted_to?: string[];
}

/** One trigger as `GET /v1/triggers` answers it. */
export interface Trigger {
  id: string;
  integration_id: string | null;
  event: string;
  mode: 'agent' | 'url';
  profile_id?: string | null;
  url?: string | null;
  interval?: number | null;
  /** A polled trigger (`email.received`): `interval` is how often the hub looks. */
  virtual?: boolean;
  reply_channel?: string | null;
  /** active | paused | unhealthy */
  status: string;
  /** The pause reason, or why it is unhealthy. */
  status_reason?: string | null;
  integration_type?: string | null;
}

/** One event a trigger can follow, as `GET /v1/triggers/events` answers it. */
export interface TriggerEvent {
  event: string;
  description?: string;
  /** false: declared but not emitted yet (a trigger on it is refused). */
  available?: boolean;
  intervals?: number[];
  /** A virtual (polled) event: the hub polls for it at the trigger's interval. */
  virtual?: boolean;
  default_interval?: number;
}

/** The types the hub can connect. */
export async function availableTypes(api: ApiClient): Promise<AvailableType[]> {
  return (await api.request<{ integrations: AvailableType[] }>('GET', '/v1/integrations/available')).integrations;
}

/** One available type, or a clear error listing the others. */
export async function availableType(api: ApiClient, type: string): Promise<AvailableType> {
  const types = await availableTypes(api);
  const found = types.find((t) => t.type === type);
  if (!found) throw new CliError(`${type} is not available on this hub; available: ${types.map((t) => t.type).join(', ')} (see \`switchboard integrations available\`)`);
  return found;
}

/** The caller's integrations. */
export async function listIntegrations(api: ApiClient): Promise<Integration[]> {
  return (await api.request<{ integrations: Integration[] }>('GET', '/v1/integrations')).integrations;
}

/** Profile names by id, and the integration ids each profile is granted. */
export async function profileGrants(api: ApiClient): Promise<{ names: Map<string, string>; byIntegration: Map<string, string[]> }> {
  const r = await api.request<{ profiles: { id: string; name: string; grants: string[] }[] }>('GET', '/v1/profiles');
  const names = new Map(r.profiles.map((p) => [p.id, p.name]));
  const byIntegration = new Map<string, string[]>();
  for (const p of r.profiles) for (const g of p.grants) byIntegration.set(g, [...(byIntegration.get(g) ?? []), p.name]);
  return { names, byIntegration };
}

/** Every trigger of the caller; `optional` answers [] on a hub without the triggers API. */
export async function listTriggers(api: ApiClient, optional = false): Promise<Trigger[]> {
  try {
    return (await api.feature<{ triggers: Trigger[] }>('triggers', 'GET', '/v1/triggers')).triggers;
  } catch (e) {
    if (optional && e instanceof CliError && e.status === 404) return [];
    throw e;
  }
}

/** Whether an integration's tools are offered on /mcp (setting `mcp_tools`, default true). */
export const mcpOn = (i: Integration) => i.config.mcp_tools !== false;
