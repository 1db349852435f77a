// Bolt's verifier module alone (node:crypto and tsscmp): importing '@slack/bolt' would load all of
// Bolt (~0.6 s, ~20 MB) for one function.
import { verifySlackRequest } from '@slack/bolt/dist/receivers/verify-request.js';

/** How far a request's timestamp may be from our clock: 5 minutes, in seconds. */
export const SIGNATURE_WINDOW_S = 300;

/** Input of {@link verifySlackSignature}. */
export interface SignatureCheck {
  signingSecret: string;
  /** The exact bytes Slack sent. */
  rawBody: Buffer | string;
  headers: Record<string, string | string[] | undefined>;
  /** Our clock, epoch ms; default now. */
  nowMs?: number;
}

const header = (h: SignatureCheck['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/**
 * Checks a Slack request signature (`v0`, HMAC-SHA256 of `v0:<timestamp>:<body>`, compared in
 * constant time by Bolt's `verifySlackRequest`) and that the timestamp is within five minutes of
 * our clock, in the past or the future. Returns a reason on refusal; never throws.
 */
export function verifySlackSignature(c: SignatureCheck): { ok: true } | { ok: false; reason: string } {
  const signature = header(c.headers, 'x-slack-signature');
  const timestamp = header(c.headers, 'x-slack-request-timestamp');
  if (!signature || !timestamp) return { ok: false, reason: 'missing signature headers' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed timestamp' };
  const nowMs = c.nowMs ?? Date.now();
  if (Number(timestamp) - Math.floor(nowMs / 1000) > SIGNATURE_WINDOW_S) return { ok: false, reason: 'timestamp is in the future' };
  try {
    verifySlackRequest({
      signingSecret: c.signingSecret,
      body: typeof c.rawBody === 'string' ? c.rawBody : c.rawBody.toString('utf8'),
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': Number(timestamp) },
      nowMilliseconds: nowMs,
    });
    return { ok: true };
  } catch (e) {
    const msg = (e as Error).message;
    return { ok: false, reason: /stale/.test(msg) ? 'timestamp is older than five minutes' : 'signature mismatch' };
  }
}
