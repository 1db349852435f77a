import { RefusedError, type ChannelAdapter } from '../../channel/index.ts';
import type { Store } from '../../store/index.ts';
import { capabilities as webhookCapabilities } from '../../../adapters/webhook/capabilities.ts';
import { postEvent } from '../../../adapters/webhook/deliver.ts';
import { webhookId } from '../../../adapters/webhook/event.ts';
import { TRIGGER_URL_CHANNEL } from './firing.ts';

/** Settings of the `url` trigger channel. */
export interface UrlChannelOptions {
  /** Hosts/CIDRs exempt from the URL guard (SWITCHBOARD_ALLOW_PRIVATE_URLS). */
  allowPrivateUrls: readonly string[];
  /** Timeout of one attempt, ms (config.bus.sendTimeoutMs, default 15 000). */
  timeoutMs: number;
}

/**
 * The internal channel of `url` triggers: each outbox row is one signed POST (Standard Webhooks,
 * the trigger's own `whsec_` secret) through the URL guard, with the webhook channel's code and its
 * retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h). The `webhook-id` derives from the row's
 * idempotency key, so every retry carries the same one.
 */
export function createTriggerUrlChannel(store: Store, o: UrlChannelOptions): ChannelAdapter {
  return {
    name: TRIGGER_URL_CHANNEL,
    capabilities: { category: 'local', inbound: false, maxTextLength: 1_000_000, threads: false, multiRow: false, authMethods: ['none'], retrySchedule: webhookCapabilities.retrySchedule },
    async send(message, ctx) {
      const triggerId = String(message.target.trigger_id ?? '');
      const trigger = await store.triggers.byId(triggerId);
      const secrets = trigger && store.triggers.secrets(trigger);
      if (!secrets) throw new RefusedError(`trigger ${triggerId} was deleted or has no URL`);
      const id = webhookId(ctx.idempotencyKey, 1, 1);
      await postEvent({ url: secrets.url, secret: secrets.secret, id, body: message.text, allow: o.allowPrivateUrls, timeoutMs: o.timeoutMs });
      return { messageIds: [id] };
    },
  };
}
