import { signedHeaders } from '../../crypto/standard-webhooks.ts';
import type { Logger } from '../../channel/index.ts';
import { guardedFetch, UrlGuardError } from '../../net/guarded-fetch.ts';
import { AgentError, type AgentResult, type AgentRuntime, type AgentTurn } from './types.ts';

/** Options of {@link httpRuntime}. */
export interface HttpRuntimeOptions {
  url: string;
  /** `whsec_…` secret the request is signed with. */
  secret: string;
  /** Per-attempt timeout in ms. */
  timeoutMs: number;
  /** Attempts in all (network errors, timeouts, 429 and 5xx are retried). Default 3. */
  attempts?: number;
  /** First retry delay in ms, doubled each time. Default 500. */
  retryDelayMs?: number;
  log: Logger;
  /** Hosts/CIDRs exempt from the URL guard (SWITCHBOARD_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls?: readonly string[];
  /** Reports each failed attempt so it reaches the message log. */
  onAttemptFailed?: (attempt: number, reason: string) => void;
}

/**
 * An agent behind a URL: the hub POSTs `{type:"message.received", message, thread, profile, history, claim}`
 * signed the Standard Webhooks way. `200 {"reply":{"text"}}` is a reply; `202` means the agent
 * will answer later through `POST /v1/threads/:id/messages`; `204`/empty 200 means no reply.
 */
export function httpRuntime(o: HttpRuntimeOptions): AgentRuntime {
  const attempts = o.attempts ?? 3;
  return {
    async run(turn: AgentTurn): Promise<AgentResult> {
      // A trigger's turn is `trigger.fired`, with the trigger and its event beside the message.
      const fired = turn.message.channel === 'trigger' ? { type: 'trigger.fired', ...(turn.message.raw as object) } : undefined;
      const body = JSON.stringify({
        type: 'message.received',
        ...fired,
        turn_id: turn.turnId,
        message: turn.message,
        thread: turn.thread,
        profile: turn.profile,
        history: turn.history,
        claim: turn.claim ?? null,
      });
      let lastReason = '';
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          // The URL guard: no private/loopback/metadata address, checked at connection time; no redirects.
          const res = await guardedFetch(o.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...signedHeaders(o.secret, turn.turnId, body) },
            body,
            allow: o.allowPrivateUrls ?? [],
            timeoutMs: o.timeoutMs,
            maxResponseBytes: 1024 * 1024,
          });
          const text = res.body;
          if (res.status === 202) return { kind: 'accepted' };
          if (res.status === 204) return { kind: 'none' };
          if (res.status >= 200 && res.status < 300) return parseReply(text);
          lastReason = `agent answered HTTP ${res.status}`;
          if (res.status !== 429 && res.status < 500) throw new AgentError(lastReason, attempt);
        } catch (e) {
          if (e instanceof AgentError) throw e;
          if (e instanceof UrlGuardError) throw new AgentError(`agent URL refused: ${e.message}`, attempt);
          lastReason = e instanceof Error && e.name === 'TimeoutError' ? `agent timed out after ${o.timeoutMs} ms` : `agent unreachable: ${(e as Error).message}`;
        }
        o.onAttemptFailed?.(attempt, lastReason);
        o.log.warn({ turn: turn.turnId, attempt, reason: lastReason }, 'agent attempt failed');
        if (attempt < attempts) await new Promise((r) => setTimeout(r, (o.retryDelayMs ?? 500) * 2 ** (attempt - 1)));
      }
      throw new AgentError(lastReason, attempts);
    },
  };
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
