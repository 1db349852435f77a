import type { SendResult } from '../channel/index.ts';
import type { SharedWrite } from '../store/group-commit.ts';
import type { TurnOutcomeWrite } from '../store/turn-outcomes.ts';

/**
 * The hot writes the group commit shares across the jobs of one batch (see GroupCommit.share):
 * callers close in time cost one statement per kind of row instead of one each. (Inbound appends
 * are not among them: sharing them per webhook measured slower than the adapters' own batching of
 * one event-loop turn's webhooks into one append, e.g. adapters/telegram InboxBatcher.)
 */

/** Turn outcomes: one statement per kind of row on PostgreSQL (TurnOutcomesRepo.writeMany). */
export const TURN_OUTCOMES: SharedWrite<TurnOutcomeWrite> = { writeAll: (tx, items) => tx.turns.writeMany(items) };

/** Sent marks: one statement on PostgreSQL (OutboxRepo.markSentMany). */
export const SENT_MARKS: SharedWrite<{ id: number; result: SendResult }> = { writeAll: (tx, items) => tx.outbox.markSentMany(items) };
