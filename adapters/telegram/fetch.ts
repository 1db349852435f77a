import http from 'node:http';
import https from 'node:https';

/** What grammY passes to its `fetch` for a JSON call (see grammy/out/core/client.js and payload.js). */
interface GrammyInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** The keep-alive agent grammY keeps per API root (its `baseFetchConfig`). */
  agent?: http.Agent;
  signal?: { aborted: boolean; addEventListener(t: 'abort', f: () => void): void; removeEventListener(t: 'abort', f: () => void): void } | null;
}

/** The part of a fetch Response grammY reads: the JSON body, whatever the status. */
interface JsonResponse {
  status: number;
  ok: boolean;
  json(): Promise<unknown>;
}

/**
 * grammY's `client.fetch` for Node: its JSON calls go straight through `node:http`/`node:https` on
 * the keep-alive agent grammY already keeps per API root, without node-fetch's Request/Headers/stream
 * machinery (about half the client CPU per call, measured in bench/). Bodies that are not strings
 * (multipart uploads) go to the global `fetch`. Honours the abort signal (grammY's timeout and
 * cancellation); a network failure rejects, which grammY reports as an HttpError.
 */
export function telegramFetch(url: string, init: GrammyInit = {}): Promise<JsonResponse> {
  if (init.body !== undefined && typeof init.body !== 'string') {
    const { agent: _agent, ...rest } = init;
    return fetch(url, rest as RequestInit);
  }
  const body = init.body as string | undefined;
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = target.protocol === 'https:' ? https.request : http.request;
    const headers: Record<string, string | number> = { ...init.headers };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const onAbort = () => req.destroy(abortError());
    const done = () => signal?.removeEventListener('abort', onAbort);
    const req = request(target, { method: init.method ?? 'GET', headers, agent: init.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => (done(), reject(e)));
      res.on('end', () => {
        done();
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        resolve({ status, ok: status >= 200 && status < 300, json: async () => JSON.parse(text) });
      });
    });
    req.on('error', (e) => (done(), reject(e)));
    signal?.addEventListener('abort', onAbort);
    req.end(body);
  });
}

function abortError(): Error {
  const e = new Error('The Telegram request was aborted');
  e.name = 'AbortError';
  return e;
}
