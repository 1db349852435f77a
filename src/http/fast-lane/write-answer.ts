import type { ServerResponse } from 'node:http';
import type { InboundHttpResponse } from '../../channel/index.ts';
import { sendJson } from '../send-json.ts';

/**
 * Writes an adapter's answer: its headers and status, then no body, a `contentType` body (text as
 * UTF-8, with `charset=utf-8` set on the type as express does; a Buffer as is; anything else as
 * JSON text), or JSON.
 */
export function writeAnswer(res: ServerResponse, out: InboundHttpResponse): void {
  if (out.headers) for (const [k, v] of Object.entries(out.headers)) res.setHeader(k, v);
  if (out.body === undefined) {
    res.statusCode = out.status;
    res.end();
    return;
  }
  if (!out.contentType) return sendJson(res, out.status, out.body);
  const body = out.body;
  res.statusCode = out.status;
  if (Buffer.isBuffer(body)) {
    res.setHeader('content-type', out.contentType);
    res.setHeader('content-length', body.length);
    res.end(body);
    return;
  }
  const text = typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body);
  res.setHeader('content-type', withUtf8Charset(out.contentType));
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

/** `text/html` → `text/html; charset=utf-8`; another charset parameter is replaced. */
export function withUtf8Charset(type: string): string {
  const [base, ...params] = type.split(';').map((p) => p.trim());
  const kept = params.filter((p) => p && !/^charset=/i.test(p));
  return [base.toLowerCase(), ...[...kept, 'charset=utf-8'].sort()].join('; ');
}
