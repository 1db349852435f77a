import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';

/** One account the fake holds, in Teller's shape (money as decimal strings). */
export interface FakeAccount {
  id: string;
  name: string;
  type: string;
  subtype: string;
  last_four: string;
  currency: string;
  ledger: string;
  available: string;
  /** Newest first, as Teller lists them. */
  transactions: { id: string; amount: string; date: string; description: string; status: string; type: string; category: string; counterparty: string; running_balance: string }[];
}

/** One enrollment: a bank login linked with Teller Connect, with its access token. */
export interface FakeEnrollment {
  id: string;
  institution: { id: string; name: string };
  token: string;
  accounts: FakeAccount[];
  /** Set when the bank connection broke: every call answers 401 `enrollment.disconnected`. */
  disconnected?: boolean;
  /** Set by `DELETE /accounts`: the token is revoked (403). */
  revoked?: boolean;
}

/** A request the fake answered (or refused). */
export interface FakeTellerCall {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The HTTP Basic username: the access token. */
  token: string | undefined;
  /** Common name of the client certificate presented. */
  clientCn: string | undefined;
}

/** A local HTTPS fake of Teller's API, requiring client certificates signed by the test CA. */
export interface FakeTeller {
  url: string;
  enrollments: FakeEnrollment[];
  calls: FakeTellerCall[];
  /** While true, every connection is dropped before an answer (Teller unreachable). */
  unreachable: boolean;
  /** TLS handshakes refused (a client without a valid certificate). */
  refusedHandshakes: number;
  close(): Promise<void>;
}

/**
 * Starts the fake on 127.0.0.1, port 0: `GET /accounts`, `GET /accounts/:id`, `/balances`,
 * `/transactions` (count, from_id exclusive, start_date/end_date inclusive), `/details`, and
 * `DELETE /accounts`. Errors are Teller's `{"error":{"code","message"}}`: 401 without a token or for a
 * disconnected enrollment (`enrollment.disconnected`), 403 for an unknown or revoked token, 404.
 */
export async function startFakeTeller(tls: { cert: string; key: string; ca: string }, enrollments: FakeEnrollment[] = []): Promise<FakeTeller> {
  const calls: FakeTellerCall[] = [];
  let url = '';
  const server: Server = createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    const u = new URL(req.url ?? '/', 'https://x');
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const token = auth ? Buffer.from(auth, 'base64').toString('utf8').replace(/:$/, '') : undefined;
    const cert = (req.socket as TLSSocket).getPeerCertificate();
    calls.push({ method: req.method ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), token, clientCn: cert?.subject?.CN as string | undefined });
    if (fake.unreachable) return void req.socket.destroy();
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string) => send(status, { error: { code, message } });
    if (!token) return error(401, 'unauthorized', 'Missing access token');
    const e = fake.enrollments.find((x) => x.token === token);
    if (!e || e.revoked) return error(403, 'forbidden', 'Authorization token is invalid');
    if (e.disconnected) return error(401, 'enrollment.disconnected', 'The enrollment is disconnected: the user must reconnect it with Teller Connect');
    const base = `${url}/accounts`;
    const accountJson = (a: FakeAccount) => ({
      id: a.id,
      enrollment_id: e.id,
      name: a.name,
      last_four: a.last_four,
      type: a.type,
      subtype: a.subtype,
      currency: a.currency,
      status: 'open',
      institution: e.institution,
      links: { self: `${base}/${a.id}`, balances: `${base}/${a.id}/balances`, transactions: `${base}/${a.id}/transactions`, details: `${base}/${a.id}/details` },
    });
    if (u.pathname === '/accounts') {
      if (req.method === 'DELETE') {
        e.revoked = true;
        return send(204);
      }
      return send(200, e.accounts.map(accountJson));
    }
    const m = /^\/accounts\/([^/]+)(?:\/(balances|transactions|details))?$/.exec(u.pathname);
    const a = m && e.accounts.find((x) => x.id === m[1]);
    if (!m || !a || req.method !== 'GET') return error(404, 'not_found', 'The requested resource was not found');
    switch (m[2]) {
      case undefined:
        return send(200, accountJson(a));
      case 'balances':
        return send(200, { account_id: a.id, ledger: a.ledger, available: a.available, links: { self: `${base}/${a.id}/balances`, account: `${base}/${a.id}` } });
      case 'details':
        return send(200, { account_id: a.id, account_number: '123456789012', routing_numbers: { ach: '021000021' }, links: { self: `${base}/${a.id}/details`, account: `${base}/${a.id}` } });
      default: {
        let list = a.transactions.filter((t) => (!u.searchParams.get('start_date') || t.date >= u.searchParams.get('start_date')!) && (!u.searchParams.get('end_date') || t.date <= u.searchParams.get('end_date')!));
        const from = u.searchParams.get('from_id');
        if (from) list = list.slice(list.findIndex((t) => t.id === from) + 1);
        const count = Number(u.searchParams.get('count') ?? list.length);
        return send(
          200,
          list.slice(0, count).map((t) => ({
            id: t.id,
            account_id: a.id,
            amount: t.amount,
            date: t.date,
            description: t.description,
            status: t.status,
            type: t.type,
            running_balance: t.running_balance,
            details: { processing_status: 'complete', category: t.category, counterparty: { name: t.counterparty, type: 'organization' } },
            links: { self: `${base}/${a.id}/transactions/${t.id}`, account: `${base}/${a.id}` },
          })),
        );
      }
    }
  });
  const fake: FakeTeller = {
    url: '',
    enrollments,
    calls,
    unreachable: false,
    refusedHandshakes: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
  server.on('tlsClientError', () => fake.refusedHandshakes++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.url = url;
  return fake;
}
