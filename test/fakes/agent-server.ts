import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One call the fake agent received. */
export interface AgentCall {
  headers: http.IncomingHttpHeaders;
  body: any;
  verified: boolean;
  startedAt: number;
  endedAt?: number;
}

/**
 * One piece of a streamed answer: an event (its `data` JSON-encoded unless it is a string), or a
 * comment line; each after an optional delay in ms.
 */
export type SseStep = { event?: string; data: unknown; delayMs?: number } | { comment: string; delayMs?: number };

/** A streamed answer (`200 text/event-stream`): its steps, then how it ends (default `close`). */
export interface SseAnswer {
  sse: SseStep[];
  /** `close` ends the response, `hang` keeps it open without writing, `destroy` cuts the connection. */
  end?: 'close' | 'hang' | 'destroy';
}

/** How the fake agent answers a call: a status and JSON body, after an optional delay; `hang` never answers. */
export type AgentAnswer = { status: number; body?: unknown; delayMs?: number } | SseAnswer | 'hang';

/** A local HTTP agent that verifies Standard Webhooks signatures with the `standardwebhooks` library. */
export interface FakeAgent {
  url: string;
  calls: AgentCall[];
  /** Decides each answer; default: reply `agent: <text>`. */
  answer: (call: AgentCall) => AgentAnswer;
  close(): Promise<void>;
}

/** Starts a fake agent on 127.0.0.1 that checks signatures with `secret`. */
export async function startFakeAgent(secret: string): Promise<FakeAgent> {
  const agent: FakeAgent = {
    url: '',
    calls: [],
    answer: (c) => ({ status: 200, body: { reply: { text: `agent: ${c.body.message.text}` } } }),
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      try {
        new Webhook(secret).verify(raw, req.headers as Record<string, string>);
        verified = true;
      } catch {
        verified = false;
      }
      const call: AgentCall = { headers: req.headers, body: JSON.parse(raw), verified, startedAt: Date.now() };
      agent.calls.push(call);
      const a = agent.answer(call);
      if (a === 'hang') return;
      if ('sse' in a) return void writeStream(res, a).then(() => (call.endedAt = Date.now()));
      setTimeout(() => {
        call.endedAt = Date.now();
        res.writeHead(a.status, { 'content-type': 'application/json' });
        res.end(a.body === undefined ? '' : JSON.stringify(a.body));
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  agent.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
  return agent;
}

/** Writes a streamed answer step by step, the way an SSE server does. */
async function writeStream(res: http.ServerResponse, a: SseAnswer): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const step of a.sse) {
    if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
    if (res.destroyed) return;
    if ('comment' in step) res.write(`: ${step.comment}\n\n`);
    else res.write(`${step.event ? `event: ${step.event}\n` : ''}data: ${typeof step.data === 'string' ? step.data : JSON.stringify(step.data)}\n\n`);
  }
  // Let what was written reach the socket first, so the client sees the events, then the cut.
  if (a.end === 'destroy') await new Promise((r) => res.write('', r)).then(() => res.destroy());
  else if (a.end !== 'hang') res.end();
}
