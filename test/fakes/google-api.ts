import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake received. */
export interface GoogleCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: any;
  token?: string;
}

/** A message in the fake mailbox, in Gmail's `format=full` JSON shape. */
export interface FakeMessage {
  id: string;
  threadId: string;
  labelIds: string[];
  snippet: string;
  historyId: string;
  internalDate: string;
  sizeEstimate: number;
  payload: any;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const SCOPE_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
const SCOPE_COMPOSE = 'https://www.googleapis.com/auth/gmail.compose';

/**
 * A local fake of Google's OAuth endpoints (`/o/oauth2/v2/auth`, `/token`, `/revoke`) and the
 * Gmail REST API (`/gmail/v1/users/me/…`: profile, messages list/get/send, threads.get,
 * drafts.create, labels.list, history.list), answering with the JSON shapes of Google's docs. The
 * consent page "approves" at once and redirects with a code; PKCE S256 is checked at the token
 * endpoint; refresh tokens can be revoked (then `invalid_grant`) and access tokens expired.
 */
export class FakeGoogle {
  readonly calls: GoogleCall[] = [];
  readonly messages: FakeMessage[] = [];
  readonly drafts: { id: string; raw: string; threadId?: string }[] = [];
  readonly sent: { id: string; raw: string }[] = [];
  /** The account the next consent approves as, and the scopes it grants (default: all asked for). */
  approveAs = { email: 'ann@example.com', scopes: undefined as string[] | undefined };
  /** Seconds an access token lives. */
  tokenLifetime = 3600;
  /** When set, the Gmail API answers every call with this HTTP status (503: "unreachable"). */
  apiDown: number | undefined;
  historyId = 1000;
  private readonly codes = new Map<string, { challenge?: string; method?: string; redirectUri: string; scopes: string[]; email: string }>();
  private readonly access = new Map<string, { email: string; scopes: string[]; expiresAt: number; refresh: string }>();
  private readonly refresh = new Map<string, { email: string; scopes: string[]; revoked: boolean }>();
  private readonly history: { id: number; messageId: string }[] = [];
  private server?: http.Server;
  private n = 0;
  url = '';

  constructor(readonly clientId = 'fake-client.apps.googleusercontent.com', readonly clientSecret = 'fake-google-secret') {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** Environment for a hub that talks to this fake. */
  env(): Record<string, string> {
    return { GOOGLE_CLIENT_ID: this.clientId, GOOGLE_CLIENT_SECRET: this.clientSecret, GOOGLE_OAUTH_URL: this.url, GOOGLE_API_URL: this.url };
  }

  callsTo(path: string | RegExp): GoogleCall[] {
    return this.calls.filter((c) => (typeof path === 'string' ? c.path === path : path.test(c.path)));
  }

  /** Makes every access token issued so far expired (the next API call needs a refresh). */
  expireAccessTokens(): void {
    for (const t of this.access.values()) t.expiresAt = 0;
  }

  /** Revokes every refresh token of an account, as a user removing the app in their Google account does. */
  revokeAccount(email: string): void {
    for (const t of this.refresh.values()) if (t.email === email) t.revoked = true;
    for (const [k, t] of this.access) if (t.email === email) this.access.delete(k);
  }

  /** Whether any refresh token of the account is still valid. */
  hasGrant(email: string): boolean {
    return [...this.refresh.values()].some((t) => t.email === email && !t.revoked);
  }

  /** Puts a message in the mailbox (a history record `messageAdded`), as mail arriving does. */
  deliver(m: { from: string; to?: string; subject: string; text?: string; html?: string; attachment?: { filename: string; mimeType: string; size: number }; threadId?: string; labelIds?: string[] }): FakeMessage {
    const id = `18c${(++this.n).toString(16).padStart(13, '0')}`;
    const headers = [
      { name: 'From', value: m.from },
      { name: 'To', value: m.to ?? this.approveAs.email },
      { name: 'Subject', value: m.subject },
      { name: 'Date', value: 'Mon, 5 Jan 2026 10:00:00 +0000' },
      { name: 'Message-ID', value: `<${id}@mail.example.com>` },
    ];
    const bodies: any[] = [];
    if (m.text !== undefined) bodies.push({ partId: '0.0', mimeType: 'text/plain', filename: '', headers: [{ name: 'Content-Type', value: 'text/plain; charset="UTF-8"' }], body: { size: m.text.length, data: b64(m.text) } });
    if (m.html !== undefined) bodies.push({ partId: '0.1', mimeType: 'text/html', filename: '', headers: [{ name: 'Content-Type', value: 'text/html; charset="UTF-8"' }], body: { size: m.html.length, data: b64(m.html) } });
    const alternative = { partId: '0', mimeType: 'multipart/alternative', filename: '', headers: [], body: { size: 0 }, parts: bodies };
    const parts: any[] = [alternative];
    if (m.attachment) parts.push({ partId: '1', mimeType: m.attachment.mimeType, filename: m.attachment.filename, headers: [], body: { attachmentId: `ANGjdJ${id}`, size: m.attachment.size } });
    this.historyId += 1;
    const msg: FakeMessage = {
      id,
      threadId: m.threadId ?? id,
      labelIds: m.labelIds ?? ['INBOX', 'UNREAD', 'CATEGORY_PERSONAL'],
      snippet: (m.text ?? m.html ?? '').replace(/<[^>]+>/g, '').slice(0, 100),
      historyId: String(this.historyId),
      internalDate: String(Date.UTC(2026, 0, 5, 10, this.n)),
      sizeEstimate: 1200,
      payload: { partId: '', mimeType: 'multipart/mixed', filename: '', headers, body: { size: 0 }, parts },
    };
    this.messages.push(msg);
    this.history.push({ id: this.historyId, messageId: id });
    return msg;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const u = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const type = String(req.headers['content-type'] ?? '');
    const body = type.includes('json') && raw ? JSON.parse(raw) : Object.fromEntries(new URLSearchParams(raw));
    const auth = String(req.headers.authorization ?? '');
    const call: GoogleCall = { method: req.method ?? 'GET', path: u.pathname, query: Object.fromEntries(u.searchParams), body, token: auth.startsWith('Bearer ') ? auth.slice(7) : undefined };
    this.calls.push(call);
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(payload));
    };
    if (u.pathname === '/o/oauth2/v2/auth') return this.consent(u, res);
    if (u.pathname === '/token' && req.method === 'POST') return this.token(body, send);
    if (u.pathname === '/revoke' && req.method === 'POST') {
      const token = u.searchParams.get('token') ?? body.token;
      const r = this.refresh.get(token) ?? this.refresh.get(this.access.get(token)?.refresh ?? '');
      if (!r) return send(400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
      r.revoked = true;
      return send(200, {});
    }
    if (u.pathname.startsWith('/gmail/v1/users/me/')) return this.gmail(req.method ?? 'GET', u, body, call.token, send);
    send(404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
  }

  private consent(u: URL, res: http.ServerResponse): void {
    const redirect = new URL(u.searchParams.get('redirect_uri')!);
    const asked = (u.searchParams.get('scope') ?? '').split(' ');
    const code = `4/0A${randomBytes(12).toString('base64url')}`;
    this.codes.set(code, { challenge: u.searchParams.get('code_challenge') ?? undefined, method: u.searchParams.get('code_challenge_method') ?? undefined, redirectUri: redirect.toString(), scopes: this.approveAs.scopes ?? asked, email: this.approveAs.email });
    redirect.searchParams.set('code', code);
    redirect.searchParams.set('state', u.searchParams.get('state') ?? '');
    redirect.searchParams.set('scope', (this.approveAs.scopes ?? asked).join(' '));
    res.writeHead(302, { location: redirect.toString() });
    res.end();
  }

  private token(b: Record<string, string>, send: (s: number, p: unknown) => void): void {
    if (b.client_id !== this.clientId || b.client_secret !== this.clientSecret) return send(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    const issue = (email: string, scopes: string[], refresh: string) => {
      const access = `ya29.${randomBytes(16).toString('base64url')}`;
      this.access.set(access, { email, scopes, expiresAt: Date.now() + this.tokenLifetime * 1000, refresh });
      return { access_token: access, expires_in: this.tokenLifetime, scope: scopes.join(' '), token_type: 'Bearer' };
    };
    if (b.grant_type === 'authorization_code') {
      const c = this.codes.get(b.code);
      this.codes.delete(b.code);
      if (!c || c.redirectUri !== b.redirect_uri) return send(400, { error: 'invalid_grant', error_description: 'Malformed auth code.' });
      if (c.method !== 'S256' || !b.code_verifier || createHash('sha256').update(b.code_verifier).digest('base64url') !== c.challenge) return send(400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' });
      const refresh = `1//0g${randomBytes(16).toString('base64url')}`;
      this.refresh.set(refresh, { email: c.email, scopes: c.scopes, revoked: false });
      return send(200, { ...issue(c.email, c.scopes, refresh), refresh_token: refresh, refresh_token_expires_in: 604799 });
    }
    if (b.grant_type === 'refresh_token') {
      const r = this.refresh.get(b.refresh_token);
      if (!r || r.revoked) return send(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      return send(200, issue(r.email, r.scopes, b.refresh_token));
    }
    send(400, { error: 'unsupported_grant_type', error_description: `Invalid grant_type: ${b.grant_type}` });
  }

  private gmail(method: string, u: URL, body: any, token: string | undefined, send: (s: number, p: unknown) => void): void {
    const err = (code: number, message: string, status: string, reason: string) => send(code, { error: { code, message, errors: [{ message, domain: 'global', reason }], status } });
    if (this.apiDown) return err(this.apiDown, 'The service is currently unavailable.', 'UNAVAILABLE', 'backendError');
    const t = token ? this.access.get(token) : undefined;
    if (!t || t.expiresAt <= Date.now()) return err(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.', 'UNAUTHENTICATED', 'authError');
    const path = u.pathname.slice('/gmail/v1/users/me/'.length);
    const can = (scope: string) => t.scopes.includes(scope);
    const needCompose = () => err(403, 'Request had insufficient authentication scopes.', 'PERMISSION_DENIED', 'insufficientPermissions');
    const format = (m: FakeMessage) => (u.searchParams.get('format') === 'metadata' ? { ...m, payload: { ...m.payload, parts: undefined, headers: m.payload.headers.filter((h: any) => u.searchParams.getAll('metadataHeaders').includes(h.name)) } } : m);
    if (method === 'GET' && path === 'profile') return send(200, { emailAddress: t.email, messagesTotal: this.messages.length, threadsTotal: new Set(this.messages.map((m) => m.threadId)).size, historyId: String(this.historyId) });
    if (method === 'GET' && path === 'messages') {
      const q = (u.searchParams.get('q') ?? '').toLowerCase();
      const hits = this.messages.filter((m) => !q || q.split(/\s+/).every((w) => (w.startsWith('from:') ? this.hdr(m, 'From').toLowerCase().includes(w.slice(5)) : JSON.stringify([this.hdr(m, 'Subject'), m.snippet]).toLowerCase().includes(w)))).reverse();
      const start = Number(u.searchParams.get('pageToken') ?? 0);
      const size = Number(u.searchParams.get('maxResults') ?? 100);
      const page = hits.slice(start, start + size);
      return send(200, { ...(page.length ? { messages: page.map((m) => ({ id: m.id, threadId: m.threadId })) } : {}), ...(start + size < hits.length ? { nextPageToken: String(start + size) } : {}), resultSizeEstimate: hits.length });
    }
    const msg = /^messages\/([^/]+)$/.exec(path);
    if (method === 'GET' && msg) {
      const m = this.messages.find((x) => x.id === msg[1]);
      return m ? send(200, format(m)) : err(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
    }
    const thread = /^threads\/([^/]+)$/.exec(path);
    if (method === 'GET' && thread) {
      const ms = this.messages.filter((x) => x.threadId === thread[1]);
      return ms.length ? send(200, { id: thread[1], historyId: String(this.historyId), messages: ms.map(format) }) : err(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
    }
    if (method === 'POST' && path === 'drafts') {
      if (!can(SCOPE_COMPOSE)) return needCompose();
      const id = `r-${++this.n}`;
      this.drafts.push({ id, raw: body.message.raw, threadId: body.message.threadId });
      return send(200, { id, message: { id: `18d${this.n}`, threadId: body.message.threadId ?? `18d${this.n}`, labelIds: ['DRAFT'] } });
    }
    if (method === 'POST' && path === 'messages/send') {
      if (!can(SCOPE_COMPOSE)) return needCompose();
      const id = `18e${++this.n}`;
      this.sent.push({ id, raw: body.raw });
      return send(200, { id, threadId: body.threadId ?? id, labelIds: ['SENT'] });
    }
    if (method === 'GET' && path === 'labels') {
      return send(200, {
        labels: [
          { id: 'INBOX', name: 'INBOX', messageListVisibility: 'hide', labelListVisibility: 'labelShow', type: 'system' },
          { id: 'SENT', name: 'SENT', type: 'system' },
          { id: 'Label_12', name: 'Receipts', messageListVisibility: 'show', labelListVisibility: 'labelShow', type: 'user' },
        ],
      });
    }
    if (method === 'GET' && path === 'history') {
      const start = Number(u.searchParams.get('startHistoryId'));
      if (!start || start < 1000) return err(404, 'Requested entity was not found.', 'NOT_FOUND', 'notFound');
      const records = this.history.filter((h) => h.id > start).map((h) => {
        const m = this.messages.find((x) => x.id === h.messageId)!;
        return { id: String(h.id), messages: [{ id: m.id, threadId: m.threadId }], messagesAdded: [{ message: { id: m.id, threadId: m.threadId, labelIds: m.labelIds } }] };
      });
      return send(200, { ...(records.length ? { history: records } : {}), historyId: String(this.historyId) });
    }
    err(404, 'Not Found', 'NOT_FOUND', 'notFound');
  }

  private hdr(m: FakeMessage, name: string): string {
    return m.payload.headers.find((h: any) => h.name === name)?.value ?? '';
  }
}

/** Starts a fake Google on 127.0.0.1 with a random port. */
export async function startFakeGoogle(): Promise<FakeGoogle> {
  return new FakeGoogle().start();
}

export { SCOPE_COMPOSE, SCOPE_READONLY };
