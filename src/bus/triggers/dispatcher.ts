import type { HubEvent, Logger } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import { eventSpec } from './catalog.ts';
import { fireInTx } from './firing.ts';

/**
 * Turns hub events into trigger firings: finds the user's active triggers on the event (on its
 * integration, or on the hub), commits one inbox or outbox row per trigger in one transaction, and
 * wakes the workers. Paused triggers are skipped: their events are not kept for later.
 */
export class TriggerDispatcher {
  constructor(
    private readonly store: Store,
    private readonly wake: () => void,
    private readonly log: Logger,
  ) {}

  /** Fires what `e` wakes; resolves after the commit with how many triggers fired. Throws when the commit fails. */
  async emit(e: HubEvent): Promise<number> {
    if (!eventSpec(e.type)) throw new Error(`unknown hub event type ${e.type}`);
    const triggers = await this.store.triggers.matching(e.userId, e.type, e.integrationId);
    if (triggers.length === 0) return 0;
    await this.store.transaction(async (tx) => {
      for (const t of triggers) await fireInTx(tx, t, e);
    });
    this.log.info({ event: e.type, source: e.sourceId, triggers: triggers.map((t) => t.id) }, 'triggers fired');
    this.wake();
    return triggers.length;
  }
}
