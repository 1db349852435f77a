import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { guardedWebFetch } from './guarded-fetch.ts';

/** A tool call the model asked for, checked: a valid function name and a JSON object of arguments. */
export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them (JSON text of an object). */
  arguments: string;
  args: Record<string, unknown>;
}

/** One model answer: its text and the tool calls it asked for. */
export interface ModelAnswer {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string | null;
}

/** The model answered something the hub cannot act on (broken tool calls). Not retried. */
export class MalformedOutputError extends Error {
  override name = 'MalformedOutputError';
}

/** The model could not be reached, refused, or ran out of the turn's time. `detail` is for the log only. */
export class ModelError extends Error {
  override name = 'ModelError';
}

/** Options of {@link ModelClient}. */
export interface ModelClientOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Hosts/CIDRs exempt from the URL guard. */
  allowPrivateUrls: readonly string[];
  /** Waits between retries; injected by tests. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Epoch ms; default Date.now. */
  now?: () => number;
  /** Where the SDK's own lines go (at debug level); default nowhere. */
  log?: { debug(obj: object, msg: string): void };
}

/** Largest wait before a retry when the server names none, in ms. */
const MAX_BACKOFF_MS = 8000;

const ToolCallShape = z.object({
  id: z.string().min(1),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a function name'),
  arguments: z.string(),
});

/**
 * The chat-completions client of one turn: the `openai` SDK (its own retries off) over the guarded
 * fetch. Streams each call, handing text deltas to `onText`, and retries 429 / 5xx / network errors
 * with backoff that honours `retry-after`, as long as the wait fits the turn's deadline and no text
 * was streamed yet.
 */
export class ModelClient {
  private readonly client: OpenAI;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: ModelClientOptions) {
    this.client = new OpenAI({
      baseURL: o.baseUrl,
      // Servers without keys (a local Ollama) ignore the header; the SDK insists on a value.
      apiKey: o.apiKey ?? 'none',
      maxRetries: 0,
      fetch: guardedWebFetch(o.allowPrivateUrls),
      logger: sdkLogger(o.log),
    });
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.now = o.now ?? Date.now;
  }

  /** One model call, streamed; retried within `deadline` (epoch ms). Throws ModelError or MalformedOutputError. */
  async complete(messages: ChatCompletionMessageParam[], tools: ChatCompletionTool[], deadline: number, onText: (delta: string) => void): Promise<ModelAnswer> {
    for (let attempt = 1; ; attempt++) {
      let streamed = false;
      try {
        return await this.once(messages, tools, deadline, (d) => {
          streamed = true;
          onText(d);
        });
      } catch (e) {
        if (e instanceof MalformedOutputError) throw e;
        const wait = retryWait(e, attempt);
        const detail = describe(e, deadline - this.now());
        if (wait === undefined || streamed) throw new ModelError(detail);
        if (this.now() + wait >= deadline) throw new ModelError(`${detail}; a retry in ${wait} ms would pass the turn's time budget`);
        await this.sleep(wait);
      }
    }
  }

  private async once(messages: ChatCompletionMessageParam[], tools: ChatCompletionTool[], deadline: number, onText: (delta: string) => void): Promise<ModelAnswer> {
    const remaining = deadline - this.now();
    if (remaining <= 0) throw new ModelError('the turn ran out of time');
    const stream = await this.client.chat.completions.create(
      {
        model: this.o.model,
        messages,
        stream: true,
        ...(tools.length ? { tools } : {}),
        ...(this.o.temperature !== undefined ? { temperature: this.o.temperature } : {}),
        ...(this.o.maxTokens !== undefined ? { max_tokens: this.o.maxTokens } : {}),
      },
      { signal: AbortSignal.timeout(remaining), timeout: remaining, maxRetries: 0 },
    );
    let text = '';
    let finishReason: string | null = null;
    const calls: { id?: string; name?: string; arguments: string }[] = [];
    for await (const chunk of stream) {
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (typeof delta?.content === 'string' && delta.content) {
        text += delta.content;
        onText(delta.content);
      }
      for (const tc of delta?.tool_calls ?? []) {
        const c = (calls[tc.index ?? 0] ??= { arguments: '' });
        if (tc.id) c.id = tc.id;
        if (tc.function?.name) c.name = (c.name ?? '') + tc.function.name;
        if (tc.function?.arguments) c.arguments += tc.function.arguments;
      }
    }
    return { text, finishReason, toolCalls: calls.filter(Boolean).map(checkToolCall) };
  }
}

/** Checks one accumulated tool call at the boundary; a broken one ends the turn. */
function checkToolCall(c: { id?: string; name?: string; arguments: string }): ToolCall {
  const shape = ToolCallShape.safeParse(c);
  if (!shape.success) throw new MalformedOutputError(`the model sent a malformed tool call (${shape.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  let args: unknown;
  try {
    args = JSON.parse(shape.data.arguments.trim() || '{}');
  } catch {
    throw new MalformedOutputError(`the model sent tool call ${shape.data.name} with arguments that are not JSON`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new MalformedOutputError(`the model sent tool call ${shape.data.name} with arguments that are not a JSON object`);
  return { ...shape.data, args: args as Record<string, unknown> };
}

/** How long to wait before retrying after `e`, or undefined when it is not worth retrying. */
function retryWait(e: unknown, attempt: number): number | undefined {
  if (e instanceof APIUserAbortError || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))) return undefined;
  const backoff = Math.min(MAX_BACKOFF_MS, 250 * 2 ** (attempt - 1));
  if (e instanceof APIConnectionError) return attempt <= 3 && !isGuardRefusal(e) ? backoff : undefined;
  if (!(e instanceof APIError) || e.status === undefined) return undefined;
  if (e.status !== 429 && e.status < 500) return undefined;
  const ms = e.headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Number(ms);
  const after = e.headers?.get('retry-after');
  if (after) {
    const secs = Number(after);
    if (Number.isFinite(secs)) return secs * 1000;
    const date = Date.parse(after);
    if (Number.isFinite(date)) return Math.max(0, date - Date.now());
  }
  return backoff;
}

/** A log line for a failed call: the status and the server's message, never a key. */
function describe(e: unknown, remainingMs: number): string {
  if (e instanceof ModelError) return e.message;
  if (e instanceof APIError && e.status !== undefined) return `the model server answered HTTP ${e.status}: ${e.message.slice(0, 300)}`;
  if (e instanceof APIUserAbortError || (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError'))) return 'the model did not finish within the turn\'s time budget';
  if (remainingMs <= 0) return 'the model did not finish within the turn\'s time budget';
  if (isGuardRefusal(e)) return `the model URL was refused: ${((e as Error).cause as Error | undefined)?.message ?? (e as Error).message}`;
  return `the model could not be reached: ${(e as Error)?.message ?? String(e)}`.slice(0, 400);
}

/** True when the URL guard refused the address (directly or wrapped by the SDK). */
function isGuardRefusal(e: unknown): boolean {
  return e instanceof Error && (e.name === 'UrlGuardError' || (e.cause instanceof Error && e.cause.name === 'UrlGuardError'));
}

/** The SDK's logger, handed to ours at debug level (its lines may quote model output, never keys). */
function sdkLogger(log: ModelClientOptions['log']) {
  const emit = (...args: unknown[]) => log?.debug({ lib: 'openai' }, args.map(String).join(' ').slice(0, 500));
  return { debug: emit, info: emit, warn: emit, error: emit };
}
