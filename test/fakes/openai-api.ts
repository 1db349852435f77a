import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A tool call the fake model makes: `arguments` is sent as is (so it may be broken JSON). */
export interface FakeToolCall {
  name: string;
  arguments: string;
  id?: string;
}

/**
 * What the fake model answers to one request.
 * - `text`: the chunks of an answer (streamed one SSE event each, `delayMs` apart); with `holdAfter`,
 *   it stops after that many chunks until {@link FakeOpenAI.release} (or the client goes away).
 * - `tools`: tool calls (arguments split over two chunks, as real servers do), after optional text.
 * - `rate_limit`: HTTP 429 with `retry-after` seconds. `error`: another HTTP status.
 * - `garbage`: an SSE event whose data is not JSON.
 */
export type ModelScript =
  | { kind: 'text'; chunks: string[]; delayMs?: number; holdAfter?: number }
  | { kind: 'tools'; calls: FakeToolCall[]; text?: string }
  | { kind: 'rate_limit'; retryAfter: number }
  | { kind: 'error'; status: number; message?: string }
  | { kind: 'garbage' };

/** One request the fake got. */
export interface ModelRequest {
  body: any;
  authorization?: string;
  at: number;
}

/**
 * A local fake of an OpenAI-compatible chat-completions server (`POST /v1/chat/completions`), in the
 * wire format the `openai` SDK reads: SSE `data: {chunk}` lines ending with `data: [DONE]` when
 * `stream` is true, one JSON completion otherwise. Answers follow the queued scripts; with none
 * queued it answers `ok`. Records every request.
 */
export class FakeOpenAI {
  readonly requests: ModelRequest[] = [];
  private readonly scripts: ModelScript[] = [];
  private readonly held: (() => void)[] = [];
  private server?: http.Server;
  private seq = 0;
  url = '';

  /** The base URL a profile or OPENAI_BASE_URL points at (`…/v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Queues answers for the next requests, in order. */
  script(...s: ModelScript[]): void {
    this.scripts.push(...s);
  }

  /** Lets every held answer go on. */
  release(): void {
    for (const r of this.held.splice(0)) r();
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return this.json(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    let body: any;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return this.json(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
    }
    this.requests.push({ body, authorization: req.headers.authorization, at: Date.now() });
    const s = this.scripts.shift() ?? { kind: 'text', chunks: ['ok'] };
    if (s.kind === 'rate_limit') return this.json(res, 429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': String(s.retryAfter) });
    if (s.kind === 'error') return this.json(res, s.status, { error: { message: s.message ?? 'The server had an error', type: 'server_error' } });
    const id = `chatcmpl-${++this.seq}`;
    const model = String(body.model);
    const deltas = this.deltas(s);
    if (!body.stream) return this.json(res, 200, completion(id, model, s));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const gone = new Promise<void>((r) => res.once('close', r));
    for (const [i, d] of deltas.entries()) {
      if (s.kind === 'text' && s.holdAfter !== undefined && i === s.holdAfter) await Promise.race([new Promise<void>((r) => this.held.push(r)), gone]);
      if (res.destroyed) return;
      if (s.kind === 'text' && s.delayMs && i > 0) await new Promise((r) => setTimeout(r, s.delayMs));
      res.write(d === 'garbage' ? 'data: {not json\n\n' : `data: ${JSON.stringify(chunk(id, model, d.delta, d.finish))}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  private deltas(s: ModelScript): ({ delta: Record<string, unknown>; finish: string | null } | 'garbage')[] {
    if (s.kind === 'garbage') return [{ delta: { role: 'assistant', content: '' }, finish: null }, 'garbage'];
    if (s.kind === 'text') {
      return [
        ...s.chunks.map((c, i) => ({ delta: i === 0 ? { role: 'assistant', content: c } : { content: c }, finish: null })),
        { delta: {}, finish: 'stop' },
      ];
    }
    if (s.kind !== 'tools') return [];
    const out: { delta: Record<string, unknown>; finish: string | null }[] = [{ delta: { role: 'assistant', content: s.text ?? null }, finish: null }];
    s.calls.forEach((c, index) => {
      const half = Math.floor(c.arguments.length / 2);
      out.push({ delta: { tool_calls: [{ index, id: c.id ?? `call_${this.seq}_${index}`, type: 'function', function: { name: c.name, arguments: c.arguments.slice(0, half) } }] }, finish: null });
      out.push({ delta: { tool_calls: [{ index, function: { arguments: c.arguments.slice(half) } }] }, finish: null });
    });
    out.push({ delta: {}, finish: 'tool_calls' });
    return out;
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }
}

function chunk(id: string, model: string, delta: Record<string, unknown>, finish: string | null) {
  return { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] };
}

function completion(id: string, model: string, s: ModelScript) {
  const message =
    s.kind === 'tools'
      ? { role: 'assistant', content: s.text ?? null, tool_calls: s.calls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } })) }
      : { role: 'assistant', content: s.kind === 'text' ? s.chunks.join('') : '' };
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: s.kind === 'tools' ? 'tool_calls' : 'stop' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}
