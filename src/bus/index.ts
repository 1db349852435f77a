import { randomUUID } from 'node:crypto';
import type { AppendResult, ChannelAdapter, InboxEvent, Logger } from '../channel/index.ts';
import { GroupCommit, type SharedWrite } from '../store/group-commit.ts';
import type { ConsoleAdapter } from '../../adapters/console/index.ts';
import type { ConsoleEvent } from '../../adapters/console/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { AppendLease } from '../store/leased-inserts.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { ThreadRow } from '../store/threads.ts';
import { InboxWorker } from './inbox-worker.ts';
import { LeaseHeartbeat } from './lease-heartbeat.ts';
import { LeaseSweeper } from './lease-sweeper.ts';
import { OutboxWorker } from './outbox-worker.ts';
import type { LlmEnv } from '../llm/env.ts';
import { runtimeFactory } from './runtimes/index.ts';
import type { Triggers } from './triggers/index.ts';
import { createTurnHandler, enqueueReply } from './turn.ts';

/** The answer of a console chat line. */
export interface ChatResult {
  thread: ThreadRow | undefined;
  /** The agent's reply, or null when none came within the wait (an async agent, or a slow one). */
  reply: string | null;
  /** True when the agent failed and `reply` is the apology the person was sent. */
  failed: boolean;
}

/**
 * The message bus: inbox → router → agent runtime → outbox → adapter. Owns the two workers, the
 * leases (heartbeat and sweeper) and the adapters table.
 */
export class Bus {
  /** This process's lease owner: a random id, recorded on every inbox and outbox row it claims. */
  readonly owner = `${process.pid}-${randomUUID()}`;
  readonly inboxWorker: InboxWorker;
  readonly outboxWorker: OutboxWorker;
  private readonly heartbeat: LeaseHeartbeat;
  private readonly sweeper: LeaseSweeper;

  constructor(
    private readonly store: Store,
    readonly adapters: ReadonlyMap<string, ChannelAdapter>,
    private readonly tuning: BusTuning,
    private readonly log: Logger,
    /** Hosts/CIDRs exempt from the URL guard, for `http` agents. */
    allowPrivateUrls: readonly string[] = [],
    /** Group commit shared by the hot path (inbox appends, turn outcomes, sent marks). */
    readonly commits: GroupCommit = new GroupCommit(store),
    /** Triggers (event bus, scheduler); absent in bus-only tests. */
    readonly triggers?: Triggers,
    /** OPENAI_BASE_URL / OPENAI_API_KEY, the defaults of `llm` agents. */
    llmEnv: LlmEnv = { baseUrl: 'https://api.openai.com/v1', apiKey: undefined },
  ) {
    const commit = <T>(fn: (tx: Store) => Promise<T>) => this.commits.run(fn);
    const share = <I>(write: SharedWrite<I>, item: I) => this.commits.share(write, item);
    this.outboxWorker = new OutboxWorker(store, adapters, tuning, log, this.owner, commit, share);
    const handler = createTurnHandler({
      store,
      adapters,
      runtimeFor: runtimeFactory(store.profiles, tuning, log, allowPrivateUrls, { store, bus: this, tuning, log, allowPrivateUrls, env: llmEnv }),
      tuning,
      log,
      wakeOutbox: () => this.outboxWorker.wake(),
      // The worker's room holds no place on PostgreSQL (see LeaseRoom.hold): replies go in pending there.
      reserveSend: () => this.outboxWorker.reserve(),
      commit,
      share,
      events: triggers,
    });
    triggers?.attach(this.outboxWorker);
    this.inboxWorker = new InboxWorker(store, handler, tuning, log, this.owner, commit);
    this.heartbeat = new LeaseHeartbeat(store, this.owner, tuning.leaseMs, log);
    this.sweeper = new LeaseSweeper(store, tuning.leaseMs, log, (queue) => (queue === 'inbox' ? this.inboxWorker : this.outboxWorker).wake());
  }

  /**
   * Takes back what a previous run left in flight (all of it on SQLite, expired leases on
   * PostgreSQL), then starts the workers, the lease heartbeat and sweeper, and every adapter's
   * background work.
   */
  async start(): Promise<void> {
    await this.sweeper.recoverAtStart();
    for (const a of this.adapters.values()) await a.start?.();
    this.heartbeat.start();
    this.sweeper.start();
    this.inboxWorker.start();
    this.outboxWorker.start();
    this.triggers?.start();
  }

  /**
   * Stops taking new work and drains what is in flight (up to `graceMs` each); leases are renewed
   * until then. Rows still in flight afterwards stay leased to this process until taken back.
   */
  async stop(graceMs = 10_000): Promise<void> {
    await this.triggers?.stop();
    for (const a of this.adapters.values()) await a.stop?.().catch(() => undefined);
    await this.inboxWorker.stop(graceMs);
    await this.outboxWorker.stop(graceMs);
    await this.sweeper.stop();
    await this.heartbeat.stop();
  }

  /**
   * One console chat line through the whole bus: committed to the inbox, handled by the worker,
   * answered by the profile's agent, delivered by the console adapter. Waits up to `waitMs` for the reply.
   */
  async chat(profile: ProfileRow, thread: string, text: string, waitMs: number): Promise<ChatResult> {
    const consoleAdapter = this.adapters.get('console') as ConsoleAdapter;
    const payload: ConsoleEvent = { userId: profile.user_id, profileId: profile.id, thread, text, sentAt: Date.now() };
    const [appended] = await this.appendInbound([
      { channel: 'console', source: profile.id, externalEventId: randomUUID(), orderingKey: `console|${profile.id}|${thread}`, payload },
    ]);
    const reply = await consoleAdapter.waitForReply(appended.id, waitMs);
    // The reply and the end of the inbox row commit together, so a reply means the row is finished.
    const failed = reply ? (await this.store.inbox.byId(appended.id))?.status === 'failed' : false;
    return { thread: await this.store.threads.byKey(`console|profile:${profile.id}|${thread}`), reply: reply?.text ?? null, failed };
  }

  /** Commits inbound events (group commit, deduped) and wakes the inbox worker. Resolves after the commit. */
  async appendInbound(events: InboxEvent[]): Promise<AppendResult[]> {
    // SQLite: the head of each quiet conversation goes in leased to this process and is handled at once, with no claim.
    const places = this.inboxWorker.reserve(events.length);
    if (places.count === 0) {
      const results = await this.commits.run((tx) => tx.inbox.append(events));
      const fresh = events.filter((_, i) => !results[i].duplicate);
      // Pending: probed now, and again when an open row of theirs ends here.
      if (fresh.length) this.inboxWorker.appended([], places, [...new Set(fresh.map((e) => e.orderingKey))]);
      return results;
    }
    const lease: AppendLease = { owner: this.owner, leaseMs: this.tuning.leaseMs, places: places.count, rows: [], behind: [] };
    let results: AppendResult[];
    try {
      results = await this.commits.run((tx) => tx.inbox.append(events, lease));
    } catch (e) {
      this.inboxWorker.release(places);
      throw e;
    }
    // After the callers' answers (the webhooks' 200s) are written: they wait on this commit, the turns do not.
    setImmediate(() => this.inboxWorker.appended(lease.rows, places, lease.behind));
    return results;
  }

  /** An agent's later reply into a thread (after it answered 202): logged and sent through the thread's integration. */
  async replyInThread(profile: ProfileRow, thread: ThreadRow, text: string, requestId: string): Promise<void> {
    const adapter = this.adapters.get(thread.channel);
    if (!adapter) throw new Error(`no adapter for channel ${thread.channel}`);
    await this.store.transaction((tx) =>
      enqueueReply(tx, { tuning: this.tuning }, adapter, {
        userId: thread.user_id,
        profileId: profile.id,
        thread,
        text,
        target: JSON.parse(thread.reply_target) as Record<string, unknown>,
        idempotencyKey: `thread-reply:${thread.id}:${requestId}`,
        integrationId: thread.integration_id,
      }),
    );
    this.outboxWorker.wake();
  }
}
