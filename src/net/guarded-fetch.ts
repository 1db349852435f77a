import http from 'node:http';
import https from 'node:https';
import net, { type LookupFunction } from 'node:net';
import { AllowList, bareHost, checkUrlShape, resolveAllowed, UrlGuardError, type Resolver } from './url-guard.ts';

/** Options of {@link guardedFetch}. */
export interface GuardedFetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hosts/CIDRs exempt from the guard (config.allowPrivateUrls). */
  allow: AllowList | readonly string[];
  /** Whole-request timeout in ms. Default 15 000. */
  timeoutMs?: number;
  /** Redirects to follow, each re-checked by the guard. Default 0: a 3xx is returned as it is. */
  maxRedirects?: number;
  /** Response body bytes kept; the rest is discarded. Default 64 KiB. */
  maxResponseBytes?: number;
  /** Resolves host names at connection time. Default: the system resolver. */
  resolve?: Resolver;
}

/** What a guarded request answered. */
export interface GuardedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
}

/** The request took longer than its timeout. */
export class GuardedTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/**
 * A DNS lookup for `net.connect` that resolves the host and refuses guarded addresses. The socket
 * connects to exactly the address checked here, so a name cannot switch to a private address
 * between the check and the connection (DNS rebinding).
 */
export function guardedLookup(allow: AllowList, resolve?: Resolver): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveAllowed(hostname, allow, resolve).then(
      (found) => (options?.all ? callback(null, found) : callback(null, found[0].address, found[0].family)),
      (err) => callback(err),
    );
  }) as unknown as LookupFunction;
}

/**
 * An HTTP(S) request that never reaches loopback, private, link-local, multicast or metadata
 * addresses unless exempt: the URL's shape is checked, IP literals are checked before connecting,
 * names are checked by the connection's own lookup, and every redirect (if any are followed) goes
 * through the same checks. Network errors and guard refusals reject; any HTTP status resolves.
 */
export async function guardedFetch(raw: string, o: GuardedFetchOptions): Promise<GuardedResponse> {
  const allow = o.allow instanceof AllowList ? o.allow : new AllowList(o.allow);
  let url = raw;
  let method = o.method ?? 'GET';
  let body = o.body;
  for (let hop = 0; ; hop++) {
    const res = await requestOnce(url, { ...o, method, body }, allow);
    const location = res.headers.location;
    if (res.status >= 300 && res.status < 400 && location && hop < (o.maxRedirects ?? 0)) {
      url = new URL(location, url).toString();
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      continue;
    }
    return res;
  }
}

function requestOnce(raw: string, o: GuardedFetchOptions, allow: AllowList): Promise<GuardedResponse> {
  const u = checkUrlShape(raw);
  const host = bareHost(u);
  const timeoutMs = o.timeoutMs ?? 15_000;
  const cap = o.maxResponseBytes ?? 64 * 1024;
  return new Promise<GuardedResponse>((resolve, reject) => {
    // IP literals never reach the lookup function, so they are checked here first.
    resolveAllowedLiteral(host, allow).then(() => {
      const lib = u.protocol === 'https:' ? https : http;
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.body !== undefined) headers['content-length'] = String(Buffer.byteLength(o.body));
      const req = lib.request(u, { method: o.method, headers, agent: false, lookup: guardedLookup(allow, o.resolve) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < cap) chunks.push(c.subarray(0, cap - size));
          size += c.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          const hs: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) hs[k] = Array.isArray(v) ? v.join(', ') : v;
          resolve({ status: res.statusCode ?? 0, headers: hs, body: Buffer.concat(chunks).toString('utf8'), url: raw });
        });
        res.on('error', (e) => {
          clearTimeout(timer);
          reject(e);
        });
      });
      const timer = setTimeout(() => req.destroy(new GuardedTimeoutError(timeoutMs)), timeoutMs);
      req.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      req.end(o.body);
    }, reject);
  });
}

async function resolveAllowedLiteral(host: string, allow: AllowList): Promise<void> {
  if (net.isIP(host)) await resolveAllowed(host, allow);
}

export { UrlGuardError };
