import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AdapterServices, InboundHttpRequest, InboundRoute } from '../../src/channel/index.ts';
import { tellerConfig } from './config.ts';
import { TellerWebhook } from './schema.ts';

/** How far a webhook's `t=` may be from our clock: 3 minutes, in seconds (Teller's own tolerance). */
export const WEBHOOK_WINDOW_S = 180;

/**
 * Checks `Teller-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>…]`: HMAC-SHA256 of `<t>.<body>` with
 * the signing secret, any `v1` matching (Teller signs with every live secret while one rotates),
 * compared in constant time. Returns a reason on refusal.
 */
export function verifyTellerSignature(secret: string, header: string | undefined, rawBody: Buffer, nowMs = Date.now()): string | null {
  if (!header) return 'missing Teller-Signature header';
  const parts = header.split(',').map((p) => p.trim().split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const sigs = parts.filter(([k]) => k === 'v1').map(([, v]) => v ?? '');
  if (!t || !/^\d{1,12}$/.test(t) || sigs.length === 0) return 'malformed Teller-Signature header';
  if (Math.abs(Math.floor(nowMs / 1000) - Number(t)) > WEBHOOK_WINDOW_S) return 'timestamp outside the 3-minute window';
  const want = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  const ok = sigs.some((s) => /^[0-9a-f]{64}$/i.test(s) && timingSafeEqual(Buffer.from(s, 'hex'), want));
  return ok ? null : 'signature mismatch';
}

/**
 * `POST /api/teller/webhook`: Teller's signed webhooks. `enrollment.disconnected` turns every row of
 * that enrollment unhealthy with Teller's reason (firing `integration.unhealthy`); other events are
 * acknowledged and ignored. 503 without TELLER_SIGNING_SECRET, 401 on a bad signature, 400 on a body
 * that is not a Teller webhook.
 */
export function webhookRoute(services: AdapterServices, now: () => number = Date.now): InboundRoute {
  return {
    method: 'post',
    path: '/api/teller/webhook',
    maxBodyBytes: 64 * 1024,
    async handle(req: InboundHttpRequest) {
      const secret = tellerConfig.of(services).signingSecret;
      if (!secret) return { status: 503, body: { error: { code: 'teller_not_configured', message: 'TELLER_SIGNING_SECRET is not set on this hub' } } };
      const sig = req.headers['teller-signature'];
      const refused = verifyTellerSignature(secret, Array.isArray(sig) ? sig[0] : sig, req.rawBody, now());
      if (refused) return { status: 401, body: { error: { code: 'invalid_signature', message: refused } } };
      let body: unknown;
      try {
        body = JSON.parse(req.rawBody.toString('utf8'));
      } catch {
        body = undefined;
      }
      const hook = TellerWebhook.safeParse(body);
      if (!hook.success) return { status: 400, body: { error: { code: 'invalid_request', message: 'not a Teller webhook' } } };
      const { type, payload } = hook.data;
      if (type === 'enrollment.disconnected' && payload.enrollment_id) {
        const rows = await services.integrations.byExternalId('teller', payload.enrollment_id);
        for (const row of rows) {
          await services.integrations.setStatus(row.id, 'unhealthy', `Teller: the enrollment is disconnected (${payload.reason ?? 'disconnected'}); reconnect it with Teller Connect`);
        }
        services.log.info({ enrollment: payload.enrollment_id, rows: rows.length, reason: payload.reason }, 'Teller enrollment disconnected');
      }
      return { status: 200, body: { ok: true } };
    },
  };
}
