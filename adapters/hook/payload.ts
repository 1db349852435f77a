import { z } from 'zod';

type Headers = Record<string, string | string[] | undefined>;

/** Headers never passed on to triggers: credentials and signatures. */
const HIDDEN = new Set(['authorization', 'cookie', 'x-hub-signature', 'x-hub-signature-256', 'webhook-signature', 'proxy-authorization']);

/** A sender's delivery id: printable, at most 200 characters. */
const DeliveryId = z.string().trim().min(1).max(200).regex(/^[\x21-\x7e]+$/);

/** The sender's delivery id when it sends one (`webhook-id`, `X-GitHub-Delivery`, `Idempotency-Key`). */
export function deliveryIdOf(headers: Headers): string | undefined {
  for (const name of ['webhook-id', 'x-github-delivery', 'idempotency-key']) {
    const r = DeliveryId.safeParse(headers[name]);
    if (r.success) return r.data;
  }
  return undefined;
}

/** The JSON body of a call, or its text when it is not JSON. */
export function bodyOf(headers: Headers, raw: Buffer): { json: unknown } | { text: string } {
  const text = raw.toString('utf8');
  const type = String(headers['content-type'] ?? '').toLowerCase();
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return { json: JSON.parse(text) };
    } catch {
      /* not JSON after all: passed on as text */
    }
  }
  return { text };
}

/** The headers passed on with the event: everything but credentials and signatures, one value each. */
export function visibleHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (HIDDEN.has(k) || v === undefined) continue;
    out[k] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}
