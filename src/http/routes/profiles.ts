import { Router, type Response } from 'express';
import { z } from 'zod';
import { newWebhookSecret } from '../../crypto/standard-webhooks.ts';
import { ConflictError, NotFoundError, UnprocessableError } from '../../errors.ts';
import { checkUrl, UrlGuardError } from '../../net/url-guard.ts';
import type { HubContext } from '../../hub.ts';
import { LlmAgentInput, llmAgentSpec } from '../../llm/settings.ts';
import { AGENT_DELIVERIES, type AgentSpec, type ProfileRow } from '../../store/profiles.ts';
import { principal, userOnly } from '../auth.ts';
import { parse } from '../validate.ts';
import { profileView } from '../views.ts';

/** `agent.delivery`: what a crash between "the agent got the turn" and "its outcome is stored" leads to. */
const Delivery = z.enum(AGENT_DELIVERIES);
const Agent = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('echo') }),
  z.strictObject({
    kind: z.literal('http'),
    url: z.url({ protocol: /^https?$/ }),
    secret: z.string().startsWith('whsec_').optional(),
    delivery: Delivery.optional(),
  }),
  LlmAgentInput,
]);
/** In PATCH, `{"agent":{"delivery":…}}` alone changes only the setting (URL and secret stay). */
const AgentSettings = z.strictObject({ delivery: Delivery });
const CreateProfile = z.strictObject({ name: z.string().min(1).max(100).regex(/^[\w.-]+$/, 'letters, digits, _ . - only'), agent: Agent.optional() });
const PatchProfile = z.strictObject({
  name: CreateProfile.shape.name.optional(),
  agent: z.union([Agent, AgentSettings]).optional(),
});

/** Completes an http agent spec with a generated secret; returns the secret to show once. */
function withSecret(agent: z.infer<typeof Agent>): { spec: AgentSpec; shownSecret?: string } {
  if (agent.kind === 'llm') return { spec: llmAgentSpec(agent) };
  if (agent.kind !== 'http') return { spec: agent };
  if (agent.secret) return { spec: agent };
  const secret = newWebhookSecret();
  return { spec: { ...agent, secret }, shownSecret: secret };
}

/**
 * 422 when an agent's URL (an http agent's, an llm agent's base_url or MCP servers) is not http(s),
 * carries credentials, or resolves to a guarded address (SWITCHBOARD_ALLOW_PRIVATE_URLS exempts hosts).
 */
async function guardAgentUrl(hub: HubContext, agent: z.infer<typeof Agent> | undefined): Promise<void> {
  const urls: [string, string][] =
    agent?.kind === 'http' ? [['Agent URL', agent.url]] : agent?.kind === 'llm' ? [...(agent.base_url ? [['base_url', agent.base_url] as [string, string]] : []), ...(agent.mcp_servers ?? []).map((m, i) => [`mcp_servers[${i}].url`, m.url] as [string, string])] : [];
  for (const [what, url] of urls) {
    try {
      await checkUrl(url, hub.config.allowPrivateUrls);
    } catch (e) {
      if (e instanceof UrlGuardError) throw new UnprocessableError(`${what} refused: ${e.message}`, 'url_refused');
      throw e;
    }
  }
}

/** A profile of the caller by id or name (a profile token sees only itself); 404 otherwise. */
export async function callerProfile(hub: HubContext, res: Response, idOrName: string): Promise<ProfileRow> {
  const p = principal(res);
  const profile = await hub.store.profiles.find(p.user.id, idOrName);
  if (!profile || (p.kind === 'profile' && p.profile.id !== profile.id)) throw new NotFoundError('Profile');
  return profile;
}

/** Profiles and their grants. */
export function profilesRoutes(hub: HubContext): Router {
  const r = Router();
  const { store } = hub;

  r.post('/v1/profiles', async (req, res) => {
    const user = userOnly(res);
    const body = parse(CreateProfile, req.body);
    if (await store.profiles.find(user.id, body.name)) throw new ConflictError(`A profile named ${body.name} already exists`, 'profile_exists');
    await guardAgentUrl(hub, body.agent);
    const { spec, shownSecret } = withSecret(body.agent ?? { kind: 'echo' });
    const { profile, token } = await store.profiles.create(user.id, body.name, spec);
    res.status(201).json({ profile: profileView(profile, []), token, ...(shownSecret ? { agent_secret: shownSecret } : {}) });
  });

  r.get('/v1/profiles', async (_req, res) => {
    const p = principal(res);
    const rows = p.kind === 'profile' ? [p.profile] : await store.profiles.list(p.user.id);
    const out = [];
    for (const row of rows) out.push(profileView(row, (await store.grants.integrationsOf(row.id)).map((i) => i.id)));
    res.json({ profiles: out });
  });

  r.get('/v1/profiles/:id', async (req, res) => {
    const profile = await callerProfile(hub, res, req.params.id);
    res.json({ profile: profileView(profile, (await store.grants.integrationsOf(profile.id)).map((i) => i.id)) });
  });

  r.patch('/v1/profiles/:id', async (req, res) => {
    const user = userOnly(res);
    const body = parse(PatchProfile, req.body);
    const profile = await callerProfile(hub, res, req.params.id);
    if (body.name && body.name !== profile.name && (await store.profiles.find(user.id, body.name))) {
      throw new ConflictError(`A profile named ${body.name} already exists`, 'profile_exists');
    }
    const spec = body.agent && 'kind' in body.agent ? body.agent : undefined;
    const settings = body.agent && !('kind' in body.agent) ? body.agent : undefined;
    if (settings && profile.agent_kind !== 'http') {
      throw new UnprocessableError('agent.delivery applies to http agents only (an echo agent runs inside the hub)', 'not_an_http_agent');
    }
    await guardAgentUrl(hub, spec);
    const agent = spec ? withSecret(spec) : undefined;
    const updated = await store.profiles.update(user.id, profile.id, { name: body.name, agent: agent?.spec, delivery: settings?.delivery });
    if (!updated) throw new NotFoundError('Profile');
    res.json({ profile: profileView(updated), ...(agent?.shownSecret ? { agent_secret: agent.shownSecret } : {}) });
  });

  r.delete('/v1/profiles/:id', async (req, res) => {
    const user = userOnly(res);
    const profile = await callerProfile(hub, res, req.params.id);
    await store.profiles.delete(user.id, profile.id);
    res.status(204).end();
  });

  // A new token for the profile (shown once); the old token stops working at once.
  r.post('/v1/profiles/:id/token', async (req, res) => {
    const user = userOnly(res);
    const profile = await callerProfile(hub, res, req.params.id);
    const token = await store.profiles.newToken(user.id, profile.id);
    if (!token) throw new NotFoundError('Profile');
    res.status(201).json({ profile: profileView(profile), token });
  });

  r.put('/v1/profiles/:id/grants/:integrationId', async (req, res) => {
    const user = userOnly(res);
    const profile = await callerProfile(hub, res, req.params.id);
    const integration = await store.integrations.get(user.id, req.params.integrationId);
    if (!integration) throw new NotFoundError('Integration');
    await store.grants.grant(profile.id, integration.id);
    res.json({ profile_id: profile.id, integration_id: integration.id, granted: true });
  });

  r.delete('/v1/profiles/:id/grants/:integrationId', async (req, res) => {
    const user = userOnly(res);
    const profile = await callerProfile(hub, res, req.params.id);
    const integration = await store.integrations.get(user.id, req.params.integrationId);
    if (!integration || !(await store.grants.revoke(profile.id, integration.id))) throw new NotFoundError('Grant');
    res.status(204).end();
  });
  return r;
}
