import type { Api } from 'grammy';
import type { OutboundMessage, SendContext, SendResult } from '../../src/channel/index.ts';
import { RefusedError } from '../../src/channel/index.ts';
import type { TgContext } from './context.ts';
import { isEntityError, translate } from './errors.ts';
import { toParts, type Part } from './format.ts';
import { FREE_BOT_RATE, type Pacer } from './pacing.ts';
import type { TelegramConfig, TelegramTarget } from './types.ts';

/** Parts already delivered of a split message whose later part failed; a retry resumes after them. */
const progress = new Map<string, { ids: number[]; at: number }>();
const PROGRESS_TTL_MS = 24 * 3600_000;

/**
 * Sends one outbound message: through the integration it belongs to (or the shared bot), formatted
 * as Telegram HTML, split at 4096, paced per chat and per bot. A part whose entities Telegram cannot
 * parse is resent as plain text. A bot with a `broadcast_rate` above the free 30/s is paced at that
 * rate and sends with `allow_paid_broadcast`. Returns every message id and the claim keys `chat:message`.
 */
export async function sendMessage(ctx: TgContext, pacer: Pacer, message: OutboundMessage, sc: SendContext): Promise<SendResult> {
  const target = message.target as unknown as TelegramTarget & { via?: 'shared' };
  if (target?.chat_id === undefined || target.chat_id === null) throw new RefusedError('Telegram message has no chat_id in its target');
  const bot = sc.integration ? await ctx.pool.forIntegration(sc.integration) : target.via === 'shared' ? await ctx.pool.sharedBot() : undefined;
  if (!bot) throw new RefusedError('Telegram message names no integration to send through');
  const text = message.subject ? `**${message.subject}**\n\n${message.text}` : message.text;
  const parts = toParts(text || ' ', message.format ?? 'markdown');
  const key = `${sc.integration?.id ?? 'shared'}|${sc.idempotencyKey}`;
  const done = progress.get(key)?.ids ?? [];
  const isGroup = target.chat_type === 'group' || target.chat_type === 'supergroup' || (typeof target.chat_id === 'number' && target.chat_id < 0);
  const config = sc.integration?.config as TelegramConfig | undefined;
  const rate = !config?.shared && typeof config?.broadcast_rate === 'number' ? config.broadcast_rate : undefined;
  const paid = rate !== undefined && rate > FREE_BOT_RATE;
  for (let i = done.length; i < parts.length; i++) {
    await pacer.acquire(String(bot.me.id), String(target.chat_id), isGroup, rate);
    try {
      done.push(await sendPart(bot.api, target, parts[i], i === 0 ? message.replyToMessageId : undefined, paid));
    } catch (e) {
      if (done.length > 0) progress.set(key, { ids: done, at: Date.now() });
      if (progress.size > 10_000) prune();
      throw e;
    }
  }
  progress.delete(key);
  return { messageIds: done.map(String), claimKeys: done.map((id) => `${target.chat_id}:${id}`) };
}

async function sendPart(api: Api, target: TelegramTarget, part: Part, replyTo: string | undefined, paid: boolean): Promise<number> {
  const other = {
    ...(paid ? { allow_paid_broadcast: true } : {}),
    ...(target.message_thread_id !== undefined ? { message_thread_id: target.message_thread_id } : {}),
    ...(replyTo ? { reply_parameters: { message_id: Number(replyTo), allow_sending_without_reply: true } } : {}),
  };
  if (part.html !== undefined) {
    try {
      return (await api.sendMessage(target.chat_id, part.html, { ...other, parse_mode: 'HTML' })).message_id;
    } catch (e) {
      if (!isEntityError(e)) throw translate(e, 'sendMessage');
    }
  }
  try {
    return (await api.sendMessage(target.chat_id, part.plain, other)).message_id;
  } catch (e) {
    throw translate(e, 'sendMessage');
  }
}

function prune(): void {
  const now = Date.now();
  for (const [k, v] of progress) if (now - v.at > PROGRESS_TTL_MS) progress.delete(k);
}
