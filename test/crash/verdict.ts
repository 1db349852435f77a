/**
 * Judges a crash run from what the outside world saw (the fake Bot API, the webhook receiver, the
 * agent) and two database snapshots (rows in flight at the kill, rows unfinished at the end). Every
 * problem is one line that names the chat, message, notification or key, so a failure says exactly
 * what broke.
 */
import type { AgentCall } from '../fakes/agent-server.ts';
import type { FakeSent } from '../fakes/telegram-api.ts';
import type { ReceivedHook } from '../fakes/webhook-receiver.ts';
import type { OpenRows } from './snapshot.ts';
import type { SentMessage, Traffic } from './traffic.ts';

/** What a run produced. */
export interface CrashRun {
  traffic: Traffic;
  /** The bot's sendMessage calls to the test's chats, in arrival order. */
  sent: FakeSent[];
  hooks: ReceivedHook[];
  agentCalls: AgentCall[];
  /** Epoch ms of the SIGKILL. */
  killAt: number;
  /** Agent calls unanswered when the SIGKILL was sent. */
  turnsOpenAtKill: number;
  /** Epoch ms recovery is measured from: the restarted process's READY, or the kill when a replica survives. */
  resumeFrom: number;
  /** Rows in flight right after the kill. */
  atKill: OpenRows;
  /** Rows unfinished once the run was stopped. */
  atEnd: OpenRows;
  /**
   * True when `atKill` holds only the dead process's rows (a single process). With a surviving
   * replica it also holds the survivor's, so "interrupted" can only be judged from the outcome.
   */
  exact: boolean;
  /** Longest allowed time from `resumeFrom` until the last row in flight at the kill is finished (ms). */
  recoveryLimitMs: number;
}

/** Problems by what they break, and the figures of the run. */
export interface Verdict {
  problems: { lost: string[]; replies: string[]; order: string[]; repeats: string[]; agent: string[]; recovery: string[] };
  stats: Record<string, number>;
}

const MAX_LINES = 20;
/** The first lines of a list, and how many more there were. */
export function cap(lines: string[]): string[] {
  return lines.length <= MAX_LINES ? lines : [...lines.slice(0, MAX_LINES), `… and ${lines.length - MAX_LINES} more`];
}

const group = <T, K>(items: T[], key: (t: T) => K | undefined): Map<K, T[]> => {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === undefined) continue;
    m.set(k, [...(m.get(k) ?? []), it]);
  }
  return m;
};

const label = (m: SentMessage) => `chat ${m.chatId} #${m.index} (message_id ${m.messageId})`;
const NOTIFY_TEXT = /^notify \d+$/;
const SEND_AGAIN = /interrupted|send it again/i;

/** Judges a run; see {@link Verdict}. */
export function judge(run: CrashRun): Verdict {
  const p: Verdict['problems'] = { lost: [], replies: [], order: [], repeats: [], agent: [], recovery: [] };
  const byMessageId = new Map(run.traffic.messages.map((m) => [m.messageId, m]));
  const replies = group(run.sent, (s) => s.reply_to);
  const hooks = group(
    run.hooks.filter((h) => NOTIFY_TEXT.test(h.json?.data?.message ?? '')),
    (h) => h.json.data.message as string,
  );
  const inFlightReplies = new Set(run.atKill.outbox.map((r) => r.replyToMessageId).filter((x) => x !== undefined));
  const inFlightNotifications = new Set(run.atKill.outbox.map((r) => r.notificationId).filter((x) => x !== null));
  const inFlightInbox = new Set(run.atKill.inbox.map((r) => r.messageId).filter((x) => x !== undefined));

  // Lost: every message answered, every notify delivered, every post acknowledged, nothing left open.
  p.lost.push(...run.traffic.failures);
  for (const m of run.traffic.messages) if (!replies.has(m.messageId)) p.lost.push(`${label(m)} "${m.text}" was never answered`);
  for (const n of run.traffic.notifies) if (!hooks.has(n.text)) p.lost.push(`notify ${n.key} (notification ${n.notificationId ?? 'not accepted'}) was never delivered`);
  for (const r of run.atEnd.inbox) p.lost.push(`inbox row ${r.id} (message_id ${r.messageId ?? '?'}) still ${r.status} at the end`);
  for (const r of run.atEnd.outbox) p.lost.push(`outbox row ${r.id} (${r.channel}, key ${r.idempotencyKey}) still ${r.status} at the end`);

  // Replies: each is the agent's answer to its own message; nobody is asked to send it again.
  for (const s of run.sent) {
    const m = s.reply_to === undefined ? undefined : byMessageId.get(s.reply_to);
    if (!m) p.replies.push(`chat ${s.chat_id} got "${s.text}" answering no message the test sent (reply_to ${s.reply_to})`);
    else if (SEND_AGAIN.test(s.text)) p.replies.push(`${label(m)} was answered "${s.text.slice(0, 80)}…" instead of by the agent`);
    else if (s.text !== `agent: ${m.text}`) p.replies.push(`${label(m)} was answered "${s.text.slice(0, 80)}", expected "agent: ${m.text}"`);
  }

  // Order: per chat, replies arrive in the order the messages were sent; a repeat never follows a newer reply.
  for (const [chatId, list] of run.traffic.byChat) {
    let newest = -1;
    const seen = new Set<number>();
    for (const s of run.sent.filter((x) => x.chat_id === chatId)) {
      const m = s.reply_to === undefined ? undefined : byMessageId.get(s.reply_to);
      if (!m) continue;
      if (m.index < newest) {
        p.order.push(`chat ${chatId}: the ${seen.has(m.index) ? 'repeated ' : ''}reply to #${m.index} arrived after the reply to #${newest} (of ${list.length})`);
        break;
      }
      newest = m.index;
      seen.add(m.index);
    }
  }

  // Turn order: the agent gets a message only after every older message of its chat went to it (its last time).
  const callsByMessage = group(run.agentCalls, (c) => Number(c.body?.message?.messageId));
  for (const [chatId, list] of run.traffic.byChat) {
    for (let i = 1; i < list.length; i++) {
      const first = Math.min(...(callsByMessage.get(list[i].messageId) ?? []).map((c) => c.startedAt));
      if (!Number.isFinite(first)) continue;
      const behind = list.slice(0, i).find((older) => !((callsByMessage.get(older.messageId) ?? []).length && Math.max(...callsByMessage.get(older.messageId)!.map((c) => c.startedAt)) <= first));
      if (behind) {
        p.order.push(`chat ${chatId}: the agent got #${i} while the older #${behind.index} ${(callsByMessage.get(behind.messageId) ?? []).length ? 'was given to it again only later' : 'had not been given to it yet'}`);
        break;
      }
    }
  }

  // Repeats: only sends in flight at the kill, each copy the same send (same text, same webhook-id).
  let tgRepeats = 0;
  for (const [messageId, copies] of replies) {
    if (copies.length < 2) continue;
    tgRepeats += copies.length - 1;
    const m = byMessageId.get(messageId);
    const name = m ? label(m) : `message_id ${messageId}`;
    const early = copies.filter((c) => c.at < run.killAt).length;
    if (early > 1) p.repeats.push(`Telegram: ${name} was answered ${early} times before the kill: a repeat no crash caused`);
    if (copies.length > 2) p.repeats.push(`Telegram: ${name} was answered ${copies.length} times; one crash explains one repeat`);
    if (!inFlightReplies.has(messageId)) p.repeats.push(`Telegram: ${name} was answered ${copies.length} times, but its reply was not in flight at the kill`);
    if (new Set(copies.map((c) => c.text)).size > 1) p.repeats.push(`Telegram: ${name} got different replies: ${copies.map((c) => JSON.stringify(c.text)).join(', ')}`);
  }
  let hookRepeats = 0;
  const notifyByText = new Map(run.traffic.notifies.map((n) => [n.text, n]));
  for (const [text, copies] of hooks) {
    const n = notifyByText.get(text)!;
    const ids = [...new Set(copies.map((c) => String(c.headers['webhook-id'])))];
    if (ids.length > 1) p.repeats.push(`webhook: notify ${n.key} arrived under ${ids.length} webhook-ids: ${ids.join(', ')}`);
    if (copies.length < 2) continue;
    hookRepeats += copies.length - 1;
    const early = copies.filter((c) => c.at < run.killAt).length;
    if (early > 1) p.repeats.push(`webhook: notify ${n.key} (webhook-id ${ids[0]}) was delivered ${early} times before the kill: a repeat no crash caused`);
    if (copies.length > 2) p.repeats.push(`webhook: notify ${n.key} (webhook-id ${ids[0]}) was delivered ${copies.length} times; one crash explains one repeat`);
    const notificationIds = new Set(copies.map((c) => c.json.data.notification_id));
    if (![...notificationIds].some((id) => inFlightNotifications.has(id))) {
      p.repeats.push(`webhook: notify ${n.key} (webhook-id ${ids[0]}) was delivered ${copies.length} times, but it was not in flight at the kill`);
    }
  }

  // Agent: one webhook-id per message; a second call only for a turn in flight; an interrupted turn is delivered again.
  const calls = callsByMessage;
  let redelivered = 0;
  for (const [messageId, list] of calls) {
    const m = byMessageId.get(messageId);
    const name = m ? label(m) : `message_id ${messageId}`;
    const ids = [...new Set(list.map((c) => String(c.headers['webhook-id'])))];
    if (ids.length > 1) p.agent.push(`${name} reached the agent under ${ids.length} webhook-ids: ${ids.join(', ')}`);
    if (list.length > 1 && !inFlightInbox.has(messageId)) p.agent.push(`${name} reached the agent ${list.length} times, but its turn was not in flight at the kill`);
    const before = list.filter((c) => c.startedAt < run.killAt);
    const after = list.filter((c) => c.startedAt >= run.killAt);
    // A call in transit at the kill may land just after it, so only "before" is exact.
    if (before.length > 1) p.agent.push(`${name} reached the agent ${before.length} times before the kill (at ${before.map((c) => c.startedAt - run.killAt).join(', ')} ms from it): a second turn no crash caused`);
    if (list.length > 2) p.agent.push(`${name} reached the agent ${list.length} times; one crash explains one redelivery`);
    if (before.length && after.length) redelivered++;
    if (run.exact && inFlightInbox.has(messageId) && before.length && !after.some((c) => before.some((b) => b.headers['webhook-id'] === c.headers['webhook-id']))) {
      p.agent.push(`${name}: its turn was interrupted by the kill (webhook-id ${before[0].headers['webhook-id']}) and the agent never got it again`);
    }
  }

  // Recovery: every row in flight at the kill finished within the limit.
  const firstAfterKill = (times: number[]) => times.filter((t) => t >= run.killAt).sort((a, b) => a - b)[0];
  let slowest = 0;
  const late = (what: string, t: number | undefined, finished: boolean) => {
    if (t === undefined) {
      if (!finished) p.recovery.push(`${what}: in flight at the kill, not finished by the end`);
      return;
    }
    const ms = Math.max(0, t - run.resumeFrom);
    slowest = Math.max(slowest, ms);
    if (ms > run.recoveryLimitMs) p.recovery.push(`${what}: in flight at the kill, finished ${(ms / 1000).toFixed(1)} s after recovery began (limit ${run.recoveryLimitMs / 1000} s)`);
  };
  const openAtEnd = new Set(run.atEnd.outbox.map((r) => r.id));
  for (const r of run.atKill.inbox) {
    const m = r.messageId === undefined ? undefined : byMessageId.get(r.messageId);
    if (!m) continue;
    late(`inbox row ${r.id}, ${label(m)}`, firstAfterKill((replies.get(m.messageId) ?? []).map((s) => s.at)), false);
  }
  for (const r of run.atKill.outbox) {
    const times = r.replyToMessageId !== undefined ? (replies.get(r.replyToMessageId) ?? []).map((s) => s.at) : run.hooks.filter((h) => h.json?.data?.notification_id === r.notificationId).map((h) => h.at);
    const t = firstAfterKill(times);
    if (t === undefined && run.exact) p.recovery.push(`outbox row ${r.id} (${r.channel}, key ${r.idempotencyKey}): in flight at the kill and never sent again`);
    else late(`outbox row ${r.id} (${r.channel}, key ${r.idempotencyKey})`, t, times.length > 0 && !openAtEnd.has(r.id));
  }

  const lastArrival = Math.max(0, ...run.sent.map((s) => s.at), ...run.hooks.map((h) => h.at));
  return {
    problems: Object.fromEntries(Object.entries(p).map(([k, v]) => [k, cap(v)])) as Verdict['problems'],
    stats: {
      messages: run.traffic.messages.length,
      replies: run.sent.length,
      telegramRepeats: tgRepeats,
      notifies: run.traffic.notifies.length,
      deliveries: [...hooks.values()].reduce((a, l) => a + l.length, 0),
      webhookRepeats: hookRepeats,
      agentCalls: run.agentCalls.length,
      turnsOpenAtKill: run.turnsOpenAtKill,
      turnsRedelivered: redelivered,
      inboxInFlightAtKill: run.atKill.inbox.length,
      outboxInFlightAtKill: run.atKill.outbox.length,
      slowestRecoveryMs: slowest,
      lastArrivalAfterResumeMs: Math.max(0, lastArrival - run.resumeFrom),
    },
  };
}
