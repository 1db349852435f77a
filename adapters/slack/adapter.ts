import { BadRequestError, type AdapterDeps, type ChannelAdapter, type ConnectResult, type IntegrationInfo, type OutboundMessage } from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { eventsRoute } from './events.ts';
import { createInterpreter } from './interpret.ts';
import { createOAuth } from './oauth.ts';
import { ChannelPacer, RecentSet } from './pacing.ts';
import type { SlackTarget } from './parse.ts';
import { createSender, revokeInstallation } from './send.ts';
import { slackConfig, validateSlackSettings } from './settings.ts';
import { clientOfIntegration, slackStream } from './stream.ts';

/** Options of {@link createSlackAdapter}; the defaults suit production. */
export interface SlackAdapterOptions {
  /** Gap between two posts in one Slack channel, in ms. Default 1000 (Slack's ~1 message/s per channel). */
  paceMs?: number;
  /** Our clock for signature checks (epoch ms); default `Date.now`. */
  now?: () => number;
}

/**
 * The Slack channel: "Add to Slack" OAuth (`GET /v1/integrations/slack/install`,
 * `GET /api/slack/callback`), the signed Events API (`POST /api/slack/events`), threaded replies,
 * notifications to the installer's DM or a chosen channel, and revocation on disconnect.
 */
export function createSlackAdapter(deps: AdapterDeps, options: SlackAdapterOptions = {}): ChannelAdapter {
  const { services } = deps;
  const botThreads = new RecentSet();
  const oauth = createOAuth(services);
  const send = createSender({ services, pacer: new ChannelPacer(options.paceMs ?? 1000, services.rates), botThreads });

  return {
    name: 'slack',
    capabilities,
    send,
    stream: (message, so) => slackStream(clientOfIntegration(services, message.integrationId), message, so),
    interpret: createInterpreter(services, (key) => botThreads.has(key)),
    /** Slack is connected by OAuth only; a token POST is pointed at the install flow. */
    async connect(): Promise<ConnectResult> {
      throw new BadRequestError('Slack is connected with "Add to Slack": GET /v1/integrations/slack/install and open the url it answers', 'use_oauth');
    },
    validateSettings: (settings) => validateSlackSettings(settings),
    disconnect: (integration: IntegrationInfo) => revokeInstallation(services, integration),

    /** The installer's DM (opened at send time), or the integration's `notify_channel`. */
    async notifyTarget(integration: IntegrationInfo): Promise<Record<string, unknown>> {
      const c = slackConfig(integration);
      return c.notify_channel ? { channel: c.notify_channel } : { user: c.installer_user_id };
    },

    orderingKey(message: OutboundMessage, integrationId: string | null): string {
      const t = message.target as SlackTarget;
      return `slack|${integrationId ?? ''}|${t.channel ?? `user:${t.user ?? ''}`}`;
    },

    routes: [eventsRoute(services, { now: options.now }), oauth.callback],
    typeActions: { install: oauth.install },
  };
}
