import { timingSafeEqual } from 'node:crypto';
import type { AdapterServices, AppendResult, InboundHttpRequest, InboundHttpResponse, InboundRoute, InboxEvent } from '../../src/channel/index.ts';
import type { TgContext } from './context.ts';
import { SHARED_SOURCE } from './interpret.ts';
import { checkUpdate } from './schema.ts';
import type { TelegramConfig, TgUpdate } from './types.ts';

/** Largest update body we accept (bytes). Telegram updates are a few KiB. */
export const MAX_UPDATE_BYTES = 256 * 1024;

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Compares a header with the expected secret in constant time (lengths leak nothing useful: both are hashes of fixed size). */
export function secretMatches(header: string | string[] | undefined, expected: string | undefined): boolean {
  if (!expected || typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The inbox event of one update: deduped on (bot, update_id), ordered per chat or forum topic. */
export function updateEvent(source: string, update: TgUpdate): InboxEvent {
  const m = update.message ?? update.edited_message;
  const chat = m?.chat?.id;
  const topic = m?.is_topic_message ? m.message_thread_id : undefined;
  return {
    channel: 'telegram',
    source,
    externalEventId: String(update.update_id),
    orderingKey: chat === undefined ? `telegram|${source}|other` : `telegram|${source}|${chat}${topic !== undefined ? `:${topic}` : ''}`,
    payload: update,
  };
}

/**
 * Group commit: appends arriving within one turn of the event loop go to the inbox in one statement,
 * and each caller resolves when the batch is committed. Many concurrent webhooks then cost one
 * transaction instead of one each.
 */
export class InboxBatcher {
  private queue: { event: InboxEvent; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    private readonly services: AdapterServices,
    private readonly maxBatch = 256,
  ) {}

  append(event: InboxEvent): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        const results = await this.services.inbox.append(batch.map((b) => b.event));
        batch.forEach((b, i) => b.resolve(results[i]));
      } catch (e) {
        for (const b of batch) b.reject(e);
      }
    }
  }
}

const json = (status: number, code: string, message: string): InboundHttpResponse => ({ status, body: { error: { code, message } } });

/**
 * Parses, checks and commits one update body; 200 only after the commit. A body that is not JSON
 * gets 400. JSON that is not a valid update (a field we read has the wrong type, no update_id) came
 * with the right secret, so it is answered 200 with the reason and logged, and nothing is stored:
 * any other answer would make Telegram deliver it again, and it can never succeed.
 */
async function accept(ctx: TgContext, batcher: InboxBatcher, source: string, raw: Buffer): Promise<InboundHttpResponse> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    return json(400, 'malformed_json', 'The body is not valid JSON');
  }
  const checked = checkUpdate(body);
  if ('invalid' in checked) {
    ctx.services.log.warn({ integration: source, update_id: checked.updateId, reason: checked.invalid }, 'Telegram update ignored');
    return { status: 200, body: { ok: true, ignored: checked.invalid } };
  }
  const r = await batcher.append(updateEvent(source, checked.update));
  return { status: 200, body: { ok: true, duplicate: r.duplicate } };
}

/**
 * The webhook routes: `POST /api/telegram/shared/webhook` (the shared bot) and
 * `POST /api/telegram/:integrationId/webhook` (a bot of a user). Unknown or deleted bots get 404,
 * a wrong or missing secret 401 (the body is not parsed), malformed JSON 400, an invalid update 200 (ignored).
 */
export function webhookRoutes(ctx: TgContext, batcher: InboxBatcher): InboundRoute[] {
  return [
    {
      method: 'post',
      path: '/api/telegram/shared/webhook',
      maxBodyBytes: MAX_UPDATE_BYTES,
      async handle(req: InboundHttpRequest) {
        if (!ctx.pool.hasShared) return json(404, 'not_found', 'No shared bot is configured');
        if (!secretMatches(req.headers[SECRET_HEADER], ctx.pool.sharedSecret())) return json(401, 'unauthorized', 'secret token is wrong');
        return accept(ctx, batcher, SHARED_SOURCE, req.rawBody);
      },
    },
    {
      method: 'post',
      path: '/api/telegram/:integrationId/webhook',
      maxBodyBytes: MAX_UPDATE_BYTES,
      async handle(req: InboundHttpRequest) {
        const id = req.params.integrationId;
        const found = await ctx.pool.webhookSecret(id);
        if (!found) return json(404, 'not_found', 'No such Telegram integration');
        if (!secretMatches(req.headers[SECRET_HEADER], found.secret)) return json(401, 'unauthorized', 'secret token is wrong');
        if ((found.integration.config as TelegramConfig).mode === 'polling') return json(409, 'polling_mode', 'This bot receives updates by polling');
        return accept(ctx, batcher, id, req.rawBody);
      },
    },
  ];
}
