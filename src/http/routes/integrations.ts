import { Router } from 'express';
import { z } from 'zod';
import { newId } from '../../crypto/tokens.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors.ts';
import type { IntegrationInfo } from '../../channel/index.ts';
import type { HubContext } from '../../hub.ts';
import { principal, userOnly } from '../auth.ts';
import { parse } from '../validate.ts';
import { integrationView } from '../views.ts';

const Connect = z.looseObject({ type: z.string().min(1), name: z.string().min(1).max(100).optional() });
const Patch = z.looseObject({ name: z.string().min(1).max(100).optional(), is_default: z.boolean().optional(), mcp_tools: z.boolean().optional() });
const Credentials = z.looseObject({ name: z.string().min(1).max(100).optional() });

/** The caller's integrations: list, show, connect, update, disconnect; and what can be connected. */
export function integrationsRoutes(hub: HubContext): Router {
  const r = Router();
  const { store } = hub;

  r.get('/v1/integrations/available', (_req, res) => {
    const types = [...hub.bus.adapters.values()]
      .filter((a) => a.capabilities.category !== 'local')
      .map((a) => ({
        type: a.name,
        category: a.capabilities.category,
        auth_methods: a.capabilities.authMethods,
        inbound: a.capabilities.inbound,
        multi_row: a.capabilities.multiRow,
        max_text_length: a.capabilities.maxTextLength,
        threads: a.capabilities.threads,
        ...(a.capabilities.scopes ? { scopes: a.capabilities.scopes } : {}),
        ...(a.capabilities.tools ? { tools: a.capabilities.tools } : {}),
      }));
    res.json({ integrations: types });
  });

  // Channel actions: /v1/integrations/<type>/<action> (type) and /v1/integrations/:id/<action> (one row).
  for (const adapter of hub.bus.adapters.values()) {
    for (const [name, action] of Object.entries(adapter.typeActions ?? {})) {
      r[action.method](`/v1/integrations/${adapter.name}/${name}`, async (req, res) => {
        const user = userOnly(res);
        const out = await action.handle({ userId: user.id, userEmail: user.email }, (req.body ?? {}) as Record<string, unknown>);
        res.status(out.status ?? 200).json(out.body);
      });
    }
  }
  r.post('/v1/integrations/:id/:action', async (req, res, next) => {
    const user = userOnly(res);
    const row = await store.integrations.get(user.id, req.params.id);
    if (!row) throw new NotFoundError('Integration');
    const action = ownAction(hub.bus.adapters.get(row.type)?.integrationActions, req.params.action);
    if (!action) throw new NotFoundError(`Action ${req.params.action} for ${row.type} integrations`);
    const out = await action.handle(row, { userId: user.id, userEmail: user.email }, (req.body ?? {}) as Record<string, unknown>);
    res.status(out.status ?? 200).json(out.body);
    void next;
  });

  r.get('/v1/integrations', async (_req, res) => {
    const p = principal(res);
    const rows = p.kind === 'profile' ? await store.grants.integrationsOf(p.profile.id) : await store.integrations.list(p.user.id);
    const linked = new Set((await store.links.ofUser(p.user.id)).map((l) => l.integration_id));
    res.json({ integrations: rows.map((row) => ({ ...integrationView(row), needs_attention: needsAttention(hub, row, linked) })) });
  });

  r.get('/v1/integrations/:id', async (req, res) => {
    const p = principal(res);
    const row = await store.integrations.get(p.user.id, req.params.id);
    if (!row || (p.kind === 'profile' && !(await store.grants.has(p.profile.id, row.id)))) throw new NotFoundError('Integration');
    const profiles = await store.grants.profilesOf(row.id);
    const linked = new Set((await store.links.ofUser(p.user.id, row.id)).map((l) => l.integration_id));
    res.json({ integration: { ...integrationView(row), needs_attention: needsAttention(hub, row, linked), granted_to: profiles } });
  });

  r.post('/v1/integrations', async (req, res) => {
    const user = userOnly(res);
    const body = parse(Connect, req.body);
    const adapter = hub.bus.adapters.get(body.type);
    if (!adapter || !adapter.connect || body.type === 'console') {
      throw new BadRequestError(`Unknown integration type ${body.type}; see GET /v1/integrations/available`, 'unknown_integration_type');
    }
    // One indexed probe, and only for single-row types: a user's thousandth bot costs what their first did.
    const existing = adapter.capabilities.multiRow ? undefined : await store.integrations.exists(user.id, body.type);
    if (existing) {
      throw new ConflictError(`You already have a ${body.type} integration (${existing.id}); update or disconnect it first`, 'integration_exists');
    }
    const id = newId('int');
    const connected = await adapter.connect(req.body as Record<string, unknown>, { userId: user.id, userEmail: user.email, integrationId: id });
    // The check above is the fast answer; the database decides races: a second row of a single-row
    // type is refused (409 integration_exists) and only one row becomes the default. The row, its
    // state and its one-time codes commit together, in the bus's group commit: concurrent connects
    // share one commit (one fsync on SQLite) instead of each blocking the event loop on its own.
    const integration = await hub.bus.commits.run(async (tx) => {
      const created = await tx.integrations.create({
        id,
        userId: user.id,
        type: body.type,
        name: body.name ?? connected.name,
        externalId: connected.externalId ?? null,
        isDefault: true,
        singleRow: !adapter.capabilities.multiRow,
        config: connected.config,
        secrets: connected.secrets,
      });
      for (const [key, value] of Object.entries(connected.state ?? {})) await tx.state.set(id, key, value);
      for (const code of connected.linkCodes ?? []) await tx.linkCodes.save(code);
      return created;
    });
    res.status(201).json({ integration: integrationView(integration), ...(connected.shown ?? {}) });
  });

  r.patch('/v1/integrations/:id', async (req, res) => {
    const user = userOnly(res);
    const { name, is_default, mcp_tools, ...settings } = parse(Patch, req.body);
    const row = await store.integrations.get(user.id, req.params.id);
    if (!row) throw new NotFoundError('Integration');
    const adapter = hub.bus.adapters.get(row.type);
    let config = Object.keys(settings).length ? (adapter?.validateSettings?.(settings, row) ?? rejectSettings(settings)) : undefined;
    // mcp_tools (every type; default true): whether the integration's tools are offered on /mcp.
    if (mcp_tools !== undefined) config = { ...config, mcp_tools };
    const updated = await store.integrations.update(user.id, row.id, { name, isDefault: is_default, config });
    res.json({ integration: integrationView(updated!) });
  });

  // Replaces an integration's credentials in place (a new bot token, Resend key, webhook URL or
  // secret): the adapter checks them as on connect; the row keeps its id, grants, links, settings and
  // history. Fields left out are kept where the adapter can keep them.
  r.put('/v1/integrations/:id/credentials', async (req, res) => {
    const user = userOnly(res);
    const { name, ...input } = parse(Credentials, req.body);
    const row = await store.integrations.get(user.id, req.params.id);
    if (!row) throw new NotFoundError('Integration');
    const adapter = hub.bus.adapters.get(row.type);
    if (!adapter?.connect) throw new BadRequestError(`${row.type} integrations have no credentials to replace`, 'invalid_request');
    const connected = await adapter.connect({ ...input, type: row.type }, { userId: user.id, userEmail: user.email, integrationId: row.id, replacing: row });
    const sameAccount = (connected.externalId ?? null) === row.externalId;
    const updated = await store.transaction(async (tx) => {
      await tx.integrations.setSecrets(row.id, connected.secrets);
      for (const [key, value] of Object.entries(connected.state ?? {})) await tx.state.set(row.id, key, value);
      for (const code of connected.linkCodes ?? []) await tx.linkCodes.save(code);
      return tx.integrations.update(user.id, row.id, { name: name ?? (sameAccount ? undefined : connected.name), config: connected.config, externalId: connected.externalId ?? null });
    });
    await adapter.credentialsReplaced?.(updated!);
    res.json({ integration: integrationView(updated!), ...(connected.shown ?? {}) });
  });

  r.delete('/v1/integrations/:id', async (req, res) => {
    const user = userOnly(res);
    const row = await store.integrations.get(user.id, req.params.id);
    if (!row) throw new NotFoundError('Integration');
    const adapter = hub.bus.adapters.get(row.type);
    try {
      await adapter?.disconnect?.(row);
    } catch (e) {
      hub.log.warn({ integration: row.id, err: e }, 'revoking downstream failed; deleting anyway');
    }
    await store.transaction(async (tx) => {
      await tx.outbox.failPendingFor(row.id, 'the integration was disconnected');
      await tx.links.deleteForIntegration(row.id);
      await tx.integrations.delete(user.id, row.id);
    });
    res.status(204).end();
  });
  return r;
}

/**
 * Why an integration needs its owner's attention, or null: a bot claimed with `/link` (it has a
 * `link-code` action) that no one has linked yet cannot reach its owner.
 */
function needsAttention(hub: HubContext, row: IntegrationInfo, linked: Set<string | null>): string | null {
  const adapter = hub.bus.adapters.get(row.type);
  if (!adapter?.integrationActions?.['link-code'] || row.config.shared || linked.has(row.id)) return null;
  return `not linked yet: send the bot /link <code> (switchboard integrations link-code ${row.id})`;
}

/** The action named `name` if it is an own property: `constructor`, `__proto__`… are not actions. */
function ownAction<A>(actions: Record<string, A> | undefined, name: string): A | undefined {
  return actions && Object.hasOwn(actions, name) ? actions[name] : undefined;
}

function rejectSettings(settings: Record<string, unknown>): never {
  throw new BadRequestError(`unknown field${Object.keys(settings).length > 1 ? 's' : ''}: ${Object.keys(settings).join(', ')}`, 'invalid_request');
}
