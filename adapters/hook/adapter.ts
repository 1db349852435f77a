import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import {
  BadRequestError,
  RefusedError,
  type AdapterDeps,
  type ChannelAdapter,
  type ConnectContext,
  type ConnectResult,
  type InboundHttpRequest,
  type InboundHttpResponse,
} from '../../src/channel/index.ts';
import { capabilities, MAX_HOOK_BODY_BYTES } from './capabilities.ts';
import { bodyOf, deliveryIdOf, visibleHeaders } from './payload.ts';
import { newHookSecret, VERIFY_KINDS, verifyCall, type VerifyKind } from './verify.ts';

/** What a hook shows in its config: how callers are checked, and the URL they call. */
interface HookConfig {
  verify: VerifyKind;
  url: string;
}

const Connect = z.strictObject({
  type: z.literal('hook'),
  name: z.string().min(1).max(100).optional(),
  verify: z.enum(VERIFY_KINDS, { message: `verify must be one of ${VERIFY_KINDS.join(', ')}` }),
});

const error = (status: number, code: string, message: string): InboundHttpResponse => ({ status, body: { error: { code, message } } });

/**
 * The `hook` channel: a URL (`POST /api/hooks/<integrationId>`) outside services call. Each call is
 * checked (Standard Webhooks, GitHub signature or bearer token; a bad one answers 401 and stores
 * nothing), then becomes a `hook.received` event whose trigger firings are committed before the
 * 202. Repeats with the same delivery id fire nothing new.
 */
export function createHookAdapter({ services }: AdapterDeps): ChannelAdapter {
  async function receive(req: InboundHttpRequest): Promise<InboundHttpResponse> {
    const integration = await services.integrations.byId(String(req.params.integrationId));
    if (!integration || integration.type !== 'hook') return error(404, 'not_found', 'Hook not found');
    const { verify } = integration.config as unknown as HookConfig;
    const secret = (await services.integrations.secrets<{ secret?: string }>(integration.id))?.secret;
    const why = secret ? verifyCall(verify, secret, req.headers, req.rawBody) : 'the hook has no secret; connect it again';
    if (why) return error(401, 'invalid_signature', `Hook call refused: ${why}`);
    const deliveryId = deliveryIdOf(req.headers);
    const fired = await services.events.emit({
      type: 'hook.received',
      userId: integration.userId,
      integrationId: integration.id,
      sourceId: `hook:${integration.id}:${deliveryId ?? randomUUID()}`,
      occurredAt: Date.now(),
      data: {
        integration_id: integration.id,
        hook: integration.name,
        delivery_id: deliveryId ?? null,
        headers: visibleHeaders(req.headers),
        ...bodyOf(req.headers, req.rawBody),
      },
    });
    return { status: 202, body: { received: true, delivery_id: deliveryId ?? null, triggers: fired } };
  }

  return {
    name: 'hook',
    capabilities,

    async connect(input: Record<string, unknown>, ctx: ConnectContext): Promise<ConnectResult> {
      const r = Connect.safeParse(input);
      if (!r.success) {
        const issue = r.error.issues[0];
        const field = issue.path.join('.') || 'body';
        throw new BadRequestError(issue.code === 'unrecognized_keys' ? `unknown field: ${issue.keys.join(', ')}` : `${field}: ${issue.message}`, 'invalid_request');
      }
      const secret = newHookSecret(r.data.verify);
      const url = `${services.config.publicUrl}/api/hooks/${ctx.integrationId}`;
      return {
        name: r.data.name ?? `hook (${r.data.verify})`,
        config: { verify: r.data.verify, url } satisfies HookConfig,
        secrets: { secret },
        shown: { url, secret },
      };
    },

    checkOutbound(): void {
      throw new BadRequestError('A hook integration receives events from outside services; it cannot carry notifications', 'channel_inbound_only');
    },

    async send(): Promise<never> {
      throw new RefusedError('a hook integration is inbound only');
    },

    routes: [{ method: 'post', path: '/api/hooks/:integrationId', maxBodyBytes: MAX_HOOK_BODY_BYTES, handle: receive }],
  };
}
