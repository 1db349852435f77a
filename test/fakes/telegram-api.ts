import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A bot the fake knows. */
export interface FakeBot {
  token: string;
  id: number;
  username: string;
  first_name?: string;
}

/** One call the fake received. */
export interface FakeCall {
  token: string;
  method: string;
  body: Record<string, any>;
  at: number;
}

/** One message a bot sent (sendMessage that succeeded). */
export interface FakeSent {
  token: string;
  chat_id: number;
  text: string;
  parse_mode?: string;
  message_thread_id?: number;
  reply_to?: number;
  message_id: number;
  at: number;
}

/** One draft a bot streamed (sendMessageDraft, Bot API 9.x). */
export interface FakeDraft {
  token: string;
  chat_id: number;
  draft_id: number;
  text: string;
  at: number;
}

/** A failure to answer instead of the real result. */
export interface FakeFailure {
  method?: string;
  /** How many calls fail this way. Default 1. */
  times?: number;
  error_code: number;
  description: string;
  retry_after?: number;
}

/**
 * A local fake of Telegram's Bot API, speaking its wire format: `POST /bot<token>/<method>` with a JSON
 * body, answered `{ok:true,result}` or `{ok:false,error_code,description,parameters}`. Records every
 * call; can be told to fail (429 with retry_after, 400 can't parse entities…), to revoke a token
 * (401), and to feed getUpdates. No module mocks: grammY talks to it over HTTP.
 */
export class FakeTelegram {
  readonly calls: FakeCall[] = [];
  readonly sent: FakeSent[] = [];
  /** Drafts streamed with sendMessageDraft, in order. */
  readonly drafts: FakeDraft[] = [];
  readonly webhooks = new Map<string, { url: string; secret_token?: string; allowed_updates?: string[] }>();
  private readonly bots = new Map<string, FakeBot>();
  private readonly revoked = new Set<string>();
  private readonly failures: FakeFailure[] = [];
  private readonly nextId = new Map<number, number>();
  private readonly updates = new Map<string, any[]>();
  /** When set, HTML texts containing this marker are refused as unparsable entities. */
  rejectEntitiesContaining: string | undefined;
  /**
   * Milliseconds sendMessage takes to answer, after the message was recorded as sent (as on the real
   * platform, a message is posted even if the caller dies before the answer). Default 0.
   */
  sendLatencyMs = 0;
  /** Only count calls (no per-call records) — for benchmarks. */
  countOnly = false;
  sentCount = 0;
  private server: http.Server | undefined;
  url = '';

  /** Starts listening on 127.0.0.1 at a random port. */
  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => {
      this.server?.close(() => r());
      this.server?.closeAllConnections();
    });
  }

  addBot(bot: FakeBot): FakeBot {
    this.bots.set(bot.token, bot);
    return bot;
  }

  /** The token stops working: every call answers 401 Unauthorized. */
  revoke(token: string): void {
    this.revoked.add(token);
  }

  /** Queues failures; each is used for the next matching call(s). */
  fail(f: FakeFailure): void {
    this.failures.push({ times: 1, ...f });
  }

  /** Queues an update for getUpdates of a bot. */
  pushUpdate(token: string, update: unknown): void {
    const q = this.updates.get(token) ?? [];
    q.push(update);
    this.updates.set(token, q);
  }

  /** Messages sent by one bot (or all), optionally to one chat. */
  sentBy(token?: string, chatId?: number): FakeSent[] {
    return this.sent.filter((s) => (!token || s.token === token) && (chatId === undefined || s.chat_id === chatId));
  }

  callsOf(method: string, token?: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method && (!token || c.token === token));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(req.url ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (code: number, description: string, parameters?: object) => reply(code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
    if (!m) return error(404, 'Not Found');
    const [, token, method] = m;
    let body: Record<string, any> = {};
    const raw = Buffer.concat(chunks).toString('utf8');
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return error(400, 'Bad Request: invalid JSON');
      }
    }
    if (!this.countOnly) this.calls.push({ token, method, body, at: Date.now() });
    const bot = this.bots.get(token);
    if (!bot || this.revoked.has(token)) return error(401, 'Unauthorized');
    const fi = this.failures.findIndex((f) => !f.method || f.method === method);
    if (fi >= 0) {
      const f = this.failures[fi];
      if (--f.times! <= 0) this.failures.splice(fi, 1);
      return error(f.error_code, f.description, f.retry_after !== undefined ? { retry_after: f.retry_after } : undefined);
    }
    const ok = (result: unknown) => reply(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok(this.me(bot));
      case 'setWebhook':
        this.webhooks.set(token, { url: body.url, secret_token: body.secret_token, allowed_updates: body.allowed_updates });
        return ok(true);
      case 'deleteWebhook':
        this.webhooks.delete(token);
        return ok(true);
      case 'sendChatAction':
        return ok(true);
      case 'sendMessage':
        return this.sendMessage(token, bot, body, ok, error);
      case 'sendMessageDraft': {
        // Bot API 9.x: a draft streams into a private chat only; draft_id must be non-zero.
        const chatId = Number(body.chat_id);
        if (!Number.isInteger(body.draft_id) || body.draft_id === 0) return error(400, 'Bad Request: invalid draft_id');
        if (!(chatId > 0)) return error(400, 'Bad Request: drafts can be sent to private chats only');
        if (typeof body.text !== 'string' || body.text.length > 4096) return error(400, 'Bad Request: text must be 0-4096 characters');
        this.drafts.push({ token, chat_id: chatId, draft_id: body.draft_id, text: body.text, at: Date.now() });
        return ok(true);
      }
      case 'getUpdates':
        return this.getUpdates(token, body, ok, error);
      default:
        return error(404, 'Not Found: method not found');
    }
  }

  private sendMessage(token: string, bot: FakeBot, body: Record<string, any>, ok: (r: unknown) => void, error: (c: number, d: string) => void): void {
    const text = String(body.text ?? '');
    if (!text.trim()) return error(400, 'Bad Request: message text is empty');
    if (text.length > 4096) return error(400, 'Bad Request: message is too long');
    if (body.parse_mode === 'HTML' && this.rejectEntitiesContaining && text.includes(this.rejectEntitiesContaining)) {
      return error(400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0");
    }
    const chatId = Number(body.chat_id);
    const id = (this.nextId.get(chatId) ?? 1000) + 1;
    this.nextId.set(chatId, id);
    this.sentCount++;
    if (!this.countOnly) {
      this.sent.push({ token, chat_id: chatId, text, parse_mode: body.parse_mode, message_thread_id: body.message_thread_id, reply_to: body.reply_parameters?.message_id, message_id: id, at: Date.now() });
    }
    const answer = () => ok({ message_id: id, date: Math.floor(Date.now() / 1000), chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' }, from: this.me(bot), text });
    if (this.sendLatencyMs > 0) setTimeout(answer, this.sendLatencyMs);
    else answer();
  }

  private async getUpdates(token: string, body: Record<string, any>, ok: (r: unknown) => void, error: (c: number, d: string) => void): Promise<void> {
    if (this.webhooks.has(token)) return error(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    const offset = Number(body.offset ?? 0);
    const until = Date.now() + Math.min(Number(body.timeout ?? 0), 1) * 1000;
    for (;;) {
      const q = (this.updates.get(token) ?? []).filter((u) => u.update_id >= offset);
      this.updates.set(token, q);
      if (q.length || Date.now() >= until) return ok(q);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private me(bot: FakeBot) {
    return {
      id: bot.id,
      is_bot: true,
      first_name: bot.first_name ?? bot.username,
      username: bot.username,
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
    };
  }
}
