import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
  /** Epoch ms the request body had arrived. */
  at: number;
}

/** Options of {@link startWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** Milliseconds before each answer is written (deliveries stay in flight that long). Default 0. */
  answerDelayMs?: number;
}

/** What the receiver answers next: a status (with headers), or `drop` (close the connection unanswered). */
export type HookAnswer = { status: number; headers?: Record<string, string> } | 'drop' | 'hang';

/** A local webhook endpoint that records what it gets and answers as told. */
export interface WebhookReceiver {
  url: string;
  received: ReceivedHook[];
  /** Queues answers for the next requests; afterwards it answers 200. */
  answerNext(...answers: HookAnswer[]): void;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 with a random port. */
export async function startWebhookReceiver(o: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const answers: HookAnswer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      received.push({ headers: req.headers, body, json, at: Date.now() });
      const a = answers.shift() ?? { status: 200 };
      if (a === 'drop') return req.socket.destroy();
      if (a === 'hang') return;
      const write = () => {
        res.writeHead(a.status, a.headers ?? {});
        res.end();
      };
      if (o.answerDelayMs) setTimeout(write, o.answerDelayMs);
      else write();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    answerNext: (...a) => void answers.push(...a),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
