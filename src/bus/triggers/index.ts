import type { EventEmitter } from 'node:events';
import type { ChannelAdapter, HubEvent, IntegrationInfo, Logger } from '../../channel/index.ts';
import type { BusTuning } from '../../config.ts';
import type { Store } from '../../store/index.ts';
import type { Bus } from '../index.ts';
import { createTriggerChannel } from './agent-channel.ts';
import { TriggerDispatcher } from './dispatcher.ts';
import { listenToOutbox, unhealthyEvent } from './hub-events.ts';
import { DEFAULT_SCHEDULER_POLL_MS, Scheduler } from './scheduler.ts';
import { createTriggerUrlChannel } from './url-channel.ts';

export { EVENT_CATALOG, SCHEDULE_INTERVALS, eventSpec, eventsFor, type EventSpec } from './catalog.ts';
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

  constructor(private readonly d: TriggerDeps, o: TriggerOptions = {}) {
    const wake = () => {
      d.bus().inboxWorker.wake();
      d.bus().outboxWorker.wake();
    };
    this.dispatcher = new TriggerDispatcher(d.store, wake, d.log);
    this.scheduler = new Scheduler(d.store, wake, d.log, o.clock ?? Date.now, o.schedulerPollMs ?? DEFAULT_SCHEDULER_POLL_MS);
    this.channels = [createTriggerChannel(d.store, d.bus, d.tuning), createTriggerUrlChannel(d.store, { allowPrivateUrls: d.allowPrivateUrls, timeoutMs: d.tuning.sendTimeoutMs })];
  }

  /** Fires the triggers an event wakes; resolves after their work is committed, with how many fired. */
  emit(e: HubEvent): Promise<number> {
    return this.dispatcher.emit(e);
  }

  /** An adapter turned an integration unhealthy: fires `integration.unhealthy` (errors are logged). */
  statusChanged(before: IntegrationInfo, reason: string | null): void {
    this.emit(unhealthyEvent(before, reason)).catch((err) => this.d.log.error({ err, integration: before.id }, 'integration.unhealthy triggers failed'));
  }

  /** Follows the outbox worker's events (failed deliveries, unhealthy integrations, url trigger outcomes). */
  attach(outboxEvents: EventEmitter): void {
    listenToOutbox(outboxEvents, this.d.store, (e) => this.emit(e), this.d.log);
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}
