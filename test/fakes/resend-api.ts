import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One email the fake Resend accepted. */
export interface FakeEmail {
  id: string;
  idempotencyKey: string | undefined;
  body: { from: string; to: string | string[]; subject: string; html?: string; text?: string };
}

/** How the next `POST /emails` fails. */
export type ResendFailure = 'refused' | { retryAfterSeconds: number } | 'unreachable' | 'server_error' | 'bad_key';

/** A local stand-in for the Resend API: the endpoints the email adapter uses, with Resend's error shape. */
export interface FakeResend {
  url: string;
  /** Keys it accepts. */
  keys: Set<string>;
  /** Emails accepted, in order (an idempotent replay is not added twice). */
  emails: FakeEmail[];
  /** Every `Idempotency-Key` header seen on POST /emails, replays included. */
  idempotencyKeys: (string | undefined)[];
  /** Queues failures for the next sends. */
  failNext(how: ResendFailure): void;
  close(): Promise<void>;
}

const error = (res: http.ServerResponse, statusCode: number, name: string, message: string, headers: Record<string, string> = {}) => {
  res.writeHead(statusCode, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ statusCode, name, message }));
};

/** Starts the fake on 127.0.0.1 with a random port. */
export async function startFakeResend(keys: string[] = ['re_test_good']): Promise<FakeResend> {
  const fake = { keys: new Set(keys), emails: [] as FakeEmail[], idempotencyKeys: [] as (string | undefined)[] };
  const failures: ResendFailure[] = [];
  const byKey = new Map<string, FakeEmail>();
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!auth) return error(res, 401, 'missing_api_key', 'Missing API key in the authorization header.');
      if (auth === 're_restricted') {
        if (req.url === '/domains') return error(res, 401, 'restricted_api_key', 'This API key is restricted to only send emails.');
      } else if (!fake.keys.has(auth)) return error(res, 403, 'invalid_api_key', 'API key is invalid.');
      if (req.method === 'GET' && req.url === '/domains') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ object: 'list', data: [] }));
      }
      if (req.method === 'POST' && req.url === '/emails') {
        const key = req.headers['idempotency-key'] as string | undefined;
        fake.idempotencyKeys.push(key);
        const fail = failures.shift();
        if (fail === 'unreachable') return req.socket.destroy();
        if (fail === 'refused') return error(res, 422, 'validation_error', 'Invalid `to` field.');
        if (fail === 'server_error') return error(res, 500, 'application_error', 'Something went wrong.');
        if (fail === 'bad_key') return error(res, 403, 'invalid_api_key', 'API key is invalid.');
        if (fail) return error(res, 429, 'rate_limit_exceeded', 'Too many requests.', { 'retry-after': String(fail.retryAfterSeconds) });
        const earlier = key ? byKey.get(key) : undefined;
        const email = earlier ?? { id: `em_${++n}`, idempotencyKey: key, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
        if (!earlier) {
          fake.emails.push(email);
          if (key) byKey.set(key, email);
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ id: email.id }));
      }
      error(res, 404, 'not_found', 'The requested endpoint does not exist.');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...fake,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failNext: (how) => void failures.push(how),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
