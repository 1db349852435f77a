import type { WebClient } from '@slack/web-api';
import { RefusedError, splitText, type AdapterServices, type IntegrationInfo, type OutboundMessage, type SendContext, type SendResult } from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { slackClient } from './client.ts';
import { slackConfig } from './config.ts';
import { translateSlackError } from './errors.ts';
import { renderText } from './format.ts';
import type { ChannelPacer, RecentSet } from './pacing.ts';
import type { SlackTarget } from './parse.ts';
import type { SlackSecrets } from './settings.ts';
import { finishStream } from './stream.ts';

/** What {@link createSender} needs. */
export interface SenderDeps {
  services: AdapterServices;
  pacer: ChannelPacer;
  /** Threads the bot posted in (`channel:thread_ts`); replies there reach it without a mention. */
  botThreads: RecentSet;
}

/** Parts of a split send already posted, by idempotency key, so a retry resumes instead of repeating them. */
const MAX_PROGRESS = 5000;

/**
 * Builds `send`: opens the DM first when the target names a user, renders Markdown as mrkdwn,
 * splits at the text limit, paces each chat.postMessage per channel, and posts into the target's
 * thread. Returns every ts, and claim keys `channel:ts` (or the thread's) for thread claims.
 */
export function createSender(d: SenderDeps) {
  const progress = new Map<string, { channel: string; ts: string[] }>();

  async function clientFor(integration: IntegrationInfo | null): Promise<WebClient> {
    if (!integration) throw new RefusedError('a Slack send needs an integration');
    const secrets = await d.services.integrations.secrets<SlackSecrets>(integration.id);
    if (!secrets?.bot_token) throw new RefusedError('the Slack installation has no bot token (uninstalled or revoked)', true);
    return slackClient(slackConfig.of(d.services).apiUrl, d.services.log, secrets.bot_token);
  }

  async function channelOf(client: WebClient, target: SlackTarget): Promise<string> {
    if (target.channel) return target.channel;
    if (!target.user) throw new RefusedError('the Slack target names neither a channel nor a user');
    try {
      const opened = await client.conversations.open({ users: target.user });
      const id = (opened.channel as { id?: string } | undefined)?.id;
      if (!id) throw new RefusedError('conversations.open returned no channel');
      return id;
    } catch (e) {
      throw translateSlackError(e, 'conversations.open');
    }
  }

  return async function send(message: OutboundMessage, ctx: SendContext): Promise<SendResult> {
    const client = await clientFor(ctx.integration);
    const target = message.target as SlackTarget;
    // A reply that was streamed finishes its streamed message rather than posting another.
    if (message.stream) return finishStream(client, message).then((r) => (r.claimKeys?.forEach((k) => d.botThreads.add(k)), r));
    const done = progress.get(ctx.idempotencyKey);
    const channel = done?.channel ?? (await channelOf(client, target));
    const parts = splitText(renderText(message.text, message.format, message.subject), capabilities.maxTextLength);
    const posted = done?.ts ?? [];
    for (const part of parts.slice(posted.length)) {
      await d.pacer.wait(channel);
      try {
        const r = await client.chat.postMessage({ channel, text: part, thread_ts: target.thread_ts, unfurl_links: false, unfurl_media: false });
        posted.push(String(r.ts));
      } catch (e) {
        if (posted.length) {
          progress.set(ctx.idempotencyKey, { channel, ts: posted });
          if (progress.size > MAX_PROGRESS) progress.delete(progress.keys().next().value as string);
        }
        throw translateSlackError(e, 'chat.postMessage');
      }
    }
    progress.delete(ctx.idempotencyKey);
    const threadTs = target.thread_ts;
    for (const ts of posted) d.botThreads.add(`${channel}:${threadTs ?? ts}`);
    const claimKeys = threadTs ? [`${channel}:${threadTs}`] : posted.map((ts) => `${channel}:${ts}`);
    return { messageIds: posted, claimKeys, raw: { channel } };
  };
}

/**
 * Revokes the bot token (best effort) and forgets the installation's secrets. Slack gives every
 * installer of one app in one workspace the same bot token, so the token is revoked only when no
 * other integration still holds it.
 */
export async function revokeInstallation(services: AdapterServices, integration: IntegrationInfo): Promise<void> {
  const secrets = await services.integrations.secrets<SlackSecrets>(integration.id);
  const siblings = integration.externalId ? (await services.integrations.byExternalId('slack', integration.externalId)).filter((i) => i.id !== integration.id) : [];
  let shared = false;
  for (const s of siblings) if ((await services.integrations.secrets<SlackSecrets>(s.id))?.bot_token === secrets?.bot_token) shared = true;
  if (shared) services.log.info({ channel: 'slack', integration: integration.id }, 'bot token still used by another installer; not revoking it');
  if (secrets?.bot_token && !shared) {
    try {
      await (await slackClient(slackConfig.of(services).apiUrl, services.log, secrets.bot_token)).auth.revoke({});
    } catch (e) {
      services.log.warn({ channel: 'slack', integration: integration.id, err: translateSlackError(e, 'auth.revoke').message }, 'auth.revoke failed; deleting anyway');
    }
  }
  await services.integrations.setSecrets(integration.id, null);
}
