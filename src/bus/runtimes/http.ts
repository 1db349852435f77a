import { signedHeaders } from '../../crypto/standard-webhooks.ts';
import type { Logger } from '../../channel/index.ts';
import { guardedWebFetch } from '../../llm/guarded-fetch.ts';
import { GuardedTimeoutError, UrlGuardError } from '../../net/guarded-fetch.ts';
import { AgentStreamError, EVENT_STREAM, readAgentStream, readBodyText } from './http-stream.ts';
import { AgentError, type AgentResult, type AgentRuntime, type AgentTurn } from './types.ts';

/** Options of {@link httpRuntime}. */
export interface HttpRuntimeOptions {
  url: string;
  /** `whsec_…` secret the request is signed with. */
  secret: string;
  /**
   * Per-attempt timeout in ms: for a JSON answer the whole answer, for a streamed one the time to
   * its headers and then the longest silence between two events.
   */
  timeoutMs: number;
  /** Attempts in all (network errors, timeouts, 429 and 5xx are retried; a stream only before its first text). Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled each time. Default 500. */
  retryDelayMs?: number;
  log: Logger;
  /** Hosts/CIDRs exempt from the URL guard (SWITCHBOARD_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls?: readonly string[];
  /** Reports each failed attempt so it reaches the message log. */
  onAttemptFailed?: (attempt: number, reason: string) => void;
}

/** Longest JSON answer kept, in bytes. */
const MAX_ANSWER_BYTES = 1024 * 1024;

/** One attempt's end: a result, or the reason to try again. */
type Attempt = { result: AgentResult } | { retry: string };

/**
 * An agent behind a URL: the hub POSTs `{type:"message.received", message, thread, profile, history, claim}`
 * signed the Standard Webhooks way, with `Accept: application/json, text/event-stream`.
 * `200 {"reply":{"text"}}` is a reply; `202` means the agent will answer later through
 * `POST /v1/threads/:id/messages`; `204`/empty 200 means no reply. A `200` with
 * `Content-Type: text/event-stream` streams the reply (see {@link readAgentStream}) into the
 * turn's preview when the channel has one; the final text still goes through the outbox once.
 */
export function httpRuntime(o: HttpRuntimeOptions): AgentRuntime {
  const attempts = o.attempts ?? 3;
  const post = guardedWebFetch(o.allowPrivateUrls ?? []);
  return {
    streams: true,
    async run(turn: AgentTurn): Promise<AgentResult> {
      const body = requestBody(turn);
      let lastReason = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        let outcome: Attempt;
        try {
          outcome = await attemptOnce(post, o, turn, body);
        } catch (e) {
          if (e instanceof AgentError) throw new AgentError(e.message, attempt, e.apology);
          throw new AgentError((e as Error).message, attempt);
        }
        if ('result' in outcome) return outcome.result;
        lastReason = outcome.retry;
        o.onAttemptFailed?.(attempt, lastReason);
        o.log.warn({ turn: turn.turnId, attempt, reason: lastReason }, 'agent attempt failed');
        if (attempt < attempts) await new Promise((r) => setTimeout(r, (o.retryDelayMs ?? 500) * 2 ** (attempt - 1)));
      }
      throw new AgentError(lastReason, attempts);
    },
  };
}

/** The turn as the agent reads it; a trigger's turn is `trigger.fired`, with the trigger and its event beside the message. */
function requestBody(turn: AgentTurn): string {
  const fired = turn.message.channel === 'trigger' ? { type: 'trigger.fired', ...(turn.message.raw as object) } : undefined;
  return JSON.stringify({
    type: 'message.received',
    ...fired,
    turn_id: turn.turnId,
    message: turn.message,
    thread: turn.thread,
    profile: turn.profile,
    history: turn.history,
    claim: turn.claim ?? null,
  });
}

/** One signed POST and its answer. Throws an AgentError for answers that must not be retried. */
async function attemptOnce(post: typeof fetch, o: HttpRuntimeOptions, turn: AgentTurn, body: string): Promise<Attempt> {
  const deadline = Date.now() + o.timeoutMs;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new GuardedTimeoutError(o.timeoutMs)), o.timeoutMs);
  let res: Response;
  try {
    // The URL guard: no private/loopback/metadata address, checked at connection time; no redirects.
    res = await post(o.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: `application/json, ${EVENT_STREAM}`, ...signedHeaders(o.secret, turn.turnId, body) },
      body,
      signal: timeout.signal,
    });
  } catch (e) {
    if (e instanceof UrlGuardError) throw new AgentError(`agent URL refused: ${e.message}`, 1);
    return { retry: failureReason(e, o.timeoutMs) };
  } finally {
    clearTimeout(timer);
  }
  if (res.status === 200 && isEventStream(res)) {
    try {
      return { result: await readAgentStream(res.body!, { idleMs: o.timeoutMs, onText: (t) => turn.stream?.update(t) }) };
    } catch (e) {
      if (e instanceof AgentStreamError && e.retryable) return { retry: e.message };
      throw new AgentError((e as Error).message, 1);
    }
  }
  let text: string;
  try {
    text = await readBodyText(res.body, MAX_ANSWER_BYTES, deadline);
  } catch (e) {
    return { retry: failureReason(e, o.timeoutMs) };
  }
  if (res.status === 202) return { result: { kind: 'accepted' } };
  if (res.status === 204) return { result: { kind: 'none' } };
  if (res.status >= 200 && res.status < 300) return { result: parseReply(text) };
  const reason = `agent answered HTTP ${res.status}`;
  if (res.status !== 429 && res.status < 500) throw new AgentError(reason, 1);
  return { retry: reason };
}

function isEventStream(res: Response): boolean {
  return (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase() === EVENT_STREAM;
}

function failureReason(e: unknown, timeoutMs: number): string {
  return e instanceof Error && e.name === 'TimeoutError' ? `agent timed out after ${timeoutMs} ms` : `agent unreachable: ${(e as Error).message}`;
}

function parseReply(text: string): AgentResult {
  if (text.trim() === '') return { kind: 'none' };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new AgentError('agent answered 200 with a body that is not JSON', 1);
  }
  const reply = (json as { reply?: { text?: unknown } } | null)?.reply;
  if (reply === undefined || reply === null) return { kind: 'none' };
  if (typeof reply.text !== 'string') throw new AgentError('agent reply has no text (expected {"reply":{"text":"…"}})', 1);
  return { kind: 'reply', text: reply.text };
}
