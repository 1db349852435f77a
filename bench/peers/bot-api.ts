/**
 * A lean fake of Telegram's Bot API for the peer benchmark, in its own process as Telegram is: it
 * answers `POST /bot<token>/<method>` in the real wire format (`{ok:true,result}` /
 * `{ok:false,error_code,description}`) and counts `sendMessage` calls. No per-call records, so it
 * stays cheap next to the system under test.
 *
 * Control routes for the load generator (not part of the Bot API):
 * - `GET /_webhook?token=…` → `{url, secret_token}` the bot registered with setWebhook;
 * - `POST /_reset` → forgets counts and arrival times (after a warm-up);
 * - `GET /_wait?count=N&idle=MS` → answers when N replies have arrived, or when none arrived for MS
 *   (default 5000: the rest are lost), with
 *   `{count, arrivals, other}`: `arrivals[i]` is the wall-clock time (ms, sub-ms precision) at which the
 *   reply to update index i (read from the reply text `… bench <i>`) arrived; `other` counts calls of
 *   other methods.
 *
 * Prints `READY <url>` on stdout once listening on 127.0.0.1 at a random port.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const now = () => performance.timeOrigin + performance.now();
const webhooks = new Map<string, { url: string; secret_token?: string }>();
let count = 0;
let arrivals: Record<number, number> = {};
let other: Record<string, number> = {};
let waiters: { n: number; done: () => void }[] = [];
let nextMessageId = 1000;

function reply(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const me = (token: string) => ({ id: Number(token.split(':')[0]), is_bot: true, first_name: 'Bench', username: 'bench_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });

function botCall(token: string, method: string, body: Record<string, any>, res: http.ServerResponse): void {
  const ok = (result: unknown) => reply(res, 200, { ok: true, result });
  switch (method) {
    case 'sendMessage': {
      const text = String(body.text ?? '');
      if (!text.trim()) return reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: message text is empty' });
      const m = /bench (\d+)/.exec(text);
      if (m) arrivals[Number(m[1])] = now();
      count++;
      for (const w of waiters) if (count >= w.n) w.done();
      waiters = waiters.filter((w) => count < w.n);
      const chatId = Number(body.chat_id);
      return ok({ message_id: ++nextMessageId, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private', first_name: 'B' }, from: me(token), text });
    }
    case 'getMe':
      return ok(me(token));
    case 'setWebhook':
      webhooks.set(token, { url: body.url, secret_token: body.secret_token });
      return ok(true);
    default:
      other[method] = (other[method] ?? 0) + 1;
      return method === 'deleteWebhook' || method === 'sendChatAction' ? ok(true) : reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
  }
}

function control(url: URL, res: http.ServerResponse): void {
  if (url.pathname === '/_webhook') return reply(res, 200, webhooks.get(url.searchParams.get('token') ?? '') ?? {});
  if (url.pathname === '/_reset') {
    count = 0;
    arrivals = {};
    other = {};
    return reply(res, 200, { ok: true });
  }
  if (url.pathname === '/_wait') {
    const n = Number(url.searchParams.get('count'));
    const idleMs = Number(url.searchParams.get('idle') ?? 5000);
    const answer = () => reply(res, 200, { count, arrivals, other });
    if (count >= n) return answer();
    // Answers early when no reply has arrived for idleMs: the rest are lost, not late.
    let seen = count;
    const waiter = { n, done: () => (clearInterval(timer), answer()) };
    const timer = setInterval(() => {
      if (count > seen) return void (seen = count);
      waiters = waiters.filter((w) => w !== waiter);
      waiter.done();
    }, idleMs);
    waiters.push(waiter);
    return;
  }
  reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (url.pathname.startsWith('/_')) return control(url, res);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    let body: Record<string, any> = {};
    try {
      if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { ok: false, error_code: 400, description: 'Bad Request: invalid JSON' });
    }
    botCall(m[1], m[2], body, res);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
