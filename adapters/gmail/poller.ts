import type { gmail_v1 } from '@googleapis/gmail';
import { WorkerLoop, type AdapterServices, type IntegrationInfo, type PollSchedule } from '../../src/channel/index.ts';
import { classifyFailure, clientOf } from './client.ts';
import { header } from './message.ts';

/** How often the poller looks for mailboxes due a poll by default: 5 000 ms (each is polled at its triggers' interval). */
export const DEFAULT_TICK_MS = 5_000;
/** The state key of the last history id seen. */
const HISTORY_KEY = 'history_id';
/** The state key of the last poll (epoch ms of the poller's clock), so a restart neither polls early nor skips one. */
export const LAST_POLL_KEY = 'last_poll_at';
/** History pages read per pass at most: 10 (500 records each). */
const MAX_PAGES = 10;
/** How long a replica keeps a mailbox's lease after polling it (renewed at each poll): 120 000 ms. */
const LEASE_MS = 120_000;
/**
 * A mailbox whose triggers all became active (created, resumed, edited) more than this after its last
 * poll was not followed meanwhile: it starts afresh instead of replaying that mail. One hour, the
 * longest interval, so editing a trigger or a short pause never skips mail.
 */
const REFOLLOW_GAP_MS = 60 * 60_000;

/** What one pass did (tests wait for passes instead of sleeping). */
export interface PollPass {
  /** Mailboxes polled (Gmail called) in the pass. */
  polled: number;
  /** `email.received` events emitted. */
  emitted: number;
}

/** Options of {@link HistoryPoller}. */
export interface HistoryPollerOptions {
  /** How often to look for due mailboxes, ms (real time). Default {@link DEFAULT_TICK_MS}. */
  tickMs?: number;
  /** The clock intervals are measured on, epoch ms. Default `Date.now`; tests inject one. */
  clock?: () => number;
  /** Called after every pass. */
  onPass?: (pass: PollPass) => void;
}

/**
 * Emits `email.received` for each message added to a Gmail inbox, read through users.history.list.
 * `email.received` is a virtual trigger: a mailbox is polled only while it has an active trigger on
 * it, at the shortest interval among them (`services.triggers.pollSchedule`); other mailboxes cost
 * no Gmail call. The last poll time is kept in the integration's state, so restarts and other
 * replicas keep the rhythm; one replica polls a mailbox at a time (lease `gmail-poll:<id>`).
 * The first poll only records where the mailbox stands (older mail fires nothing). The event's
 * source id is the message id, so a message seen twice (a crash before the history id was saved,
 * two replicas) fires once.
 */
export class HistoryPoller {
  private readonly loop: WorkerLoop;
  private readonly clock: () => number;
  /**
   * This replica's view of each scheduled mailbox's last poll (or last look, when another replica
   * held the lease): a mailbox is not looked at again before an interval has passed since, which
   * saves a lease and a state round trip per mailbox per tick.
   */
  private readonly lastPoll = new Map<string, number>();

  constructor(
    private readonly services: AdapterServices,
    private readonly o: HistoryPollerOptions = {},
  ) {
    this.clock = o.clock ?? Date.now;
    this.loop = new WorkerLoop({ name: 'gmail-poller', pollMs: o.tickMs ?? DEFAULT_TICK_MS, log: services.log, tick: async () => (await this.runOnce(), false) });
  }

  /** Starts polling, with a pass at once. */
  start(): void {
    this.loop.start();
  }

  /** Stops polling, waits for the pass in flight and gives the leases up, so another replica (or the next start) polls at once when due. */
  async stop(): Promise<void> {
    await this.loop.stop();
    for (const id of this.lastPoll.keys()) await this.services.leases.release(`gmail-poll:${id}`).catch(() => undefined);
  }

  /** One pass: polls every scheduled mailbox that is due; resolves with how many events were emitted. */
  async runOnce(): Promise<number> {
    const now = this.clock();
    const schedule = await this.services.triggers.pollSchedule('gmail');
    const scheduled = new Set(schedule.map((s) => s.integrationId));
    for (const id of this.lastPoll.keys()) {
      if (scheduled.has(id)) continue;
      this.lastPoll.delete(id);
      await this.services.leases.release(`gmail-poll:${id}`);
    }
    const pass: PollPass = { polled: 0, emitted: 0 };
    for (const s of schedule) {
      const seen = this.lastPoll.get(s.integrationId);
      if (seen !== undefined && now < seen + s.intervalMs) continue;
      const n = await this.pollIfDue(s, now);
      if (n === undefined) continue;
      pass.polled++;
      pass.emitted += n;
    }
    this.o.onPass?.(pass);
    return pass.emitted;
  }

  /** Polls one mailbox if this replica holds its lease and its durable last poll says it is due; undefined when not polled. */
  private async pollIfDue(s: PollSchedule, now: number): Promise<number | undefined> {
    const id = s.integrationId;
    if (!(await this.services.leases.acquire(`gmail-poll:${id}`, LEASE_MS))) {
      this.lastPoll.set(id, now); // another replica polls it: look again in an interval
      return undefined;
    }
    const last = await this.services.state.get<number>(id, LAST_POLL_KEY);
    // From here on the lease is this replica's: lastPoll lists it, so stop() gives it up.
    this.lastPoll.set(id, typeof last === 'number' ? last : -Infinity);
    if (typeof last === 'number' && now < last + s.intervalMs) return undefined; // polled by another replica, or before a restart
    const i = await this.services.integrations.byId(id);
    if (!i || i.status !== 'active') return undefined;
    const afresh = typeof last !== 'number' || s.activeSince - last > REFOLLOW_GAP_MS;
    const emitted = await this.poll(i, afresh);
    await this.services.state.set(id, LAST_POLL_KEY, now);
    this.lastPoll.set(id, now);
    return emitted;
  }

  /** Reads the mailbox's history since the last poll; with `afresh` (or no history id yet) records where it stands instead. */
  private async poll(i: IntegrationInfo, afresh: boolean): Promise<number> {
    try {
      const g = await clientOf(this.services, i);
      const since = afresh ? undefined : await this.services.state.get<string>(i.id, HISTORY_KEY);
      if (!since) {
        await this.baseline(g, i);
        return 0;
      }
      let emitted = 0;
      let pageToken: string | undefined;
      let latest = since;
      for (let page = 0; page < MAX_PAGES; page++) {
        const r = await g.users.history.list({ userId: 'me', startHistoryId: since, historyTypes: ['messageAdded'], labelId: 'INBOX', pageToken });
        for (const h of r.data.history ?? []) {
          for (const added of h.messagesAdded ?? []) {
            const id = added.message?.id;
            const labels = added.message?.labelIds ?? [];
            if (id && !labels.includes('DRAFT') && !labels.includes('SENT')) emitted += await this.emit(g, i, id);
          }
        }
        if (r.data.historyId) latest = r.data.historyId;
        pageToken = r.data.nextPageToken ?? undefined;
        if (!pageToken) break;
      }
      await this.services.state.set(i.id, HISTORY_KEY, latest);
      return emitted;
    } catch (e) {
      const f = classifyFailure(e);
      if (f.kind === 'revoked') await this.services.integrations.setStatus(i.id, 'unhealthy', f.reason);
      // Gmail keeps history for about a week: a 404 means start over from now.
      else if (f.kind === 'not_found') await this.services.state.set(i.id, HISTORY_KEY, null);
      else this.services.log.warn({ integration: i.id, reason: f.reason }, 'Gmail history poll failed; trying again at the next interval');
      return 0;
    }
  }

  private async baseline(g: gmail_v1.Gmail, i: IntegrationInfo): Promise<void> {
    const p = await g.users.getProfile({ userId: 'me' });
    if (p.data.historyId) await this.services.state.set(i.id, HISTORY_KEY, p.data.historyId);
  }

  private async emit(g: gmail_v1.Gmail, i: IntegrationInfo, id: string): Promise<number> {
    let m: gmail_v1.Schema$Message;
    try {
      m = (await g.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['From', 'To', 'Subject', 'Date'] })).data;
    } catch (e) {
      if (classifyFailure(e).kind === 'not_found') return 0; // deleted since
      throw e;
    }
    const at = m.internalDate ? Number(m.internalDate) : Date.now();
    return this.services.events.emit({
      type: 'email.received',
      userId: i.userId,
      integrationId: i.id,
      sourceId: `gmail:${i.id}:${id}`,
      occurredAt: at,
      data: {
        integration_id: i.id,
        account: i.externalId,
        message_id: id,
        thread_id: m.threadId ?? null,
        from: header(m, 'From') ?? null,
        to: header(m, 'To') ?? null,
        subject: header(m, 'Subject') ?? null,
        snippet: m.snippet ?? '',
        labels: m.labelIds ?? [],
        received_at: new Date(at).toISOString(),
      },
    });
  }
}
