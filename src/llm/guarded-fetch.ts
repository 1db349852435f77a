import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { Readable } from 'node:stream';
import { guardedLookup } from '../net/guarded-fetch.ts';
import { AllowList, bareHost, checkUrlShape, resolveAllowed } from '../net/url-guard.ts';

/**
 * A `fetch` for clients that take one (the OpenAI SDK, the MCP client, streamed agent answers) that
 * goes through the URL guard: the URL's shape is checked, an IP literal before connecting, a name by
 * the connection's own lookup (so DNS cannot switch to a private address in between). No redirects
 * are followed. The response body streams, so Server-Sent Events arrive as they are written.
 */
export function guardedWebFetch(allow: AllowList | readonly string[]): typeof fetch {
  const list = allow instanceof AllowList ? allow : new AllowList(allow);
  return async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const req = new Request(input, init);
    const u = checkUrlShape(req.url);
    const host = bareHost(u);
    if (net.isIP(host)) await resolveAllowed(host, list);
    const body = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    if (body) headers['content-length'] = String(body.length);
    const signal = req.signal;
    signal.throwIfAborted();
    return new Promise<Response>((resolve, reject) => {
      const lib = u.protocol === 'https:' ? https : http;
      const r = lib.request(u, { method: req.method, headers, agent: false, lookup: guardedLookup(list) }, (res) => {
        const out = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) out.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const status = res.statusCode ?? 500;
        const empty = status === 204 || status === 304 || req.method === 'HEAD';
        if (empty) res.resume();
        resolve(new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage, headers: out }));
      });
      const onAbort = () => r.destroy(signal.reason instanceof Error ? signal.reason : new DOMException('This operation was aborted', 'AbortError'));
      signal.addEventListener('abort', onAbort, { once: true });
      r.on('close', () => signal.removeEventListener('abort', onAbort));
      r.on('error', reject);
      r.end(body);
    });
  };
}
