import type { ChannelAdapter, IntegrationInfo } from '../channel/index.ts';
import { BadRequestError, ForbiddenError, HubError, NotFoundError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import type { ProfileRow } from '../store/profiles.ts';

/** A channel spec resolved to the integration and adapter that will carry it. */
export interface ResolvedChannel {
  spec: string;
  adapter: ChannelAdapter;
  integration: IntegrationInfo;
  target: Record<string, unknown>;
}

const SPEC = /^([a-z][a-z0-9_]*)(?::([A-Za-z0-9_-]+))?$/;

/**
 * Resolves a notify channel: a bare type (`telegram`, `slack`, `email`, `webhook`) is the user's
 * default integration of that type; `<type>:<integration id>` names one. Checks the profile's grant
 * and the integration's health. Throws a HubError that names the channel.
 */
export async function resolveChannel(
  store: Store,
  adapters: ReadonlyMap<string, ChannelAdapter>,
  profile: ProfileRow,
  spec: string,
  claim: boolean,
): Promise<ResolvedChannel> {
  const m = SPEC.exec(spec);
  if (!m) throw new BadRequestError(`Malformed channel "${spec}": use a type such as telegram, or telegram:<integration_id>`, 'malformed_channel');
  const [, type, id] = m;
  const adapter = adapters.get(type);
  if (!adapter || type === 'console') throw new BadRequestError(`Unknown channel type "${type}"`, 'unknown_channel');
  if (claim && !id && adapter.capabilities.multiRow) {
    throw new BadRequestError(`claim needs a named bot: use ${type}:<integration_id> instead of "${type}"`, 'claim_needs_named_integration');
  }
  if (claim && !adapter.capabilities.inbound) {
    throw new BadRequestError(`claim is only possible on chat channels; ${type} has no replies`, 'claim_not_supported');
  }
  let integration: IntegrationInfo | undefined;
  if (id) {
    integration = await store.integrations.get(profile.user_id, id);
    if (!integration) throw new NotFoundError(`Integration ${id}`);
    if (integration.type !== type) throw new BadRequestError(`Integration ${id} is a ${integration.type} integration, not ${type}`, 'channel_type_mismatch');
  } else {
    integration = await store.integrations.defaultOf(profile.user_id, type);
    if (!integration) throw new HubError(422, 'no_integration', `No ${type} integration is connected; connect one first`);
  }
  if (!(await store.grants.has(profile.id, integration.id))) {
    throw new ForbiddenError(`Channel ${spec} (${integration.id}) is not granted to profile ${profile.name}`, 'not_granted');
  }
  if (integration.status === 'unhealthy') {
    throw new HubError(422, 'integration_unhealthy', `Channel ${spec} (${integration.id}) is unhealthy: ${integration.statusReason ?? 'unknown reason'}`);
  }
  const target = adapter.notifyTarget ? await adapter.notifyTarget(integration) : {};
  return { spec, adapter, integration, target };
}
