import { HubError, RefusedError, type ChannelAdapter, type InboundDecision, type InboxEventView } from '../../channel/index.ts';
import type { BusTuning } from '../../config.ts';
import { notify } from '../../notify/service.ts';
import type { Store } from '../../store/index.ts';
import type { Bus } from '../index.ts';
import { TRIGGER_CHANNEL, type TriggerInboxPayload } from './firing.ts';

/** Longest rendering of an event's payload in the turn's `text` (the echo agent repeats it): 4 000 characters. */
const SUMMARY_CHARS = 4000;

/** Prefix of the idempotency key of a notification that carries a trigger's answer (no `delivery.failed` loops). */
export const TRIGGER_REPLY_KEY = 'trigger-reply:';

/**
 * The internal channel of `agent` triggers. Its inbox rows become a turn for the trigger's profile
 * (one thread per trigger, so the agent sees earlier firings as history); the agent's answer comes
 * back through `send`, which notifies the trigger's `reply_channel` (or keeps it in the log only).
 */
export function createTriggerChannel(store: Store, bus: () => Bus, tuning: BusTuning): ChannelAdapter {
  return {
    name: TRIGGER_CHANNEL,
    capabilities: { category: 'local', inbound: true, maxTextLength: 200_000, threads: true, multiRow: false, authMethods: ['none'] },

    async interpret(row: InboxEventView): Promise<InboundDecision> {
      const { trigger_id, event } = row.payload as TriggerInboxPayload;
      const trigger = await store.triggers.byId(trigger_id);
      if (!trigger) return { kind: 'ignored', reason: `trigger ${trigger_id} was deleted` };
      if (!trigger.profile_id) return { kind: 'ignored', reason: `trigger ${trigger_id} has no profile`, userId: trigger.user_id };
      const text = `[${event.type}] ${JSON.stringify(event.data)}`;
      return {
        kind: 'message',
        userId: trigger.user_id,
        profileId: trigger.profile_id,
        message: {
          channel: TRIGGER_CHANNEL,
          integrationId: null,
          threadKey: trigger.id,
          messageId: event.id,
          sender: { id: `trigger:${trigger.id}`, name: `trigger ${trigger.event}`, isBot: true },
          text: text.length > SUMMARY_CHARS ? `${text.slice(0, SUMMARY_CHARS)}…` : text,
          attachments: [],
          isDirect: true,
          replyTarget: { trigger_id: trigger.id },
          sentAt: Date.parse(event.occurred_at),
          raw: { trigger: { id: trigger.id, event: trigger.event, integration_id: trigger.integration_id }, event },
        },
      };
    },

    async send(message, ctx) {
      const triggerId = String(message.target.trigger_id ?? '');
      const trigger = await store.triggers.byId(triggerId);
      if (!trigger) throw new RefusedError(`trigger ${triggerId} was deleted; its answer is only in the log`);
      if (!trigger.reply_channel) return { messageIds: [] };
      const profile = trigger.profile_id ? await store.profiles.byId(trigger.profile_id) : undefined;
      if (!profile) throw new RefusedError(`the profile of trigger ${trigger.id} was deleted`);
      try {
        const r = await notify(store, bus(), tuning, profile, {
          channel: trigger.reply_channel,
          message: message.text,
          subject: `Trigger: ${trigger.event}`,
          idempotency_key: `${TRIGGER_REPLY_KEY}${ctx.idempotencyKey}`,
        });
        return { messageIds: [r.notification.id] };
      } catch (e) {
        if (e instanceof HubError) throw new RefusedError(`reply channel ${trigger.reply_channel}: ${e.message}`);
        throw e;
      }
    },
  };
}
