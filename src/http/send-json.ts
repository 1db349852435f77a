import type { ServerResponse } from 'node:http';

/**
 * A JSON answer written directly on node:http: platforms read only the status, so the hot webhook
 * path skips express's `res.json` work (content negotiation helpers, ETag hashing, freshness check).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
