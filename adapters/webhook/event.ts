import { createHash } from 'node:crypto';
import { BadRequestError, type OutboundMessage } from '../../src/channel/index.ts';
import { MAX_BODY_BYTES } from './capabilities.ts';

/** The JSON body of one webhook delivery. */
export interface WebhookEvent {
  /** `notification` for notify calls, `test` for `POST /v1/integrations/:id/test`. */
  type: 'notification' | 'test';
  /** ISO time the event was built (the same on every retry of a delivery is not promised). */
  timestamp: string;
  data: {
    message: string;
    format: 'markdown' | 'plain';
    subject: string | null;
    notification_id: string | null;
    profile_id: string | null;
    channel: string | null;
    /** Present when a long text was sent as several events. */
    part?: number;
    parts?: number;
  };
}

/** Builds the event for one part of a message. */
export function buildEvent(message: OutboundMessage, text: string, part: number, parts: number, type: WebhookEvent['type'] = 'notification'): WebhookEvent {
  const d = message.data ?? {};
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    type,
    timestamp: new Date().toISOString(),
    data: {
      message: text,
      format: message.format ?? 'markdown',
      subject: message.subject ?? null,
      notification_id: str(d.notification_id),
      profile_id: str(d.profile_id),
      channel: str(d.channel),
      ...(parts > 1 ? { part, parts } : {}),
    },
  };
}

/**
 * The `webhook-id` of a delivery part: derived from the delivery's idempotency key, so every retry
 * carries the same id and receivers can dedupe.
 */
export function webhookId(idempotencyKey: string, part: number, parts: number): string {
  const seed = parts > 1 ? `${idempotencyKey}#${part}` : idempotencyKey;
  return `msg_${createHash('sha256').update(seed).digest('base64url').slice(0, 27)}`;
}

/** Throws a 400 naming the limit when a text would make a body over 256 KiB. */
export function assertBodyFits(text: string, subject?: string): void {
  // The rest of the envelope (type, time, ids) stays under 1 KiB; text and subject are JSON-escaped.
  const bytes = Buffer.byteLength(JSON.stringify(text)) + Buffer.byteLength(JSON.stringify(subject ?? '')) + 1024;
  if (bytes > MAX_BODY_BYTES) {
    throw new BadRequestError(`The message is too large for a webhook: bodies are limited to 256 KiB (${MAX_BODY_BYTES} bytes)`, 'message_too_large');
  }
}
