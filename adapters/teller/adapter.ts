import { BadRequestError, RefusedError, type AdapterDeps, type ChannelAdapter, type IntegrationInfo } from '../../src/channel/index.ts';
import { capabilities } from './capabilities.ts';
import { createTellerClient, type TellerClient } from './client.ts';
import { tellerConfig } from './config.ts';
import { connectCallback, connectInfo, type TellerSecrets } from './connect.ts';
import { connectPage } from './page.ts';
import { tellerDataTools } from './tools.ts';
import { webhookRoute } from './webhook.ts';

/** Options of {@link createTellerAdapter}; the defaults suit production. */
export interface TellerAdapterOptions {
  /** Our clock for webhook signatures (epoch ms); default `Date.now`. */
  now?: () => number;
}

/**
 * Teller, a data source: bank enrollments linked with Teller Connect from the dashboard's Data
 * sources (`GET /v1/integrations/teller/connect` for its settings, `POST /v1/integrations/teller/callback`
 * with its result; `GET /teller/connect` redirects there), read by agents
 * through the `teller_accounts`, `teller_balances` and `teller_transactions` tools, over mutual TLS.
 * Signed webhooks (`POST /api/teller/webhook`) mark disconnected enrollments; disconnecting revokes
 * the enrollment at Teller (`DELETE /accounts`, best effort).
 */
export function createTellerAdapter({ services }: AdapterDeps, options: TellerAdapterOptions = {}): ChannelAdapter {
  let client: TellerClient | undefined;
  const api = () => (client ??= createTellerClient(tellerConfig.of(services), { timeoutMs: services.config.bus.sendTimeoutMs }));

  return {
    name: 'teller',
    capabilities,
    async send() {
      throw new RefusedError('Teller is a data source: it carries no messages');
    },
    checkOutbound() {
      throw new BadRequestError('Teller is a data source, not a notification channel', 'not_a_notification_channel');
    },
    async connect() {
      throw new BadRequestError('Teller is connected with Teller Connect: open Data sources in the dashboard (/ui/integrations), or post its onSuccess result to /v1/integrations/teller/callback', 'use_teller_connect');
    },
    tools: tellerDataTools(services, api),
    async disconnect(integration: IntegrationInfo) {
      const s = await services.integrations.secrets<TellerSecrets>(integration.id);
      if (!s?.access_token) return;
      try {
        await api().delete(s.access_token, '/accounts');
      } catch (e) {
        services.log.warn({ integration: integration.id, err: (e as Error).message }, 'revoking the Teller enrollment failed; deleting the token anyway');
      }
      await services.integrations.setSecrets(integration.id, null);
    },
    routes: [webhookRoute(services, options.now), connectPage()],
    typeActions: { connect: connectInfo(services), callback: connectCallback(services, api) },
    async stop() {
      client?.close();
      client = undefined;
    },
  };
}
