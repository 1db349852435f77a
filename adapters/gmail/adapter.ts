import { BadRequestError, RefusedError, type AdapterDeps, type ChannelAdapter, type ConnectResult, type IntegrationInfo } from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { classifyFailure, oauthClient, type GmailSecrets } from './client.ts';
import { createOAuth } from './oauth.ts';
import { HistoryPoller, type HistoryPollerOptions } from './poller.ts';
import { gmailTools } from './tools.ts';

/**
 * Options of {@link createGmailAdapter}; the defaults suit production. `email.received` polling:
 * `tickMs` (how often due mailboxes are looked for, default 5 000 ms), `clock`, `onPass`.
 */
export type GmailAdapterOptions = HistoryPollerOptions;

/**
 * The Gmail data source: "Connect Gmail" with Google OAuth (`GET /v1/integrations/gmail/install`,
 * `GET /api/google/callback`), one row per Google account; the `gmail_*` tools for the profiles a
 * row is granted to; `email.received` from the history API, polled at its triggers' interval; revocation at Google on disconnect.
 * It carries no notifications.
 */
export function createGmailAdapter({ services }: AdapterDeps, options: GmailAdapterOptions = {}): ChannelAdapter {
  const oauth = createOAuth(services);
  const poller = new HistoryPoller(services, options);
  const noNotifications = 'Gmail is a data source agents read through the gmail_* tools; it carries no notifications (use email for that)';

  return {
    name: 'gmail',
    capabilities,
    async send(): Promise<never> {
      throw new RefusedError(noNotifications);
    },
    checkOutbound(): void {
      throw new BadRequestError(noNotifications, 'channel_not_notifiable');
    },
    async connect(): Promise<ConnectResult> {
      throw new BadRequestError('Gmail is connected with Google sign-in: GET /v1/integrations/gmail/install and open the url it answers', 'use_oauth');
    },
    /** `allow_send` (boolean, default false): whether gmail_send sends, or saves a draft instead. */
    validateSettings(settings: Record<string, unknown>): Record<string, unknown> {
      const { allow_send, ...rest } = settings;
      const unknown = Object.keys(rest);
      if (unknown.length) throw new BadRequestError(`unknown field${unknown.length > 1 ? 's' : ''} for gmail: ${unknown.join(', ')} (settable: allow_send)`, 'invalid_request');
      if (typeof allow_send !== 'boolean') throw new BadRequestError('allow_send must be true or false', 'invalid_request');
      return { allow_send };
    },
    /** Revokes the refresh token at Google (which ends every access token of the grant). */
    async disconnect(integration: IntegrationInfo): Promise<void> {
      const secrets = await services.integrations.secrets<GmailSecrets>(integration.id);
      const token = secrets?.refresh_token ?? secrets?.access_token;
      if (!token) return;
      try {
        await oauthClient(services).revokeToken(token);
      } catch (e) {
        services.log.warn({ integration: integration.id, reason: classifyFailure(e).reason }, 'revoking the Google token failed');
      }
    },
    tools: gmailTools(services),
    routes: [oauth.callback],
    typeActions: { install: oauth.install },
    async start() {
      poller.start();
    },
    stop: () => poller.stop(),
  };
}
