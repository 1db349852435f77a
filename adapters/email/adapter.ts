import { Resend } from 'resend';
import {
  BadRequestError,
  RefusedError,
  splitText,
  UnavailableError,
  UnprocessableError,
  type AdapterDeps,
  type ChannelAdapter,
  type ConnectContext,
  type ConnectResult,
  type IntegrationInfo,
  type OutboundMessage,
  type SendContext,
  type SendResult,
} from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { emailConfig } from './config.ts';
import { translateResendError, type ResendErrorShape } from './errors.ts';
import { defaultSubject, renderEmail } from './render.ts';

/** What an email integration keeps in its (readable) config. */
interface EmailConfig {
  from: string;
  to: string[];
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
/** `a@b.c` or `Name <a@b.c>`. */
const FROM = /^([^<>]*<[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)$/;

/**
 * The email channel through Resend: the user's own API key (validated on connect, encrypted at
 * rest), Markdown rendered to safe HTML plus a plain-text part, the delivery's idempotency key as
 * Resend's `Idempotency-Key`, and Resend's errors mapped to retry or refuse.
 */
export function createEmailAdapter({ services }: AdapterDeps): ChannelAdapter {
  const client = (apiKey: string) => new Resend(apiKey, { baseUrl: emailConfig.of(services).resendBaseUrl });

  async function keyOf(integration: IntegrationInfo): Promise<string> {
    const s = await services.integrations.secrets<{ api_key?: string }>(integration.id);
    if (!s?.api_key) throw new RefusedError('the email integration has no API key; connect it again', true);
    return s.api_key;
  }

  return {
    name: 'email',
    capabilities,

    async connect(input: Record<string, unknown>, ctx: ConnectContext): Promise<ConnectResult> {
      const known = new Set(['type', 'name', 'api_key', 'from', 'to']);
      const extra = Object.keys(input).filter((k) => !known.has(k));
      if (extra.length) throw new BadRequestError(`unknown field${extra.length > 1 ? 's' : ''}: ${extra.join(', ')}`, 'invalid_request');
      // Replacing credentials in place: what the input leaves out (key, sender, recipients) is kept.
      const kept = ctx.replacing ? (ctx.replacing.config as unknown as EmailConfig) : undefined;
      const apiKey = input.api_key ?? (ctx.replacing ? (await services.integrations.secrets<{ api_key?: string }>(ctx.replacing.id))?.api_key : undefined);
      const from = input.from ?? kept?.from;
      if (typeof apiKey !== 'string' || !apiKey.trim()) throw new BadRequestError('api_key is required: a Resend API key (re_…)', 'invalid_request');
      if (typeof from !== 'string' || !FROM.test(from.trim())) throw new BadRequestError('from must be an address on a domain verified in Resend, e.g. "Alerts <alerts@example.com>"', 'invalid_request');
      const to = input.to === undefined && kept ? kept.to : parseTo(input.to, ctx.userEmail);
      await validateKey(client(apiKey.trim()));
      return {
        name: `email to ${to.join(', ')}`,
        config: { from: from.trim(), to } satisfies EmailConfig,
        secrets: { api_key: apiKey.trim() },
      };
    },

    async send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
      if (!ctx.integration) throw new RefusedError('an email send needs its integration');
      const cfg = ctx.integration.config as unknown as EmailConfig;
      const target = Array.isArray(message.target.to) ? (message.target.to as string[]) : cfg.to;
      const resend = client(await keyOf(ctx.integration));
      const parts = splitText(message.text, capabilities.maxTextLength);
      const subject = message.subject ?? defaultSubject(message.text);
      const ids: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        const bodies = renderEmail(parts[i], message.format ?? 'markdown');
        const { data, error, headers } = await resend.emails.send(
          {
            from: cfg.from,
            to: target,
            subject: parts.length > 1 ? `${subject} (${i + 1}/${parts.length})` : subject,
            html: bodies.html,
            text: bodies.text,
          },
          { idempotencyKey: parts.length > 1 ? `${ctx.idempotencyKey}#${i + 1}` : ctx.idempotencyKey },
        );
        if (error) throw translateResendError(error as ResendErrorShape, headers);
        ids.push(data?.id ?? `${ctx.idempotencyKey}#${i + 1}`);
      }
      return { messageIds: ids };
    },
  };
}

/** `to`: absent → the user's own address; a string or a list of addresses otherwise. */
function parseTo(raw: unknown, userEmail: string): string[] {
  if (raw === undefined || raw === null || raw === '') return [userEmail];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || list.length > 50 || !list.every((a) => typeof a === 'string' && EMAIL.test(a.trim()))) {
    throw new BadRequestError('to must be an email address or a list of up to 50', 'invalid_request');
  }
  return list.map((a) => (a as string).trim());
}

/**
 * Checks the key with one cheap authenticated call (list domains). A sending-only key answers
 * `restricted_api_key`, which still proves it is genuine. A refused key is a 422; an unreachable
 * Resend a 503. The key is never echoed.
 */
async function validateKey(resend: Resend): Promise<void> {
  const { error } = await resend.domains.list();
  if (!error) return;
  const e = error as ResendErrorShape;
  if (e.name === 'restricted_api_key') return;
  if (e.statusCode === null || e.statusCode === undefined || e.statusCode >= 500 || e.statusCode === 429) {
    throw new UnavailableError('Resend could not be reached to check the API key; try again', 'resend_unavailable');
  }
  if (e.statusCode === 401 || e.statusCode === 403) throw new UnprocessableError('Resend refused the API key (invalid or revoked); nothing was stored', 'invalid_api_key');
  throw new UnprocessableError(`Resend did not accept the API key: ${e.message ?? e.name ?? 'unknown error'}`, 'invalid_api_key');
}
