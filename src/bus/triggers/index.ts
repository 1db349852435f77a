import type { ChannelAdapter, HubEvent, IntegrationInfo, Logger } from '../../channel/index.ts';
import type { BusTuning } from '../../config.ts';
import type { Store } from '../../store/index.ts';
import type { Bus } from '../index.ts';
import { createTriggerChannel } from './agent-channel.ts';
import { TriggerDispatcher } from './dispatcher.ts';
import { deliveryFailedIn, listenToOutbox, unhealthyEvent } from './hub-events.ts';
import type { OutboxWorker } from '../outbox-worker.ts';
import { DEFAULT_SCHEDULER_POLL_MS, Scheduler } from './scheduler.ts';
import { createTriggerUrlChannel } from './url-channel.ts';

export { DEFAULT_POLL_INTERVAL, EVENT_CATALOG, POLL_INTERVALS, SCHEDULE_INTERVALS, eventSpec, eventsFor, virtualEventsOf, type EventSpec } from './catalog.ts';
export { messageReceivedEvent } from './message-event.ts';
export { TRIGGER_CHANNEL, TRIGGER_URL_CHANNEL } from './firing.ts';

/** Options of the triggers part of the hub. */
export interface TriggerOptions {
  /** The schedule's clock, epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** How often the scheduler looks for due ticks, ms. Default 15 000. */
  schedulerPollMs?: number;
}

/** What {@link Triggers} is built from. */
export interface TriggerDeps {
  store: Store;
  tuning: BusTuning;
  log: Logger;
  allowPrivateUrls: readonly string[];
  /** The bus, once built (the channels and the wake-ups need it). */
  bus: () => Bus;
}

/**
 * The triggers of the hub: the event bus (`emit`), the scheduler, and the two internal channels
 * (`trigger` for agent turns through the inbox, `trigger-url` for signed URL calls through the outbox).
 */
export class Triggers {
  readonly channels: ChannelAdapter[];
  readonly scheduler: Scheduler;
  private readonly dispatcher: TriggerDispatcher;
  private readonly wakeWorkers: () => void;

  constructor(private readonly d: TriggerDeps, o: TriggerOptions = {}) {
    const wake = (this.wakeWorkers = () => {
      d.bus().inboxWorker.wake();
      d.bus().outboxWorker.wake();
    });
    this.dispatcher = new TriggerDispatcher(d.store, wake, d.log);
    this.scheduler = new Scheduler(d.store, wake, d.log, o.clock ?? Date.now, o.schedulerPollMs ?? DEFAULT_SCHEDULER_POLL_MS);
    this.channels = [createTriggerChannel(d.store, d.bus, d.tuning), createTriggerUrlChannel(d.store, { allowPrivateUrls: d.allowPrivateUrls, timeoutMs: d.tuning.sendTimeoutMs })];
  }

  /** Fires the triggers an event wakes; resolves after their work is committed, with how many fired. */
  emit(e: HubEvent): Promise<number> {
    return this.dispatcher.emit(e);
  }

  /** Writes the firings of `e` inside `tx` (they commit with it); call {@link wake} after the commit. */
  fireIn(tx: Store, e: HubEvent): Promise<number> {
    return this.dispatcher.fireIn(tx, e);
  }

  /**
   * An integration just turned unhealthy (`before`: the row as it was): writes the
   * `integration.unhealthy` firings inside `tx`, the transaction of the status change.
   */
  statusChanged(tx: Store, before: IntegrationInfo, reason: string | null): Promise<number> {
    return this.dispatcher.fireIn(tx, unhealthyEvent(before, reason));
  }

  /** Wakes the workers that run firings (after a commit that wrote some). */
  wake(): void {
    this.wakeWorkers();
  }

  /**
   * Follows the outbox worker: failed deliveries and the integrations they turn unhealthy fire in
   * the failure's own transaction; a url trigger's successful delivery heals that trigger.
   */
  attach(worker: Pick<OutboxWorker, 'events' | 'failureHooks'>): void {
    worker.failureHooks = {
      deliveryFailed: async (tx, row) => void (await deliveryFailedIn(tx, row, (t, e) => this.fireIn(t, e))),
      integrationUnhealthy: async (tx, before, reason) => void (await this.statusChanged(tx, before, reason)),
      committed: () => this.wakeWorkers(),
    };
    listenToOutbox(worker.events, this.d.store, this.d.log);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}
