import type { ChannelAdapter, InboundDecision, InboundMessage, Logger, OutboundMessage } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { Store } from '../store/index.ts';
import type { InboxRow } from '../store/inbox.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { ThreadRow } from '../store/threads.ts';
import { routeMessage } from './router.ts';
import type { AgentResult, AgentRuntime, AgentTurn } from './runtimes/types.ts';
import { AgentError } from './runtimes/types.ts';

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
  /** Runs a write in a transaction shared with other writes close in time (group commit). */
  commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T>;
}

/**
 * The inbox handler: interpret the event with its adapter, route it to a profile, run one agent
 * turn, and commit the log entries, the replies and the end of the inbox row in one transaction.
 * A crash before that commit leaves the row to be handled again; after it, nothing is handled twice.
 */
export function createTurnHandler(d: TurnDeps) {
  return async function handleInboxRow(row: InboxRow): Promise<void> {
    const adapter = d.adapters.get(row.channel);
    if (!adapter?.interpret) return d.store.inbox.finish(row.id, 'ignored', `no inbound adapter for ${row.channel}`);
    const decision = await adapter.interpret({
      id: row.id,
      channel: row.channel,
      source: row.source,
      externalEventId: row.external_event_id,
      payload: JSON.parse(row.payload),
    });
    if (decision.kind === 'ignored') return ignore(d, row, decision);
    if (decision.kind === 'handled') return handled(d, row, adapter, decision);
    return converse(d, row, adapter, decision);
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
    await tx.inbox.finish(row.id, 'ignored', dec.reason);
  });
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
    await tx.inbox.finish(row.id, 'done', dec.note);
  });
  if (dec.replies.length) d.wakeOutbox();
}

async function converse(d: TurnDeps, row: InboxRow, adapter: ChannelAdapter, dec: Extract<InboundDecision, { kind: 'message' }>): Promise<void> {
  const { message, userId } = dec;
  const route = await routeMessage(d.store, message, userId, dec.profileId);
  if (!route.ok) return ignore(d, row, { kind: 'ignored', reason: route.reason, userId, integrationId: message.integrationId, policy: true });
  const { profile, claim } = route;
  const thread = await d.store.threads.upsert({
    userId,
    profileId: profile.id,
    channel: message.channel,
    integrationId: message.integrationId,
    scope: message.integrationId ?? `profile:${profile.id}`,
    externalKey: message.threadKey,
    replyTarget: message.replyTarget,
  });
  const attemptErrors: string[] = [];
  const runtime = d.runtimeFor(profile, (attempt, reason) => attemptErrors.push(`attempt ${attempt}: ${reason}`));
  const history = runtime.wantsHistory === false ? [] : await d.store.messages.history(thread.id, Number(thread.reset_at), HISTORY_LIMIT);
  const turn: AgentTurn = {
    turnId: `turn_${row.id}`,
    profile: { id: profile.id, name: profile.name, userId: profile.user_id },
    thread: { id: thread.id, channel: thread.channel },
    message: { ...message, id: `${row.id}` },
    history: history.map((h) => ({
      role: h.type === 'user_message' ? 'user' : 'agent',
      text: h.text,
      at: new Date(Number(h.created_at)).toISOString(),
    })),
    claim,
  };
  adapter.working?.(message).catch(() => undefined);
  let result: AgentResult;
  let failure: string | undefined;
  try {
    result = await runtime.run(turn);
  } catch (e) {
    failure = e instanceof AgentError ? e.message : `agent failed: ${(e as Error).message}`;
    result = { kind: 'reply', text: `Sorry, the agent could not answer right now (${failure}). Your message was saved.` };
  }
  await commitTurn(d, row, adapter, { message, userId, profile, thread, result, failure, attemptErrors, claim: turn.claim });
}

interface TurnOutcome {
  message: InboundMessage;
  userId: string;
  profile: ProfileRow;
  thread: ThreadRow;
  result: AgentResult;
  failure?: string;
  attemptErrors: string[];
  claim?: AgentTurn['claim'];
}

async function commitTurn(d: TurnDeps, row: InboxRow, adapter: ChannelAdapter, o: TurnOutcome): Promise<void> {
  const now = Date.now();
  await d.commit(async (tx) => {
    await tx.messages.add({
      userId: o.userId,
      threadId: o.thread.id,
      profileId: o.profile.id,
      type: 'user_message',
      direction: 'in',
      text: o.message.text,
      inboxId: row.id,
      meta: {
        channel: o.message.channel,
        message_id: o.message.messageId,
        sender: o.message.sender,
        attachments: o.message.attachments,
        reply_to: o.message.replyTo ?? null,
        edited: o.message.edited ?? false,
        claim: o.claim?.notificationId ?? null,
      },
    });
    for (const reason of o.attemptErrors) {
      await tx.messages.add({ userId: o.userId, threadId: o.thread.id, profileId: o.profile.id, type: 'error', direction: 'system', text: `Agent ${o.profile.name}: ${reason}`, meta: { inbox_id: row.id } });
    }
    if (o.failure) {
      await tx.messages.add({ userId: o.userId, threadId: o.thread.id, profileId: o.profile.id, type: 'error', direction: 'system', text: `Agent ${o.profile.name} failed: ${o.failure}`, meta: { inbox_id: row.id } });
    }
    if (o.result.kind === 'reply') {
      await enqueueReply(tx, d, adapter, {
        userId: o.userId,
        profileId: o.profile.id,
        thread: o.thread,
        text: o.result.text,
        replyToMessageId: o.message.messageId,
        target: o.message.replyTarget,
        idempotencyKey: `reply:${row.id}`,
        integrationId: o.message.integrationId,
      });
    }
    await tx.threads.touch(o.thread.id, now);
    await tx.inbox.finish(row.id, o.failure ? 'failed' : 'done', o.failure);
  });
  if (o.result.kind === 'reply') d.wakeOutbox();
}

/** Input of {@link enqueueReply}. */
export interface ReplyInput {
  userId: string;
  profileId: string;
  thread: ThreadRow;
  text: string;
  target: Record<string, unknown>;
  replyToMessageId?: string;
  /** The delivery's idempotency key. */
  idempotencyKey: string;
  integrationId: string | null;
}

/** Logs an agent's reply and queues it through the thread's own integration (the adapter splits long texts). */
export async function enqueueReply(tx: Store, d: Pick<TurnDeps, 'tuning'>, adapter: ChannelAdapter, r: ReplyInput): Promise<void> {
  await tx.messages.add({
    userId: r.userId,
    threadId: r.thread.id,
    profileId: r.profileId,
    type: 'agent_response',
    direction: 'out',
    text: r.text,
    meta: { channel: r.thread.channel },
  });
  const out: OutboundMessage = { text: r.text, format: 'markdown', target: r.target, replyToMessageId: r.replyToMessageId };
  await tx.outbox.enqueue([
    {
      idempotencyKey: r.idempotencyKey,
      userId: r.userId,
      channel: r.thread.channel,
      integrationId: r.integrationId,
      threadId: r.thread.id,
      orderingKey: orderingKey(adapter, out, r.integrationId, r.thread.id),
      payload: out,
      maxAttempts: d.tuning.maxAttempts,
    },
  ]);
}

/** The key under which a send is serialised: the adapter's (a chat), else the integration or thread. */
export function orderingKey(adapter: ChannelAdapter, out: OutboundMessage, integrationId: string | null, fallback: string): string {
  return adapter.orderingKey ? adapter.orderingKey(out, integrationId) : `${adapter.name}|${integrationId ?? fallback}`;
}
