import type { ChannelAdapter, HubEvent, InboundDecision, InboundMessage, Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { SharedWrite } from '../store/group-commit.ts';
import type { Store } from '../store/index.ts';
import type { InboxRow } from '../store/inbox.ts';
import type { ProfileRow } from '../store/profiles.ts';
import { timeTurn } from '../metrics/index.ts';
import { routeMessage } from './router.ts';
import { messageReceivedEvent } from './triggers/message-event.ts';
import type { AgentResult, AgentRuntime, AgentTurn } from './runtimes/types.ts';
import { AgentError } from './runtimes/types.ts';
import { openTurnStream } from './turn-stream.ts';
import { commitInterrupted, commitTurn, commitTurnStart, orderingKey, type CommitDeps } from './turn-outcome.ts';

/** What the person in chat is told when the agent failed; the reason is only in the logs. */
export const AGENT_UNREACHABLE_REPLY = 'Sorry, the agent could not be reached. Please try again later.';

/** How many earlier messages an agent sees. */
const HISTORY_LIMIT = 20;

/** What {@link createTurnHandler} needs. */
export interface TurnDeps {
  store: Store;
  adapters: ReadonlyMap<string, ChannelAdapter>;
  runtimeFor: (profile: ProfileRow, onAttemptFailed: (attempt: number, reason: string) => void) => AgentRuntime;
  tuning: BusTuning;
  log: Logger;
  /** Called after replies were committed to the outbox. */
  wakeOutbox: () => void;
  /** SQLite: a place for a reply queued already leased to this process (see CommitDeps.reserveSend). */
  reserveSend?: CommitDeps['reserveSend'];
  /** Runs a write in a transaction shared with other writes close in time (group commit). */
  commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T>;
  /** Adds an item to a write shared by the group commit's batch (turn outcomes). */
  share: <I>(write: SharedWrite<I>, item: I) => Promise<void>;
  /** Hub events for triggers (`message.received`); resolves once their firings are committed. */
  events?: { emit(event: HubEvent): Promise<number> };
}

/**
 * The inbox handler: interpret the event with its adapter, route it to a profile, commit the
 * person's message (the durable mark that the turn started), run one agent turn, then commit the
 * reply and the end of the inbox row together. A crash before the mark re-runs the whole handling;
 * after the final commit nothing is repeated. A crash between the two (the agent may have had the
 * message) sends the turn to the agent again with the same `webhook-id` (the profile's
 * `agent_delivery` is `at_least_once`, the default), or, with `at_most_once`, never asks the agent
 * again and tells the person instead. Every end of the row is fenced by its lease: an outcome
 * computed after another process took the row over is rolled back (LeaseLostError).
 */
export function createTurnHandler(d: TurnDeps) {
  return async function handleInboxRow(row: InboxRow, retry = 0): Promise<void> {
    const adapter = d.adapters.get(row.channel);
    if (!adapter?.interpret) return d.store.inbox.finish(row.id, 'ignored', `no inbound adapter for ${row.channel}`, row.lease_owner);
    const decision = await adapter.interpret({
      id: row.id,
      channel: row.channel,
      source: row.source,
      externalEventId: row.external_event_id,
      payload: JSON.parse(row.payload),
    });
    if (decision.kind === 'ignored') return ignore(d, row, decision);
    if (decision.kind === 'handled') return handled(d, row, adapter, decision);
    if (decision.kind === 'event') return fireEvents(d, row, decision);
    // Hook point for triggers: a chat message on an integration fires `message.received` (deduped on the row).
    if (decision.message.integrationId) await d.events?.emit(messageReceivedEvent(row.id, decision.userId, decision.message));
    return converse(d, row, adapter, decision, retry);
  };
}

async function ignore(d: TurnDeps, row: InboxRow, dec: Extract<InboundDecision, { kind: 'ignored' }>): Promise<void> {
  d.log.info({ inbox: row.id, channel: row.channel, reason: dec.reason }, 'inbound event not routed');
  await d.commit(async (tx) => {
    if (dec.userId && dec.policy) {
      await tx.messages.add({
        userId: dec.userId,
        type: 'policy',
        direction: 'system',
        text: `Dropped a ${row.channel} message: ${dec.reason}`,
        meta: { inbox_id: row.id, integration_id: dec.integrationId ?? null, reason: dec.reason },
        inboxId: row.id,
      });
    }
    await tx.inbox.finish(row.id, 'ignored', dec.reason, row.lease_owner);
  });
}

/**
 * An event for triggers, not a turn: each is fired (committed, deduped on its `sourceId`), then the
 * row ends. A crash between the two fires again on the re-run, which the dedupe makes a no-op.
 */
async function fireEvents(d: TurnDeps, row: InboxRow, dec: Extract<InboundDecision, { kind: 'event' }>): Promise<void> {
  let fired = 0;
  for (const e of dec.events) fired += (await d.events?.emit(e)) ?? 0;
  const note = `${dec.note}; ${fired} trigger${fired === 1 ? '' : 's'} fired`;
  d.log.info({ inbox: row.id, channel: row.channel, events: dec.events.map((e) => e.type), fired }, 'inbound event for triggers');
  await d.commit((tx) => tx.inbox.finish(row.id, 'done', note, row.lease_owner));
}

async function handled(d: TurnDeps, row: InboxRow, adapter: ChannelAdapter, dec: Extract<InboundDecision, { kind: 'handled' }>): Promise<void> {
  await d.commit(async (tx) => {
    for (const [i, reply] of dec.replies.entries()) {
      await tx.outbox.enqueue([
        {
          idempotencyKey: `inbox:${row.id}:handled:${i}`,
          userId: dec.userId ?? '',
          channel: row.channel,
          integrationId: dec.integrationId ?? null,
          orderingKey: orderingKey(adapter, reply, dec.integrationId ?? null, row.source),
          payload: reply,
          maxAttempts: d.tuning.maxAttempts,
        },
      ]);
    }
    await tx.inbox.finish(row.id, 'done', dec.note, row.lease_owner);
  });
  if (dec.replies.length) d.wakeOutbox();
}

async function converse(d: TurnDeps, row: InboxRow, adapter: ChannelAdapter, dec: Extract<InboundDecision, { kind: 'message' }>, retry: number): Promise<void> {
  const { message, userId } = dec;
  const route = await routeMessage(d.store, message, userId, dec.profileId);
  if (!route.ok) return ignore(d, row, { kind: 'ignored', reason: route.reason, userId, integrationId: message.integrationId, policy: true });
  const { profile, claim } = route;
  const threadInput = {
    userId,
    profileId: profile.id,
    channel: message.channel,
    integrationId: message.integrationId,
    scope: message.integrationId ?? `profile:${profile.id}`,
    externalKey: message.threadKey,
    replyTarget: message.replyTarget,
  };
  // Usually a read; a new or changed thread is written in the group commit, not in a commit of its own.
  const thread = (await d.store.threads.current(threadInput)) ?? (await d.commit((tx) => tx.threads.upsert(threadInput)));
  const base = { message, userId, profile, thread, claim };
  // The turn started before a crash: the agent may already have had this message.
  // Only a row handled before (claimed again, or retried in place here) can have one: a first try skips the read.
  const mark = row.attempts > 1 || retry > 0 ? await d.store.messages.byInboxId(row.id) : undefined;
  if (mark && profile.agent_delivery === 'at_most_once') return commitInterrupted(d, row, adapter, base);
  if (mark) d.log.warn({ inbox: row.id, profile: profile.id, turn: turnId(row) }, 'redelivering a turn a restart interrupted, with the same webhook-id');
  const attemptErrors: string[] = [];
  const runtime = d.runtimeFor(profile, (attempt, reason) => attemptErrors.push(`attempt ${attempt}: ${reason}`));
  const limit = runtime.historyLimit ?? HISTORY_LIMIT;
  let history = runtime.wantsHistory === false ? [] : await d.store.messages.history(thread.id, Number(thread.reset_at), limit + 1);
  // A redelivered turn shows the agent the history it saw the first time: what came before the mark.
  if (mark) history = history.filter((h) => Number(h.id) < Number(mark.id));
  history = history.slice(-limit);
  // A pure in-process agent (echo) can be re-run after a crash without anyone noticing: no mark needed.
  const started = Boolean(mark) || !runtime.inProcess;
  if (started && !mark) await commitTurnStart(d, row, base);
  const turn: AgentTurn = {
    turnId: turnId(row),
    profile: { id: profile.id, name: profile.name, userId: profile.user_id },
    thread: { id: thread.id, channel: thread.channel },
    message: { ...message, id: `${row.id}` },
    history: history.map((h) => ({
      role: h.type === 'user_message' ? 'user' : 'agent',
      text: h.text,
      at: new Date(Number(h.created_at)).toISOString(),
    })),
    claim,
    event: triggerEvent(message),
  };
  const stopTyping = showTyping(adapter, message, d.tuning.typingDelayMs);
  // Hook: a live preview of the reply, for runtimes that stream (src/bus/turn-stream.ts).
  const stream = runtime.streams ? await openTurnStream(d.store, adapter, row, base, mark !== undefined) : undefined;
  turn.stream = stream;
  let result: AgentResult;
  let failure: string | undefined;
  try {
    result = await timeTurn(profile.agent_kind, () => runtime.run(turn));
  } catch (e) {
    // The reason (addresses, network errors) goes to the logs and the owner's message log, never to the chat.
    failure = e instanceof AgentError ? e.message : `agent failed: ${(e as Error).message}`;
    d.log.warn({ inbox: row.id, profile: profile.id, thread: thread.id, reason: failure }, 'agent turn failed; the person was sent an apology');
    result = { kind: 'reply', text: (e instanceof AgentError && e.apology) || AGENT_UNREACHABLE_REPLY };
  } finally {
    stopTyping();
  }
  const streamHandle = await stream?.finish();
  await commitTurn(d, row, adapter, { ...base, started, result, failure, attemptErrors, streamHandle });
}

/**
 * The turn's id, sent as `webhook-id`: derived from the inbox row, so every process that delivers
 * the turn (again, after a crash) sends the same one.
 */
function turnId(row: InboxRow): string {
  return `turn_${row.id}`;
}

/**
 * Shows "typing…" through the adapter once the agent has worked `delayMs`, and keeps it up every
 * 4.5 s (platforms drop it after about 5 s). Returns the function that stops it.
 */
function showTyping(adapter: ChannelAdapter, message: InboundMessage, delayMs: number): () => void {
  if (!adapter.working) return () => {};
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    adapter.working!(message).catch(() => undefined);
    timer = setTimeout(tick, 4500);
  };
  if (delayMs <= 0) tick();
  else timer = setTimeout(tick, delayMs);
  return () => clearTimeout(timer);
}

export { enqueueReply, orderingKey } from './turn-outcome.ts';
export type { ReplyInput } from './turn-outcome.ts';

/** For a trigger's turn (channel `trigger`): the event that fired, as runtimes read it. */
function triggerEvent(message: InboundMessage): AgentTurn['event'] {
  if (message.channel !== 'trigger') return undefined;
  const raw = message.raw as { event?: { type?: unknown; data?: unknown } } | undefined;
  return typeof raw?.event?.type === 'string' ? { type: raw.event.type, payload: raw.event.data } : undefined;
}
