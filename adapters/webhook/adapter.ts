import {
  checkUrl,
  newWebhookSecret,
  RefusedError,
  splitText,
  UnprocessableError,
  BadRequestError,
  UrlGuardError,
  isChannelError,
  type AdapterDeps,
  type ChannelAdapter,
  type ConnectContext,
  type ConnectResult,
  type IntegrationInfo,
  type OutboundMessage,
  type SendContext,
  type SendResult,
} from '../../src/channel/index.ts';
import { capabilities, MAX_BODY_BYTES } from './capabilities.ts';
import { postEvent } from './deliver.ts';
import { assertBodyFits, buildEvent, webhookId, type WebhookEvent } from './event.ts';

/** Deliveries in flight at once per endpoint: 8. */
export const WEBHOOK_LANES = 8;

/**
 * What a webhook integration shows in its (readable) config. The full URL is kept with the secrets,
 * encrypted, because webhook URLs often carry a token in their path or query; `url` shows only
 * the origin (`https://hooks.example.com/…`).
 */
interface WebhookConfig {
  url: string;
  signed: boolean;
}

/** What a webhook integration keeps encrypted. */
interface WebhookSecrets {
  url?: string;
  secret?: string;
}

/** The URL as shown: origin, plus `/…` when a path or query is hidden. */
const displayUrl = (u: URL) => (u.pathname === '/' && !u.search ? u.origin : `${u.origin}/…`);

/**
 * The webhook channel: JSON POSTs to a URL the user gave, signed the Standard Webhooks way when a
 * `whsec_` secret is set, through the URL guard, retried on Svix's schedule.
 */
export function createWebhookAdapter({ services }: AdapterDeps): ChannelAdapter {
  const allow = services.config.allowPrivateUrls;
  /** Timeout of one delivery attempt (config.bus.sendTimeoutMs, default 15 s). */
  const timeoutMs = services.config.bus.sendTimeoutMs;

  async function secretsOf(integration: IntegrationInfo): Promise<{ url: string; secret?: string }> {
    const s = await services.integrations.secrets<WebhookSecrets>(integration.id);
    // Rows made before the URL moved to the secrets kept it in config.
    const url = s?.url ?? (integration.config as { url?: string }).url;
    if (!url || url.endsWith('/…')) throw new RefusedError('the webhook integration has no URL; connect it again', true);
    return { url, secret: s?.secret };
  }

  async function deliver(integration: IntegrationInfo, event: WebhookEvent, id: string) {
    const body = JSON.stringify(event);
    if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new RefusedError(`webhook body is ${Buffer.byteLength(body)} bytes; the limit is 256 KiB (${MAX_BODY_BYTES} bytes)`);
    return postEvent({ ...(await secretsOf(integration)), id, body, allow, timeoutMs });
  }

  return {
    name: 'webhook',
    capabilities,

    async connect(input: Record<string, unknown>, _ctx: ConnectContext): Promise<ConnectResult> {
      const known = new Set(['type', 'name', 'url', 'secret']);
      const extra = Object.keys(input).filter((k) => !known.has(k));
      if (extra.length) throw new BadRequestError(`unknown field${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`, 'invalid_request');
      // Replacing credentials in place: what the input leaves out (the URL, the secret) is kept.
      const kept = _ctx.replacing ? await services.integrations.secrets<WebhookSecrets>(_ctx.replacing.id) : undefined;
      const rawUrl = input.url ?? kept?.url;
      if (typeof rawUrl !== 'string' || !rawUrl) throw new BadRequestError('url is required: the https URL that receives the events', 'invalid_request');
      let url: URL;
      try {
        url = await checkUrl(rawUrl, allow);
      } catch (e) {
        if (e instanceof UrlGuardError) throw new UnprocessableError(`Webhook URL refused: ${e.message}`, 'url_refused');
        throw e;
      }
      const secret = input.secret === undefined && kept?.secret ? { value: kept.secret, generated: false } : parseSecret(input.secret);
      return {
        name: `webhook ${url.host}`,
        config: { url: displayUrl(url), signed: secret !== undefined } satisfies WebhookConfig,
        secrets: { url: url.toString(), ...(secret ? { secret: secret.value } : {}) } satisfies WebhookSecrets,
        ...(secret?.generated ? { shown: { secret: secret.value } } : {}),
      };
    },

    /**
     * Webhook events carry no order promise (like Svix): deliveries to one endpoint spread over
     * {@link WEBHOOK_LANES} lanes, so up to that many are in flight at once and a slow or retrying
     * event does not hold back the others.
     */
    orderingKey(message: OutboundMessage, integrationId: string | null): string {
      const seed = String(message.data?.notification_id ?? message.text);
      let h = 0;
      for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
      return `webhook|${integrationId ?? 'none'}|${h % WEBHOOK_LANES}`;
    },

    checkOutbound(message: OutboundMessage): void {
      assertBodyFits(message.text, message.subject);
    },

    async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
      if (!ctx.integration) throw new RefusedError('a webhook send needs its integration');
      const parts = splitText(message.text, capabilities.maxTextLength);
      const ids: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        const id = webhookId(ctx.idempotencyKey, i + 1, parts.length);
        await deliver(ctx.integration, buildEvent(message, parts[i], i + 1, parts.length), id);
        ids.push(id);
      }
      return { messageIds: ids };
    },

    integrationActions: {
      test: {
        async handle(integration) {
          const id = webhookId(`test:${integration.id}:${Date.now()}:${Math.random()}`, 1, 1);
          const event = buildEvent({ text: 'This is a test event from Switchboard.', format: 'plain', target: {} }, 'This is a test event from Switchboard.', 1, 1, 'test');
          try {
            const res = await deliver(integration, event, id);
            return { body: { delivered: true, status: res.status, webhook_id: id } };
          } catch (e) {
            if (!isChannelError(e)) throw e;
            return { body: { delivered: false, webhook_id: id, error: e.message } };
          }
        },
      },
    },
  };
}

/** `secret`: absent/false → unsigned; true → generate one (shown once); a `whsec_…` string → use it. */
function parseSecret(raw: unknown): { value: string; generated: boolean } | undefined {
  if (raw === undefined || raw === null || raw === false) return undefined;
  if (raw === true) return { value: newWebhookSecret(), generated: true };
  if (typeof raw === 'string' && /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(raw) && Buffer.from(raw.slice(6), 'base64').length >= 16) {
    return { value: raw, generated: false };
  }
  throw new UnprocessableError('secret must be true (generate one) or a whsec_ secret with at least 16 base64 bytes', 'invalid_secret');
}
