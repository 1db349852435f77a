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
    // Most events wake nothing: a (cached) read says so without opening a transaction.
    if (!eventSpec(e.type)) throw new Error(`unknown hub event type ${e.type}`);
    if ((await this.store.triggers.matching(e.userId, e.type, e.integrationId)).length === 0) return 0;
    const fired = await this.store.transaction((tx) => this.fireIn(tx, e));
    if (fired) this.wake();
    return fired;
  }

  /**
   * Writes the firings of `e` inside the caller's transaction `tx`, so they commit (or roll back)
   * with what caused them (a dead-letter, a status change). The caller wakes the workers after its
   * commit. Resolves with how many triggers fired; a repeat of the same `sourceId` writes nothing new.
   */
  async fireIn(tx: Store, e: HubEvent): Promise<number> {
    if (!eventSpec(e.type)) throw new Error(`unknown hub event type ${e.type}`);
    const triggers = await tx.triggers.matching(e.userId, e.type, e.integrationId);
    for (const t of triggers) await fireInTx(tx, t, e);
    if (triggers.length) this.log.info({ event: e.type, source: e.sourceId, triggers: triggers.map((t) => t.id) }, 'triggers fired');
    return triggers.length;
  }
}
