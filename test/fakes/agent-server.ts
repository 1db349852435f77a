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

/** How the fake agent answers a call: a status and JSON body, after an optional delay; `hang` never answers. */
export type AgentAnswer = { status: number; body?: unknown; delayMs?: number } | 'hang';

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
