import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { z } from 'zod';
import type { AgentResult } from './types.ts';

/** The content type of an agent's streamed answer (Server-Sent Events). */
export const EVENT_STREAM = 'text/event-stream';

/** Longest reply text an agent may stream, in characters (like a JSON answer's 1 MiB). */
export const MAX_STREAMED_CHARS = 1024 * 1024;

const TextData = z.object({ text: z.string() });
const DoneData = z.object({ reply: z.object({ text: z.string() }).nullable().optional() });
const ErrorData = z.object({ message: z.string().optional() });

/**
 * A streamed answer that failed. `retryable` is true only while nothing was shown yet (no
 * `delta`/`replace` arrived): then the hub may POST the turn again; after that it must not.
 */
export class AgentStreamError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'AgentStreamError';
  }
}

/** Options of {@link readAgentStream}. */
export interface ReadAgentStreamOptions {
  /** Longest wait for the next event, in ms; a longer silence fails the stream ("stalled"). Comments do not count. */
  idleMs: number;
  /** Called with the whole reply text so far after each `delta` or `replace`. */
  onText(text: string): void;
}

/**
 * Reads an agent's Server-Sent Events answer to a turn: `delta` `{"text"}` is appended,
 * `replace` `{"text"}` is the whole text so far, `done` `{"reply":{"text"}}` is the final reply
 * (`{"reply":null}` means none; `{}` or no `done` at all: the text so far is final), `error`
 * `{"message"}` fails the turn. Other events and comments are ignored. Resolves with the reply
 * (`none` when the text is empty); rejects with an {@link AgentStreamError}.
 */
export async function readAgentStream(body: ReadableStream<Uint8Array>, o: ReadAgentStreamOptions): Promise<AgentResult> {
  const events: EventSourceMessage[] = [];
  let tooLarge = false;
  const parser = createParser({
    onEvent: (e) => events.push(e),
    onError: (e) => (tooLarge ||= e.type === 'max-buffer-size-exceeded'),
    maxBufferSize: MAX_STREAMED_CHARS,
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let shown = false;
  let lastEvent = Date.now();
  const fail = (message: string, retryable = false): never => {
    reader.cancel().catch(() => undefined);
    throw new AgentStreamError(message, retryable && !shown);
  };
  for (;;) {
    const chunk = await readWithin(reader, Math.max(0, lastEvent + o.idleMs - Date.now())).catch((e: Error) => fail(`agent stream broke: ${e.message}`, true));
    if (chunk === 'timeout') return fail(`agent stream stalled: no event for ${o.idleMs} ms`, true);
    if (chunk.done) parser.feed(`${decoder.decode()}\n\n`);
    else parser.feed(decoder.decode(chunk.value, { stream: true }));
    if (tooLarge) fail(`agent sent an event over ${MAX_STREAMED_CHARS} characters`);
    if (events.length > 0) lastEvent = Date.now();
    for (const e of events.splice(0)) {
      const data = parseData(e);
      if (e.event === 'delta' || e.event === 'replace') {
        const t = TextData.safeParse(data);
        if (!t.success) fail(`agent sent a malformed ${e.event} event (expected {"text":"…"})`);
        else text = e.event === 'delta' ? text + t.data.text : t.data.text;
        if (text.length > MAX_STREAMED_CHARS) fail(`agent streamed more than ${MAX_STREAMED_CHARS} characters`);
        shown = true;
        o.onText(text);
      } else if (e.event === 'done') {
        const d = DoneData.safeParse(data ?? {});
        if (!d.success) fail('agent sent a malformed done event (expected {"reply":{"text":"…"}})');
        reader.cancel().catch(() => undefined);
        const reply = d.success ? d.data.reply : undefined;
        if (reply === null) return { kind: 'none' };
        return finalOf(reply?.text ?? text);
      } else if (e.event === 'error') {
        const m = ErrorData.safeParse(data);
        fail(`agent reported an error: ${(m.success && m.data.message) || 'no message'}`);
      }
    }
    if (chunk.done) return finalOf(text);
  }
}

function finalOf(text: string): AgentResult {
  return text.trim() ? { kind: 'reply', text } : { kind: 'none' };
}

/** An event's data as JSON; undefined when empty, a symbol (which no schema accepts) when not JSON. */
function parseData(e: EventSourceMessage): unknown {
  if (e.data.trim() === '') return undefined;
  try {
    return JSON.parse(e.data);
  } catch {
    return Symbol('not json');
  }
}

/**
 * The next chunk of a body, or `'timeout'` when none arrives within `ms`. A read left behind by a
 * timeout is settled quietly (the caller cancels the reader).
 */
export function readWithin<T>(reader: ReadableStreamDefaultReader<T>, ms: number): Promise<ReadableStreamReadResult<T> | 'timeout'> {
  const read = reader.read();
  read.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([read, late]).finally(() => clearTimeout(timer));
}

/**
 * Reads a whole (non-streamed) body as UTF-8 text, keeping at most `maxBytes`, until `deadline`
 * (epoch ms). Rejects with a `TimeoutError` when the body is not complete by then.
 */
export async function readBodyText(body: ReadableStream<Uint8Array> | null, maxBytes: number, deadline: number): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const chunk = await readWithin(reader, Math.max(0, deadline - Date.now()));
    if (chunk === 'timeout') {
      reader.cancel().catch(() => undefined);
      throw Object.assign(new Error('the body did not arrive in time'), { name: 'TimeoutError' });
    }
    if (chunk.done) break;
    if (size < maxBytes) parts.push(chunk.value.subarray(0, maxBytes - size));
    size += chunk.value.length;
  }
  return Buffer.concat(parts).toString('utf8');
}
