import { Router, type Response } from 'express';
import { z } from 'zod';
import { EVENT_CATALOG, eventSpec, eventsFor, type EventSpec } from '../../bus/triggers/index.ts';
import { nextTickAfter } from '../../bus/triggers/scheduler.ts';
import type { IntegrationInfo } from '../../channel/index.ts';
import { newWebhookSecret } from '../../crypto/standard-webhooks.ts';
import { BadRequestError, NotFoundError, UnprocessableError } from '../../errors.ts';
import type { HubContext } from '../../hub.ts';
import { checkUrl, UrlGuardError } from '../../net/url-guard.ts';
import { iso } from '../../store/json.ts';
import type { TriggerRow, TriggerSecrets } from '../../store/triggers.ts';
import type { UserRow } from '../../store/users.ts';
import { userOnly } from '../auth.ts';
import { parse } from '../validate.ts';

const Id = z.string().min(1).max(100);
const Create = z.strictObject({
  integration_id: Id.optional(),
  event: z.string().min(1).max(100),
  mode: z.enum(['agent', 'url']).default('agent'),
  profile_id: Id.optional(),
  url: z.string().min(1).max(2000).optional(),
  interval: z.number().int().optional(),
  reply_channel: z.string().min(1).max(200).optional(),
});
const Patch = z.strictObject({ profile_id: Id.optional(), url: Create.shape.url, interval: Create.shape.interval, reply_channel: Create.shape.reply_channel.nullable() });
const Pause = z.strictObject({ reason: z.string().max(500).optional() });
const EventsQuery = z.strictObject({ type: z.string().max(50).optional(), integration_id: Id.optional() });
const CHANNEL_SPEC = /^([a-z][a-z0-9_]*)(?::([A-Za-z0-9_-]+))?$/;

/** The URL as shown: origin, plus `/…` when a path or query is hidden (they may carry a token). */
const displayUrl = (u: URL) => (u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`);

/** A trigger's status: paused (by its owner), unhealthy (integration unhealthy, or its URL's last delivery failed), or active. */
function statusOf(t: TriggerRow, integration: IntegrationInfo | undefined): { status: string; status_reason: string | null } {
  if (t.status === 'paused') return { status: 'paused', status_reason: t.paused_reason };
  if (integration?.status === 'unhealthy') return { status: 'unhealthy', status_reason: `integration ${integration.id} is unhealthy: ${integration.statusReason ?? 'unknown reason'}` };
  if (t.failures > 0) return { status: 'unhealthy', status_reason: t.last_error };
  return { status: 'active', status_reason: null };
}

/** JSON of a trigger: never its URL's secret or hidden path. */
function triggerView(t: TriggerRow, integration: IntegrationInfo | undefined) {
  const spec = eventSpec(t.event);
  return {
    id: t.id,
    integration_id: t.integration_id,
    integration_type: integration?.type ?? null,
    event: t.event,
    mode: t.mode,
    profile_id: t.profile_id,
    url: t.url_display,
    // A polled trigger made before intervals existed polls at the default.
    interval: t.interval_minutes ?? (spec?.virtual ? (spec.defaultInterval ?? null) : null),
    virtual: spec?.virtual ?? false,
    reply_channel: t.reply_channel,
    ...statusOf(t, integration),
    paused: t.status === 'paused',
    next_fire_at: iso(t.next_fire_at),
    last_fired_at: iso(t.last_fired_at),
    created_at: iso(t.created_at),
    updated_at: iso(t.updated_at),
  };
}

const names = (specs: EventSpec[]) => specs.map((s) => s.event).join(', ');
/** The events whose triggers take an interval, for error messages: `schedule.tick and email.received`. */
const INTERVAL_EVENTS = EVENT_CATALOG.filter((e) => e.intervals).map((e) => e.event).join(' and ');

/** Triggers: `/v1/triggers…` and `/v1/integrations/:id/triggers/pause|resume`. */
export function triggersRoutes(hub: HubContext): Router {
  const r = Router();
  const { store } = hub;
  const clock = () => hub.bus.triggers?.scheduler.clock() ?? Date.now();

  async function integrationOf(user: UserRow, id: string | null | undefined): Promise<IntegrationInfo | undefined> {
    if (!id) return undefined;
    const i = await store.integrations.get(user.id, id);
    if (!i) throw new NotFoundError('Integration');
    return i;
  }
  async function view(user: UserRow, t: TriggerRow) {
    return triggerView(t, t.integration_id ? await store.integrations.get(user.id, t.integration_id) : undefined);
  }
  async function mine(res: Response, id: string): Promise<{ user: UserRow; trigger: TriggerRow }> {
    const user = userOnly(res);
    const trigger = await store.triggers.get(user.id, id);
    if (!trigger) throw new NotFoundError('Trigger');
    return { user, trigger };
  }
  async function profileFor(user: UserRow, idOrName: string | undefined): Promise<string> {
    const p = idOrName ? await store.profiles.find(user.id, idOrName) : ((await store.profiles.find(user.id, 'default')) ?? (await store.profiles.list(user.id))[0]);
    if (!p) throw idOrName ? new NotFoundError('Profile') : new BadRequestError('You have no profile to wake; create one or pass profile_id', 'profile_required');
    return p.id;
  }
  function checkReplyChannel(spec: string): void {
    const m = CHANNEL_SPEC.exec(spec);
    const adapter = m && hub.bus.adapters.get(m[1]);
    if (!adapter || ['local', 'events', 'data'].includes(adapter.capabilities.category)) {
      throw new BadRequestError(`reply_channel "${spec}" is not a notification channel: use a type such as telegram, slack, email, webhook, or <type>:<integration_id>`, 'invalid_reply_channel');
    }
  }
  async function guardedUrl(raw: string): Promise<{ display: string; secrets: TriggerSecrets }> {
    try {
      const u = await checkUrl(raw, hub.config.allowPrivateUrls);
      return { display: displayUrl(u), secrets: { url: u.toString(), secret: newWebhookSecret() } };
    } catch (e) {
      if (e instanceof UrlGuardError) throw new UnprocessableError(`Trigger URL refused: ${e.message}`, 'url_refused');
      throw e;
    }
  }
  /** The interval (minutes) a trigger on `spec` gets: the given one if allowed, else its default; null for events without one. */
  function intervalFor(spec: Pick<EventSpec, 'event' | 'intervals' | 'defaultInterval'>, minutes: number | undefined): number | null {
    const allowed = spec.intervals;
    if (!allowed) {
      if (minutes === undefined) return null;
      throw new BadRequestError(`interval is only for ${INTERVAL_EVENTS} triggers`, 'invalid_request');
    }
    const m = minutes ?? spec.defaultInterval!;
    if (!allowed.includes(m)) {
      throw new BadRequestError(`interval must be one of ${allowed.join(', ')} (minutes)`, 'invalid_interval', { allowed: [...allowed] });
    }
    return m;
  }

  r.get('/v1/triggers/events', async (req, res) => {
    const user = userOnly(res);
    const q = parse(EventsQuery, req.query);
    const type = q.integration_id ? (await integrationOf(user, q.integration_id))!.type : q.type;
    if (type !== undefined && !hub.bus.adapters.has(type)) throw new BadRequestError(`Unknown integration type ${type}; see GET /v1/integrations/available`, 'unknown_integration_type');
    const events = eventsFor(type).map((e) => ({
      event: e.event,
      description: e.description,
      hub: e.hub,
      available: e.available,
      ...(e.virtual ? { virtual: true } : {}),
      ...(e.intervals ? { intervals: [...e.intervals], default_interval: e.defaultInterval } : {}),
    }));
    res.json({ type: type ?? null, events });
  });

  r.get('/v1/triggers', async (req, res) => {
    const user = userOnly(res);
    const q = parse(z.strictObject({ integration_id: Id.optional() }), req.query);
    if (q.integration_id) await integrationOf(user, q.integration_id);
    const integrations = new Map((await store.integrations.list(user.id)).map((i) => [i.id, i]));
    const rows = await store.triggers.list(user.id, q.integration_id);
    res.json({ triggers: rows.map((t) => triggerView(t, t.integration_id ? integrations.get(t.integration_id) : undefined)), total: rows.length });
  });

  r.post('/v1/triggers', async (req, res) => {
    const user = userOnly(res);
    const b = parse(Create, req.body);
    const integration = await integrationOf(user, b.integration_id);
    const spec = eventSpec(b.event);
    const valid = eventsFor(integration?.type);
    if (!spec || !valid.includes(spec)) {
      const where = integration ? `a ${integration.type} integration` : 'the hub (no integration_id)';
      const hint = spec && !integration ? `; ${spec.event} needs integration_id of a ${[spec.types].flat().join(' or ')} integration` : '';
      throw new BadRequestError(`Unknown event ${b.event} for ${where}; valid events: ${names(valid)}${hint}`, 'unknown_event', { valid_events: valid.map((e) => e.event) });
    }
    if (!spec.available) throw new BadRequestError(`The event ${spec.event} is declared but not emitted yet`, 'event_not_available');
    const interval = intervalFor(spec, b.interval);
    if (b.mode === 'url') {
      if (!b.url) throw new BadRequestError('url is required for mode url: the https URL that receives the events', 'invalid_request');
      if (b.profile_id || b.reply_channel) throw new BadRequestError('profile_id and reply_channel are for mode agent', 'invalid_request');
    } else {
      if (b.url) throw new BadRequestError('url is for mode url; mode agent wakes a profile', 'invalid_request');
      if (b.reply_channel) checkReplyChannel(b.reply_channel);
    }
    const profileId = b.mode === 'agent' ? await profileFor(user, b.profile_id) : null;
    const url = b.mode === 'url' ? await guardedUrl(b.url!) : undefined;
    const trigger = await store.triggers.create({
      userId: user.id,
      integrationId: integration?.id ?? null,
      profileId,
      event: spec.event,
      mode: b.mode,
      url,
      intervalMinutes: interval,
      replyChannel: b.reply_channel ?? null,
      nextFireAt: spec.event === 'schedule.tick' ? clock() + interval! * 60_000 : null,
    });
    res.status(201).json({ trigger: triggerView(trigger, integration), ...(url ? { secret: url.secrets.secret } : {}) });
  });

  r.get('/v1/triggers/:id', async (req, res) => {
    const { user, trigger } = await mine(res, req.params.id);
    res.json({ trigger: await view(user, trigger) });
  });

  r.patch('/v1/triggers/:id', async (req, res) => {
    const b = parse(Patch, req.body);
    const { user, trigger } = await mine(res, req.params.id);
    if (trigger.mode === 'url' && (b.profile_id || b.reply_channel)) throw new BadRequestError('profile_id and reply_channel are for mode agent', 'invalid_request');
    if (trigger.mode === 'agent' && b.url) throw new BadRequestError('url is for mode url', 'invalid_request');
    const spec = eventSpec(trigger.event);
    if (b.interval !== undefined) intervalFor(spec ?? { event: trigger.event }, b.interval);
    if (b.reply_channel) checkReplyChannel(b.reply_channel);
    const profileId = b.profile_id ? await profileFor(user, b.profile_id) : undefined;
    let url: { display: string; secrets: TriggerSecrets } | undefined;
    if (b.url) {
      url = await guardedUrl(b.url);
      url.secrets.secret = store.triggers.secrets(trigger)?.secret ?? url.secrets.secret; // the URL changes, the secret stays
    }
    const updated = await store.triggers.update(user.id, trigger.id, {
      profileId,
      url,
      intervalMinutes: b.interval,
      replyChannel: b.reply_channel,
      nextFireAt: b.interval !== undefined && trigger.event === 'schedule.tick' ? clock() + b.interval * 60_000 : undefined,
    });
    if (!updated) throw new NotFoundError('Trigger');
    res.json({ trigger: await view(user, updated) });
  });

  r.delete('/v1/triggers/:id', async (req, res) => {
    const { user, trigger } = await mine(res, req.params.id);
    await store.triggers.delete(user.id, trigger.id);
    res.status(204).end();
  });

  /** A paused schedule's next tick once resumed: the first one still ahead (missed ticks are skipped). */
  const resumedTick = (t: TriggerRow) => {
    const now = clock();
    if (t.event !== 'schedule.tick' || t.next_fire_at === null || t.next_fire_at > now) return t.next_fire_at;
    return nextTickAfter(t.next_fire_at, t.interval_minutes! * 60_000, now);
  };

  for (const action of ['pause', 'resume'] as const) {
    r.post(`/v1/triggers/:id/${action}`, async (req, res) => {
      const { reason } = parse(Pause, req.body);
      if (action === 'resume' && reason !== undefined) throw new BadRequestError('reason is for pause', 'invalid_request');
      const { user, trigger } = await mine(res, req.params.id);
      const changed = action === 'pause' ? await store.triggers.pause(user.id, { id: trigger.id }, reason ?? null) : await store.triggers.resume(user.id, { id: trigger.id }, resumedTick);
      res.json({ trigger: await view(user, (await store.triggers.get(user.id, trigger.id))!), changed: changed > 0 });
    });
    r.post(`/v1/integrations/:id/triggers/${action}`, async (req, res) => {
      const { reason } = parse(Pause, req.body);
      if (action === 'resume' && reason !== undefined) throw new BadRequestError('reason is for pause', 'invalid_request');
      const user = userOnly(res);
      const integration = (await integrationOf(user, req.params.id))!;
      const which = { integrationId: integration.id };
      const changed = action === 'pause' ? await store.triggers.pause(user.id, which, reason ?? null) : await store.triggers.resume(user.id, which, resumedTick);
      const rows = await store.triggers.list(user.id, integration.id);
      res.json({ changed, triggers: rows.map((t) => triggerView(t, integration)), total: rows.length });
    });
  }
  return r;
}
