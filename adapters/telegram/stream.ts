import { randomInt } from 'node:crypto';
import { LatestTextPump, type InboundMessage, type StreamSink } from '../../src/channel/index.ts';
import type { TgContext } from './context.ts';
import type { TelegramTarget } from './types.ts';

/** Least time between two drafts of one reply, in ms (Telegram animates drafts; more often is wasted). */
export const DRAFT_INTERVAL_MS = 300;
/** Longest draft text (a message's limit). */
const MAX_DRAFT = 4096;

/**
 * A live preview of a reply in a private chat: `sendMessageDraft` (Bot API 9.x) with one draft id
 * per reply, at most every {@link DRAFT_INTERVAL_MS}. A draft is a temporary preview; the reply
 * itself is the outbox's `sendMessage`, so `finish` returns no handle. Groups get none (the typing
 * indicator stays); a failed draft stops the preview, never the reply.
 */
export function telegramStream(ctx: TgContext, message: InboundMessage, intervalMs = DRAFT_INTERVAL_MS): StreamSink | undefined {
  if (!message.isDirect || !message.integrationId) return undefined;
  const target = message.replyTarget as unknown as TelegramTarget;
  const integrationId = message.integrationId;
  const draftId = randomInt(1, 2 ** 31 - 1);
  let bot: ReturnType<TgContext['pool']['forIntegration']> | undefined;
  const pump = new LatestTextPump(
    async (text) => {
      bot ??= ctx.services.integrations.byId(integrationId).then((i) => {
        if (!i) throw new Error('integration gone');
        return ctx.pool.forIntegration(i);
      });
      const other = target.message_thread_id !== undefined ? { message_thread_id: target.message_thread_id } : {};
      await (await bot).api.sendMessageDraft(Number(target.chat_id), draftId, text.slice(0, MAX_DRAFT), other);
    },
    { intervalMs },
  );
  return {
    update: (text) => void (text.trim() && pump.update(text)),
    async finish() {
      await pump.stop();
      return undefined;
    },
  };
}
