import type { Kysely, Selectable } from 'kysely';
import type { Envelope } from '../crypto/envelope.ts';
import { newId } from '../crypto/tokens.ts';
import type { ReadCache } from './read-cache.ts';
import type { Database } from './schema.ts';

/** The `triggers` table (migration 006). Kept here, beside its only repository. */
export interface TriggersTable {
  id: string;
  user_id: string;
  /** The integration whose event it follows; null for the hub's own events (schedule, delivery.failed…). */
  integration_id: string | null;
  /** The profile woken in `agent` mode. */
  profile_id: string | null;
  /** `message.received`, `hook.received`, `schedule.tick`, `delivery.failed`… */
  event: string;
  /** `agent` | `url`. */
  mode: string;
  /** `url` mode: the URL as shown (origin, `/…` when a path or query is hidden). The full URL is sealed. */
  url_display: string | null;
  /** Sealed JSON `{url, secret}` of a `url` trigger. */
  secrets: string | null;
  /** `schedule.tick`: minutes between ticks. */
  interval_minutes: number | null;
  /** `agent` mode: where the agent's answer is sent as a notification (`telegram`, `webhook:<id>`…). */
  reply_channel: string | null;
  /** `active` | `paused`. Unhealthy is derived (integration unhealthy, or the URL keeps failing). */
  status: string;
  paused_reason: string | null;
  /** `url` mode: deliveries in a row that failed for good; 0 after a success. */
  failures: number;
  last_error: string | null;
  /** `schedule.tick`: the next tick (epoch ms). Claimed with a conditional update, so one process fires it. */
  next_fire_at: number | null;
  last_fired_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A trigger row (secrets still sealed). */
export type TriggerRow = Selectable<TriggersTable>;

/** What a `url` trigger keeps encrypted. */
export interface TriggerSecrets {
  url: string;
  secret: string;
}

/** Input of {@link TriggersRepo.create}. */
export interface NewTrigger {
  userId: string;
  integrationId: string | null;
  profileId: string | null;
  event: string;
  mode: 'agent' | 'url';
  url?: { display: string; secrets: TriggerSecrets };
  intervalMinutes?: number | null;
  replyChannel?: string | null;
  nextFireAt?: number | null;
}

/** What PATCH may change. */
export interface TriggerPatch {
  profileId?: string;
  url?: { display: string; secrets: TriggerSecrets };
  intervalMinutes?: number;
  replyChannel?: string | null;
  nextFireAt?: number;
}

/** One row of {@link TriggersRepo.pollSchedule}. */
export interface PollScheduleRow {
  integrationId: string;
  intervalMinutes: number;
  /** Epoch ms: since when at least one of the integration's polled triggers has been active unchanged. */
  activeSince: number;
}

type Db = Kysely<Database & { triggers: TriggersTable }>;

const secretContext = (id: string) => `triggers.secrets:${id}`;

function normalize(r: TriggerRow): TriggerRow {
  const n = (v: number | null) => (v === null ? null : Number(v));
  return { ...r, failures: Number(r.failures), interval_minutes: n(r.interval_minutes), next_fire_at: n(r.next_fire_at), last_fired_at: n(r.last_fired_at), created_at: Number(r.created_at), updated_at: Number(r.updated_at) };
}

/** The `triggers` rows. Reads that take a user id see only that user's rows. */
export class TriggersRepo {
  private readonly db: Db;

  constructor(
    db: Kysely<Database>,
    private readonly envelope: Envelope,
    /** Serves {@link matching} outside transactions. */
    private readonly cache?: ReadCache,
  ) {
    // The table is declared here rather than in schema.ts so the migration and its repository stay together.
    this.db = db as unknown as Db;
  }

  async create(t: NewTrigger): Promise<TriggerRow> {
    const id = newId('trg');
    const now = Date.now();
    const row: TriggerRow = {
      id,
      user_id: t.userId,
      integration_id: t.integrationId,
      profile_id: t.profileId,
      event: t.event,
      mode: t.mode,
      url_display: t.url?.display ?? null,
      secrets: t.url ? this.envelope.sealJson(t.url.secrets, secretContext(id)) : null,
      interval_minutes: t.intervalMinutes ?? null,
      reply_channel: t.replyChannel ?? null,
      status: 'active',
      paused_reason: null,
      failures: 0,
      last_error: null,
      next_fire_at: t.nextFireAt ?? null,
      last_fired_at: null,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('triggers').values(row).execute();
    return row;
  }

  /** A user's trigger, or undefined (also for another user's id). */
  async get(userId: string, id: string): Promise<TriggerRow | undefined> {
    const r = await this.db.selectFrom('triggers').selectAll().where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return r && normalize(r);
  }

  /** Internal lookup without tenancy (workers). */
  async byId(id: string): Promise<TriggerRow | undefined> {
    const r = await this.db.selectFrom('triggers').selectAll().where('id', '=', id).executeTakeFirst();
    return r && normalize(r);
  }

  /** A user's triggers, oldest first; with `integrationId`, only that integration's. */
  async list(userId: string, integrationId?: string): Promise<TriggerRow[]> {
    let q = this.db.selectFrom('triggers').selectAll().where('user_id', '=', userId);
    if (integrationId) q = q.where('integration_id', '=', integrationId);
    return (await q.orderBy('created_at').orderBy('id').execute()).map(normalize);
  }

  /**
   * The active triggers an event of a user wakes: those on its integration, and those on the hub
   * (no integration) for the same event.
   */
  async matching(userId: string, event: string, integrationId: string | null): Promise<TriggerRow[]> {
    const load = () => this.loadMatching(userId, event, integrationId);
    return this.cache ? this.cache.get('triggers', `match:${userId}|${event}|${integrationId}`, load) : load();
  }

  private async loadMatching(userId: string, event: string, integrationId: string | null): Promise<TriggerRow[]> {
    let q = this.db.selectFrom('triggers').selectAll().where('user_id', '=', userId).where('event', '=', event).where('status', '=', 'active');
    q = integrationId === null ? q.where('integration_id', 'is', null) : q.where((eb) => eb.or([eb('integration_id', '=', integrationId), eb('integration_id', 'is', null)]));
    return (await q.orderBy('id').execute()).map(normalize);
  }

  /** The opened URL and secret of a `url` trigger. */
  secrets(row: TriggerRow): TriggerSecrets | undefined {
    return row.secrets ? this.envelope.openJson<TriggerSecrets>(row.secrets, secretContext(row.id)) : undefined;
  }

  async update(userId: string, id: string, p: TriggerPatch): Promise<TriggerRow | undefined> {
    const set: Partial<TriggerRow> = { updated_at: Date.now() };
    if (p.profileId !== undefined) set.profile_id = p.profileId;
    if (p.url) {
      set.url_display = p.url.display;
      set.secrets = this.envelope.sealJson(p.url.secrets, secretContext(id));
    }
    if (p.intervalMinutes !== undefined) set.interval_minutes = p.intervalMinutes;
    if (p.replyChannel !== undefined) set.reply_channel = p.replyChannel;
    if (p.nextFireAt !== undefined) set.next_fire_at = p.nextFireAt;
    await this.db.updateTable('triggers').set(set).where('id', '=', id).where('user_id', '=', userId).execute();
    return this.get(userId, id);
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('triggers').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /**
   * Pauses active triggers (one by id, or every one of an integration) with an optional reason.
   * Already paused ones are left as they are (reason kept). Resolves with how many changed.
   */
  async pause(userId: string, which: { id: string } | { integrationId: string }, reason: string | null): Promise<number> {
    let q = this.db.updateTable('triggers').set({ status: 'paused', paused_reason: reason, updated_at: Date.now() }).where('user_id', '=', userId).where('status', '=', 'active');
    q = 'id' in which ? q.where('id', '=', which.id) : q.where('integration_id', '=', which.integrationId);
    return Number((await q.executeTakeFirst()).numUpdatedRows);
  }

  /**
   * Resumes paused triggers. A schedule whose next tick passed while paused moves on to its next
   * tick in the future (`nextTick`): missed ticks are skipped, not made up. Resolves with how many changed.
   */
  async resume(userId: string, which: { id: string } | { integrationId: string }, nextTick: (row: TriggerRow) => number | null): Promise<number> {
    let q = this.db.selectFrom('triggers').selectAll().where('user_id', '=', userId).where('status', '=', 'paused');
    q = 'id' in which ? q.where('id', '=', which.id) : q.where('integration_id', '=', which.integrationId);
    let n = 0;
    for (const row of (await q.execute()).map(normalize)) {
      const r = await this.db
        .updateTable('triggers')
        .set({ status: 'active', paused_reason: null, next_fire_at: nextTick(row), updated_at: Date.now() })
        .where('id', '=', row.id)
        .where('status', '=', 'paused')
        .executeTakeFirst();
      n += Number(r.numUpdatedRows);
    }
    return n;
  }

  /** Active schedule triggers whose tick is due at `now` (epoch ms), oldest tick first. */
  async dueSchedules(now: number, limit: number): Promise<TriggerRow[]> {
    const rows = await this.db
      .selectFrom('triggers')
      .selectAll()
      .where('event', '=', 'schedule.tick')
      .where('status', '=', 'active')
      .where('next_fire_at', '<=', now)
      .orderBy('next_fire_at')
      .limit(limit)
      .execute();
    return rows.map(normalize);
  }

  /**
   * What a polling adapter must poll: for each active integration of `integrationType` with at least
   * one active trigger on one of `events`, the shortest interval among those triggers (minutes; a
   * trigger without one counts as `defaultMinutes`) and `activeSince`, the oldest `updated_at` among
   * them (when the longest-standing of them was created, resumed or last edited). One grouped query:
   * the triggers are found through `triggers_due` (event, status), joined to their integration by key.
   */
  async pollSchedule(events: readonly string[], integrationType: string, defaultMinutes: number): Promise<PollScheduleRow[]> {
    if (events.length === 0) return [];
    const rows = await this.db
      .selectFrom('triggers')
      .innerJoin('user_integrations', 'user_integrations.id', 'triggers.integration_id')
      .select((eb) => [
        'triggers.integration_id as integrationId',
        eb.fn.min(eb.fn.coalesce('triggers.interval_minutes', eb.val(defaultMinutes))).as('minutes'),
        eb.fn.min('triggers.updated_at').as('activeSince'),
      ])
      .where('triggers.event', 'in', [...events])
      .where('triggers.status', '=', 'active')
      .where('user_integrations.type', '=', integrationType)
      .where('user_integrations.status', '=', 'active')
      .groupBy('triggers.integration_id')
      .orderBy('triggers.integration_id')
      .execute();
    return rows.map((r) => ({ integrationId: r.integrationId!, intervalMinutes: Number(r.minutes), activeSince: Number(r.activeSince) }));
  }

  /**
   * Claims one tick: moves `next_fire_at` from `tick` to `next` only if it still is `tick` and the
   * trigger is active. Exactly one of several processes racing for a tick gets true.
   */
  async claimTick(id: string, tick: number, next: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('triggers')
      .set({ next_fire_at: next, last_fired_at: now })
      .where('id', '=', id)
      .where('next_fire_at', '=', tick)
      .where('status', '=', 'active')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Records that a firing of a trigger was delivered (`url` mode): clears its failure count. */
  async recordSuccess(id: string): Promise<void> {
    await this.db.updateTable('triggers').set({ failures: 0, last_error: null }).where('id', '=', id).where('failures', '>', 0).execute();
  }

  /** Records that a firing failed for good; the trigger shows as unhealthy until the next success. */
  async recordFailure(id: string, error: string): Promise<void> {
    await this.db
      .updateTable('triggers')
      .set((eb) => ({ failures: eb('failures', '+', 1), last_error: error.slice(0, 500) }))
      .where('id', '=', id)
      .execute();
  }
}
