import { Agent, request } from 'node:https';
import type { z } from 'zod';
import { TellerErrorBody } from './schema.ts';
import type { TellerSettings } from './config.ts';

/**
 * Why a Teller call failed:
 * - `disconnected`: Teller says the grant is gone (401/403, or an `enrollment.disconnected…` code);
 *   the integration turns unhealthy.
 * - `refused`: Teller refused this call (404, 410, 422, a missing client certificate…); nothing
 *   about the integration's health follows from it.
 * - `unreachable`: no answer (network, TLS, timeout, 5xx, an answer we cannot read).
 */
export class TellerError extends Error {
  constructor(
    readonly kind: 'disconnected' | 'refused' | 'unreachable',
    message: string,
    /** Teller's error code (`enrollment.disconnected`, `forbidden`…), when it gave one. */
    readonly code?: string,
    /** The HTTP status, when there was an answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TellerError';
  }
}

/** Options of {@link createTellerClient}. */
export interface TellerClientOptions {
  /** Time a call may take, in ms, answer included. Default 15 000. */
  timeoutMs?: number;
}

/** A Teller API client for one application: its client certificate on every connection. */
export interface TellerClient {
  /** GET a path (`/accounts`, `/accounts/acc_…/transactions?count=50`) with an enrollment's token; parses the answer. */
  get<T>(token: string, path: string, schema: z.ZodType<T>): Promise<T>;
  /** DELETE a path (`/accounts` revokes the whole enrollment). */
  delete(token: string, path: string): Promise<void>;
  close(): void;
}

/** Largest answer read, in bytes: 8 MiB. */
const MAX_ANSWER = 8 * 1024 * 1024;

/**
 * Teller's API over node:https: mutual TLS with `TELLER_CERT`/`TELLER_KEY` (a keep-alive agent), the
 * access token as the HTTP Basic username with an empty password, as Teller expects. Tokens never
 * appear in errors.
 */
export function createTellerClient(s: TellerSettings, o: TellerClientOptions = {}): TellerClient {
  const agent = new Agent({ keepAlive: true, cert: s.cert, key: s.key, ...(s.ca ? { ca: s.ca } : {}) });
  const timeoutMs = o.timeoutMs ?? 15_000;

  function call(method: 'GET' | 'DELETE', token: string, path: string): Promise<{ status: number; body: unknown }> {
    const url = new URL(s.apiUrl + path);
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method,
        agent,
        headers: { authorization: `Basic ${Buffer.from(`${token}:`).toString('base64')}`, accept: 'application/json' },
        timeout: timeoutMs,
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(new TellerError('unreachable', `Teller could not be reached: ${describeNetError(e)}`));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_ANSWER) req.destroy(new Error('the answer is too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(new TellerError('unreachable', `Teller's answer broke off: ${describeNetError(e)}`));
        });
      });
      req.end();
    });
  }

  return {
    async get(token, path, schema) {
      const r = await call('GET', token, path);
      if (r.status !== 200) throw errorOf(r.status, r.body);
      const parsed = schema.safeParse(r.body);
      if (!parsed.success) throw new TellerError('unreachable', `Teller answered ${path.split('?')[0]} in a shape the hub does not read`);
      return parsed.data;
    },
    async delete(token, path) {
      const r = await call('DELETE', token, path);
      if (r.status >= 300) throw errorOf(r.status, r.body);
    },
    close: () => agent.destroy(),
  };
}

/** Teller's answer (status, `{error:{code,message}}`) as a {@link TellerError}. */
function errorOf(status: number, body: unknown): TellerError {
  const e = TellerErrorBody.safeParse(body);
  const code = e.success ? e.data.error.code : undefined;
  const said = e.success && e.data.error.message ? `: ${e.data.error.message}` : '';
  if (status === 401 || status === 403 || code?.startsWith('enrollment.disconnected')) {
    return new TellerError('disconnected', `Teller refused the enrollment's access token (${status}${code ? ` ${code}` : ''})${said}`, code, status);
  }
  if (status >= 500 || status === 429 || status === 0) return new TellerError('unreachable', `Teller answered ${status}${code ? ` ${code}` : ''}${said}`, code, status);
  return new TellerError('refused', `Teller answered ${status}${code ? ` ${code}` : ''}${said}`, code, status);
}

/** A network or TLS failure in words; a refused client certificate is named as such. */
function describeNetError(e: Error & { code?: string }): string {
  const code = e.code ?? '';
  if (/CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE/i.test(code)) return `the TLS client certificate was refused (check TELLER_CERT and TELLER_KEY) [${code}]`;
  if (/CERT|SSL|TLS/i.test(code)) return `TLS failed [${code}]`;
  return code ? `${e.message} [${code}]` : e.message;
}
