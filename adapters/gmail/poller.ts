import type { gmail_v1 } from '@googleapis/gmail';
import { WorkerLoop, type AdapterServices, type IntegrationInfo } from '../../src/channel/index.ts';
import { classifyFailure, clientOf } from './client.ts';
import { header } from './message.ts';

/** How often each Gmail mailbox is checked for new mail by default: 60 000 ms. */
export const DEFAULT_POLL_MS = 60_000;
/** The state key of the last history id seen. */
const HISTORY_KEY = 'history_id';
/** History pages read per pass at most: 10 (500 records each). */
const MAX_PAGES = 10;

/**
 * Polls every active Gmail integration through users.history.list and emits `email.received` for
 * each message added to the inbox since the last pass. The first pass only records where the
 * mailbox stands (older mail fires nothing). The event's source id is the message id, so a
 * message seen twice (a crash before the history id was saved, two replicas) fires once. One
 * replica polls a mailbox at a time (lease `gmail-poll:<id>`).
 */
export class HistoryPoller {
  private readonly loop: WorkerLoop;

  constructor(
    private readonly services: AdapterServices,
    private readonly pollMs = DEFAULT_POLL_MS,
  ) {
    this.loop = new WorkerLoop({ name: 'gmail-poller', pollMs, log: services.log, tick: async () => (await this.runOnce(), false) });
  }

  /** Starts polling, with a pass at once. */
  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the pass in flight. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One pass over every active Gmail integration; resolves with how many events were emitted. */
  async runOnce(): Promise<number> {
    let emitted = 0;
    for (const i of await this.services.integrations.listByType('gmail')) {
      if (i.status !== 'active' || !(await this.services.leases.acquire(`gmail-poll:${i.id}`, this.pollMs * 2))) continue;
      emitted += await this.poll(i);
    }
    return emitted;
  }

  private async poll(i: IntegrationInfo): Promise<number> {
    try {
      const g = await clientOf(this.services, i);
      const since = await this.services.state.get<string>(i.id, HISTORY_KEY);
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
      else this.services.log.warn({ integration: i.id, reason: f.reason }, 'Gmail history poll failed; trying again at the next pass');
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
