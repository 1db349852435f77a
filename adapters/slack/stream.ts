import type { WebClient } from '@slack/web-api';
import { z } from 'zod';
import { LatestTextPump, RefusedError, type AdapterServices, type InboundMessage, type OutboundMessage, type SendResult, type StreamOptions, type StreamSink } from '../../src/channel/index.ts';
import { slackClient } from './client.ts';
import { slackConfig } from './config.ts';
import { translateSlackError } from './errors.ts';
import { renderText } from './format.ts';
import type { SlackTarget } from './parse.ts';
import type { SlackSecrets } from './settings.ts';

/** Least time between two appends to one streamed message, in ms. */
export const SLACK_STREAM_INTERVAL_MS = 500;

/** What a final send needs to finish a streamed message: where it is, and the text appended so far. */
const StreamHandle = z.object({ channel: z.string().min(1), ts: z.string().min(1), streamed: z.string().optional() });

/**
 * A live preview of a reply in a Slack thread: `chat.startStream` with the first text, then
 * `chat.appendStream` with what was added, at most every {@link SLACK_STREAM_INTERVAL_MS}. The
 * message's ts is handed to `onOpen` (made durable by the bus) before anything is appended, and
 * `finish` returns it so the outbox's send finishes this message instead of posting a second one.
 * Only replies in a thread stream (Slack streams into threads); others get the usual post.
 */
export function slackStream(client: () => Promise<WebClient>, message: InboundMessage, o: StreamOptions, intervalMs = SLACK_STREAM_INTERVAL_MS): StreamSink | undefined {
  const target = message.replyTarget as SlackTarget & { team?: string };
  if (!target.channel || !target.thread_ts) return undefined;
  const channel = target.channel;
  let ts: string | undefined;
  let appended = '';
  const pump = new LatestTextPump(
    async (text) => {
      const c = await client();
      if (!ts) {
        const r = await c.chat.startStream({
          channel,
          thread_ts: target.thread_ts!,
          markdown_text: text,
          ...(target.team && !message.isDirect ? { recipient_team_id: target.team, recipient_user_id: message.sender.id } : {}),
        });
        if (!r.ts) throw new Error('chat.startStream answered no ts');
        ts = r.ts;
        appended = text;
        await o.onOpen({ channel, ts });
        return;
      }
      if (!text.startsWith(appended)) throw new Error('the text was rewritten; the preview stops');
      const delta = text.slice(appended.length);
      if (!delta) return;
      await c.chat.appendStream({ channel, ts, markdown_text: delta });
      appended = text;
    },
    { intervalMs },
  );
  return {
    update: (text) => void (text.trim() && pump.update(text)),
    async finish() {
      await pump.stop();
      return ts ? { channel, ts, streamed: appended } : undefined;
    },
  };
}

/** Slack's answer when a message is not (or no longer) streaming. */
const NOT_STREAMING = /message_not_in_streaming_state|not_streaming|message_not_streaming/;

/**
 * The outbox's send of a reply that was streamed: finishes the streamed message with the final
 * text. When the final text continues what was appended, `chat.stopStream` adds the rest;
 * otherwise (an apology, a reply re-made after a restart, a retry after the stream was stopped) the
 * stream is stopped and `chat.update` sets the whole text. Safe to repeat.
 */
export async function finishStream(client: WebClient, message: OutboundMessage): Promise<SendResult> {
  const h = StreamHandle.parse(message.stream);
  const target = message.target as SlackTarget;
  const rest = h.streamed !== undefined && message.text.startsWith(h.streamed) ? message.text.slice(h.streamed.length) : undefined;
  let finished = false;
  try {
    await client.chat.stopStream({ channel: h.channel, ts: h.ts, ...(rest ? { markdown_text: rest } : {}) });
    finished = rest !== undefined;
  } catch (e) {
    if (!NOT_STREAMING.test(String((e as { data?: { error?: string } }).data?.error ?? (e as Error).message))) throw translateSlackError(e, 'chat.stopStream');
  }
  if (!finished) {
    try {
      await client.chat.update({ channel: h.channel, ts: h.ts, text: renderText(message.text, message.format, message.subject) });
    } catch (e) {
      throw translateSlackError(e, 'chat.update');
    }
  }
  const thread = target.thread_ts ?? h.ts;
  return { messageIds: [h.ts], claimKeys: [`${h.channel}:${thread}`], raw: { channel: h.channel, streamed: true } };
}

/** A Web API client with the bot token of an integration (read when first needed). */
export function clientOfIntegration(services: AdapterServices, integrationId: string | null): () => Promise<WebClient> {
  let client: Promise<WebClient> | undefined;
  return () =>
    (client ??= (async () => {
      const secrets = integrationId ? await services.integrations.secrets<SlackSecrets>(integrationId) : undefined;
      if (!secrets?.bot_token) throw new RefusedError('the Slack installation has no bot token', true);
      return slackClient(slackConfig.of(services).apiUrl, services.log, secrets.bot_token);
    })());
}
