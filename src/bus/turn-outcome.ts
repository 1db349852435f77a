import type { ChannelAdapter, InboundMessage, OutboundMessage } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import type { SharedWrite } from '../store/group-commit.ts';
import type { Store } from '../store/index.ts';
import { TURN_OUTCOMES } from './shared-writes.ts';
import type { InboxRow } from '../store/inbox.ts';
import type { NewMessage } from '../store/messages.ts';
import type { NewDelivery } from '../store/outbox.ts';
import type { ProfileRow } from '../store/profiles.ts';
import type { ThreadRow } from '../store/threads.ts';
import type { AgentResult, AgentTurn } from './runtimes/types.ts';
import type { SendSlot } from './lease-room.ts';
import type { ReplyLease } from '../store/leased-inserts.ts';

/** What every stage of a turn knows. */
export interface TurnBase {
  message: InboundMessage;
  userId: string;
  profile: ProfileRow;
  thread: ThreadRow;
  claim?: AgentTurn['claim'];
}

/** How a turn ended. */
export interface TurnOutcome extends TurnBase {
  /** The person's message was already committed by {@link commitTurnStart}. */
  started: boolean;
  result: AgentResult;
  failure?: string;
  attemptErrors: string[];
  /** The streamed message the reply finishes (a StreamSink's handle), if the reply was streamed. */
  streamHandle?: Record<string, unknown>;
}

/** What the commit stages need from the bus. */
export interface CommitDeps {
  tuning: BusTuning;
  commit: <T>(fn: (tx: Store) => Promise<T>) => Promise<T>;
  /** Adds an item to a write shared by the group commit's batch (turn outcomes). */
  share: <I>(write: SharedWrite<I>, item: I) => Promise<void>;
  wakeOutbox: () => void;
  /**
   * SQLite: a place among the outbox worker's sends, for a reply queued already leased to this
   * process and sent right after its commit (OutboxWorker.reserve); absent or undefined: queued pending.
   */
  reserveSend?: () => SendSlot | undefined;
}

/** Commits the person's message: the durable mark that the agent is about to get it. */
export async function commitTurnStart(d: CommitDeps, row: InboxRow, o: TurnBase): Promise<void> {
  await d.commit((tx) => recordUserMessage(tx, row, o));
}

async function recordUserMessage(tx: Store, row: InboxRow, o: TurnBase): Promise<void> {
  await tx.messages.add(userMessage(row, o));
}

/** The log entry of the person's message. */
function userMessage(row: InboxRow, o: TurnBase): NewMessage {
  return {
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
  };
}

/**
 * A turn that started before a crash, for a profile with `agent_delivery: at_most_once`: the agent is
 * not asked again. The log says so and the person is asked to send the message again if they still
 * need an answer.
 */
export async function commitInterrupted(d: CommitDeps, row: InboxRow, adapter: ChannelAdapter, o: TurnBase): Promise<void> {
  const reason = 'the hub restarted while the agent was answering; the message was not sent to the agent a second time';
  await commitTurn(d, row, adapter, {
    ...o,
    started: true,
    failure: reason,
    attemptErrors: [],
    result: { kind: 'reply', text: 'Sorry, I was interrupted while answering this message and could not finish. Please send it again if you still need an answer.' },
  });
}

/** Commits the end of a turn: errors, the reply, and the end of the inbox row, together. */
export async function commitTurn(d: CommitDeps, row: InboxRow, adapter: ChannelAdapter, o: TurnOutcome): Promise<void> {
  const reply: ReplyInput | undefined =
    o.result.kind === 'reply'
      ? {
          userId: o.userId,
          profileId: o.profile.id,
          thread: o.thread,
          text: o.result.text,
          replyToMessageId: o.message.messageId,
          target: o.message.replyTarget,
          idempotencyKey: `reply:${row.id}`,
          integrationId: o.message.integrationId,
          stream: o.streamHandle,
        }
      : undefined;
  // The turn's log entries, in order, go in as one statement.
  const log: NewMessage[] = [];
  // Without a turn-start mark (in-process agents), the person's message is recorded here.
  if (!o.started) log.push(userMessage(row, o));
  for (const reason of o.attemptErrors) {
    log.push({ userId: o.userId, threadId: o.thread.id, profileId: o.profile.id, type: 'error', direction: 'system', text: `Agent ${o.profile.name}: ${reason}`, meta: { inbox_id: row.id } });
  }
  if (o.failure) {
    log.push({ userId: o.userId, threadId: o.thread.id, profileId: o.profile.id, type: 'error', direction: 'system', text: `Agent ${o.profile.name} failed: ${o.failure}`, meta: { inbox_id: row.id } });
  }
  if (reply) log.push(replyLogEntry(reply));
  const delivery = reply ? replyDelivery(d, adapter, reply) : undefined;
  // Fenced: if another process took the row over meanwhile, this throws and the whole outcome rolls back.
  const finish = { id: row.id, status: o.failure ? ('failed' as const) : ('done' as const), error: o.failure, owner: row.lease_owner };
  const slot = delivery ? d.reserveSend?.() : undefined;
  // The inbox row's lease owner is this process: the reply is leased to the same owner.
  const lease: ReplyLease | undefined = slot && row.lease_owner ? { owner: row.lease_owner, leaseMs: d.tuning.leaseMs, behind: (key) => slot.behind(key) } : undefined;
  try {
    await d.share(TURN_OUTCOMES, { log, delivery, lease, threadId: o.thread.id, finish });
  } catch (e) {
    slot?.release();
    throw e;
  }
  if (lease?.row) return slot!.adopt(lease.row);
  slot?.release();
  // Queued pending behind an open send of its chat (or kept as it was): the end of that send wakes the worker.
  if (!lease && o.result.kind === 'reply') d.wakeOutbox();
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
  /** The streamed message this reply finishes (see OutboundMessage.stream). */
  stream?: Record<string, unknown>;
}

/** Logs an agent's reply and queues it through the thread's own integration (the adapter splits long texts). */
export async function enqueueReply(tx: Store, d: Pick<CommitDeps, 'tuning'>, adapter: ChannelAdapter, r: ReplyInput): Promise<void> {
  await tx.messages.add(replyLogEntry(r));
  await queueReply(tx, d, adapter, r);
}

/** The log entry of an agent's reply. */
function replyLogEntry(r: ReplyInput): NewMessage {
  return { userId: r.userId, threadId: r.thread.id, profileId: r.profileId, type: 'agent_response', direction: 'out', text: r.text, meta: { channel: r.thread.channel } };
}

/** Queues a reply through the thread's own integration. */
async function queueReply(tx: Store, d: Pick<CommitDeps, 'tuning'>, adapter: ChannelAdapter, r: ReplyInput): Promise<void> {
  await tx.outbox.enqueue([replyDelivery(d, adapter, r)]);
}

/** The delivery of a reply through the thread's own integration. */
function replyDelivery(d: Pick<CommitDeps, 'tuning'>, adapter: ChannelAdapter, r: ReplyInput): NewDelivery {
  const out: OutboundMessage = { text: r.text, format: 'markdown', target: r.target, replyToMessageId: r.replyToMessageId, ...(r.stream ? { stream: r.stream } : {}) };
  return {
    idempotencyKey: r.idempotencyKey,
    userId: r.userId,
    channel: r.thread.channel,
    integrationId: r.integrationId,
    threadId: r.thread.id,
    orderingKey: orderingKey(adapter, out, r.integrationId, r.thread.id),
    payload: out,
    maxAttempts: d.tuning.maxAttempts,
  };
}

/** The key under which a send is serialised: the adapter's (a chat), else the integration or thread. */
export function orderingKey(adapter: ChannelAdapter, out: OutboundMessage, integrationId: string | null, fallback: string): string {
  return adapter.orderingKey ? adapter.orderingKey(out, integrationId) : `${adapter.name}|${integrationId ?? fallback}`;
}
