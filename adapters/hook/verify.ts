import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { newWebhookSecret } from '../../src/channel/index.ts';
import { randomBytes } from 'node:crypto';

/** How a hook checks its callers: a Standard Webhooks signature, GitHub's `X-Hub-Signature-256`, or a bearer token. */
export const VERIFY_KINDS = ['standard', 'github', 'bearer'] as const;
export type VerifyKind = (typeof VERIFY_KINDS)[number];

type Headers = Record<string, string | string[] | undefined>;

/** A new secret for a hook: `whsec_…` (standard), 64 hex characters (github), `hk_…` (bearer). */
export function newHookSecret(kind: VerifyKind): string {
  if (kind === 'standard') return newWebhookSecret();
  if (kind === 'github') return randomBytes(32).toString('hex');
  return `hk_${randomBytes(30).toString('base64url')}`;
}

const one = (h: string | string[] | undefined) => (typeof h === 'string' ? h : undefined);

/** Equal in constant time; both sides are hashed first, so their lengths leak nothing. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/**
 * Checks a call against the hook's secret; returns why it fails, or undefined when it passes.
 * - standard: `webhook-id`, `webhook-timestamp` (within 5 min) and `webhook-signature` (the
 *   standardwebhooks package does the check);
 * - github: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, compared in constant time;
 * - bearer: `Authorization: Bearer <token>`, compared in constant time.
 */
export function verifyCall(kind: VerifyKind, secret: string, headers: Headers, rawBody: Buffer): string | undefined {
  if (kind === 'standard') {
    if (!one(headers['webhook-signature'])) return 'missing webhook-signature header';
    try {
      new Webhook(secret).verify(rawBody.toString('utf8'), {
        'webhook-id': one(headers['webhook-id']) ?? '',
        'webhook-timestamp': one(headers['webhook-timestamp']) ?? '',
        'webhook-signature': one(headers['webhook-signature']) ?? '',
      });
      return undefined;
    } catch {
      return 'bad or expired Standard Webhooks signature';
    }
  }
  if (kind === 'github') {
    const given = one(headers['x-hub-signature-256']);
    if (!given) return 'missing X-Hub-Signature-256 header';
    const expected = `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
    return sameSecret(given.trim().toLowerCase(), expected) ? undefined : 'bad X-Hub-Signature-256 signature';
  }
  const m = /^Bearer\s+(\S+)$/i.exec(one(headers.authorization) ?? '');
  if (!m) return 'missing Authorization: Bearer header';
  return sameSecret(m[1], secret) ? undefined : 'wrong bearer token';
}
