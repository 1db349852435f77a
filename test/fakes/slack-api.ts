import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the fake received. */
export interface SlackCall {
  method: string;
  params: Record<string, any>;
  token?: string;
}

/** A workspace and user the fake's authorize page "approves" as. */
export interface FakeInstall {
  teamId: string;
  teamName: string;
  userId: string;
  botUserId: string;
}

/** How the fake answers the next matching call. */
export type FakeFailure = { kind: 'refused'; error?: string } | { kind: 'ratelimit'; retryAfter: number } | { kind: 'drop' };

/**
 * A local fake of Slack's Web API and authorize page, on 127.0.0.1. Speaks form-urlencoded or JSON
 * POSTs to `/api/<method>` with `Authorization: Bearer`; implements oauth.v2.access, auth.test,
 * chat.postMessage, conversations.open and auth.revoke; answers 429 + Retry-After, refusals or
 * dropped connections on demand; records every call.
 */
export class FakeSlack {
  readonly calls: SlackCall[] = [];
  /** Who the next authorize approval installs as. */
  approveAs: FakeInstall = { teamId: 'T0001', teamName: 'Acme', userId: 'U0INSTALL', botUserId: 'U0BOT' };
  private readonly codes = new Map<string, FakeInstall>();
  private readonly tokens = new Map<string, FakeInstall>();
  private readonly failures: { method?: string; failure: FakeFailure }[] = [];
  /** Messages the bot streamed (chat.startStream…), by ts: their text now and whether still streaming. */
  readonly streams = new Map<string, { channel: string; thread_ts?: string; text: string; streaming: boolean; updates: number }>();
  private server?: http.Server;
  private counter = 0;
  private tsClock = 1_700_000_000;
  url = '';

  constructor(readonly clientId = '111.222', readonly clientSecret = 'fake-client-secret') {}

  /** The API root to put in SLACK_API_URL (with its trailing slash). */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Makes the next call (of `method`, or any) fail as told. */
  failNext(failure: FakeFailure, method?: string): void {
    this.failures.push({ method, failure });
  }

  /** Issues an OAuth code for an install, as Slack's authorize page would. */
  issueCode(install: FakeInstall = this.approveAs): string {
    const code = `code-${++this.counter}`;
    this.codes.set(code, install);
    return code;
  }

  /** Calls of one method. */
  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Texts posted with chat.postMessage, in order. */
  posted(): { channel: string; text: string; thread_ts?: string; ts: string }[] {
    return this.callsOf('chat.postMessage').filter((c) => c.params._ts).map((c) => ({ channel: c.params.channel, text: c.params.text, thread_ts: c.params.thread_ts, ts: c.params._ts }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/oauth/v2/authorize') return this.authorize(url, res);
    const m = /^\/api\/([\w.]+)$/.exec(url.pathname);
    if (!m || req.method !== 'POST') return this.json(res, 404, { ok: false, error: 'unknown_method' });
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const params: Record<string, any> = (req.headers['content-type'] ?? '').includes('json') ? JSON.parse(raw || '{}') : Object.fromEntries(new URLSearchParams(raw));
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? params.token;
    const call: SlackCall = { method: m[1], params, token };
    this.calls.push(call);
    const i = this.failures.findIndex((f) => !f.method || f.method === m[1]);
    if (i >= 0) {
      const { failure } = this.failures.splice(i, 1)[0];
      if (failure.kind === 'drop') return void req.socket.destroy();
      if (failure.kind === 'ratelimit') return this.json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      return this.json(res, 200, { ok: false, error: failure.error ?? 'channel_not_found' });
    }
    this.json(res, 200, this.answer(call));
  }

  private authorize(url: URL, res: http.ServerResponse): void {
    const redirect = url.searchParams.get('redirect_uri');
    if (url.searchParams.get('client_id') !== this.clientId || !redirect) return this.json(res, 400, { ok: false, error: 'bad_client_id' });
    const back = new URL(redirect);
    back.searchParams.set('code', this.issueCode());
    back.searchParams.set('state', url.searchParams.get('state') ?? '');
    res.writeHead(302, { location: back.toString() });
    res.end();
  }

  private answer(call: SlackCall): Record<string, unknown> {
    const p = call.params;
    if (call.method === 'oauth.v2.access') {
      if (p.client_id !== this.clientId || p.client_secret !== this.clientSecret) return { ok: false, error: 'invalid_client_id' };
      const install = this.codes.get(p.code);
      if (!install) return { ok: false, error: 'invalid_code' };
      this.codes.delete(p.code);
      // Like Slack, every install of the app into one workspace gets the same bot token until it is revoked.
      let token = [...this.tokens].find(([, i]) => i.teamId === install.teamId)?.[0];
      if (!token) this.tokens.set((token = `xoxb-fake-${++this.counter}-${install.teamId}`), install);
      return {
        ok: true,
        app_id: 'A0APP',
        authed_user: { id: install.userId },
        scope: 'app_mentions:read,chat:write,im:history,im:read,im:write',
        token_type: 'bot',
        access_token: token,
        bot_user_id: install.botUserId,
        team: { id: install.teamId, name: install.teamName },
        enterprise: null,
        is_enterprise_install: false,
      };
    }
    const install = call.token ? this.tokens.get(call.token) : undefined;
    if (!install) return { ok: false, error: 'invalid_auth' };
    switch (call.method) {
      case 'auth.test':
        return { ok: true, url: `https://${install.teamName.toLowerCase()}.slack.com/`, team: install.teamName, user: 'switchboard', team_id: install.teamId, user_id: install.botUserId, bot_id: 'B0BOT', is_enterprise_install: false };
      case 'auth.revoke':
        this.tokens.delete(call.token!);
        return { ok: true, revoked: true };
      case 'conversations.open':
        return { ok: true, channel: { id: `D${String(p.users).replace(/^U/, '')}` } };
      case 'chat.startStream': {
        if (!p.channel || !p.thread_ts) return { ok: false, error: 'invalid_arguments' };
        if (!p.markdown_text && !p.chunks) return { ok: false, error: 'invalid_arguments' };
        const ts = `${++this.tsClock}.000200`;
        this.streams.set(ts, { channel: p.channel, thread_ts: p.thread_ts, text: String(p.markdown_text ?? ''), streaming: true, updates: 0 });
        return { ok: true, channel: p.channel, ts };
      }
      case 'chat.appendStream':
      case 'chat.stopStream': {
        const s = this.streams.get(p.ts);
        if (!s || s.channel !== p.channel) return { ok: false, error: 'message_not_found' };
        if (!s.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
        if (call.method === 'chat.appendStream' && !p.markdown_text) return { ok: false, error: 'invalid_arguments' };
        s.text += String(p.markdown_text ?? '');
        if (call.method === 'chat.stopStream') s.streaming = false;
        return { ok: true, channel: p.channel, ts: p.ts };
      }
      case 'chat.update': {
        const s = this.streams.get(p.ts);
        if (!s || s.channel !== p.channel) return { ok: false, error: 'message_not_found' };
        s.text = String(p.text ?? '');
        s.updates++;
        return { ok: true, channel: p.channel, ts: p.ts, text: p.text };
      }
      case 'chat.postMessage': {
        if (!p.channel) return { ok: false, error: 'channel_not_found' };
        const ts = `${++this.tsClock}.000100`;
        p._ts = ts;
        return { ok: true, channel: p.channel, ts, message: { type: 'message', text: p.text, user: install.botUserId, ts, thread_ts: p.thread_ts } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }
}
