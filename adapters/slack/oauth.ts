import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallbackOptions, InstallProvider, InstallURLOptions } from '@slack/oauth';
import { ConflictError, UnavailableError, type AdapterServices, type InboundRoute, type TypeAction } from '../../src/channel/index.ts';
import { BOT_SCOPES } from './capabilities.ts';
import { clientOptions, slackLogger } from './client.ts';
import { slackConfig } from './config.ts';
import { slackErrorCode } from './errors.ts';
import { createInstallationStore, InstallConflictError, type StoredInstalls } from './installation-store.ts';
import { failurePage, successPage } from './pages.ts';
import { linkCodeStateStore, SlackStateError, type InstallMetadata } from './state-store.ts';

/** Path Slack redirects to after the user approves (or cancels) the install. */
export const CALLBACK_PATH = '/api/slack/callback';
const DEFAULT_API_URL = 'https://slack.com/api/';
const DEFAULT_AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

/**
 * The authorize page: slack.com's, or — when SLACK_API_URL points elsewhere — `oauth/v2/authorize`
 * beside that API root (so a local fake can play the whole round trip).
 */
export function authorizeUrl(apiUrl: string): string {
  return apiUrl === DEFAULT_API_URL ? DEFAULT_AUTHORIZE_URL : new URL('../oauth/v2/authorize', apiUrl).toString();
}

/**
 * "Add to Slack" with @slack/oauth's InstallProvider: `GET /v1/integrations/slack/install` gives
 * the caller an authorize URL whose state is bound to them; `GET /api/slack/callback` checks the
 * state, exchanges the code (oauth.v2.access), checks the token (auth.test), stores the
 * installation and ends on a human page. Without SLACK_CLIENT_ID/SECRET both answer "not configured".
 */
export function createOAuth(services: AdapterServices): { install: TypeAction; callback: InboundRoute } {
  const slack = slackConfig.of(services);
  const { publicUrl } = services.config;
  const redirectUri = `${publicUrl}${CALLBACK_PATH}`;
  const base = (): Omit<InstallURLOptions, 'metadata'> => ({ scopes: [...BOT_SCOPES], redirectUri });
  const stored: StoredInstalls = new Map();
  let provider: InstallProvider | undefined;

  /** The installer, built on first use (@slack/oauth is imported then); undefined when the app is not configured. */
  async function installer(): Promise<InstallProvider | undefined> {
    if (!slack.clientId || !slack.clientSecret) return undefined;
    const { InstallProvider } = await import('@slack/oauth');
    provider ??= new InstallProvider({
      clientId: slack.clientId,
      clientSecret: slack.clientSecret,
      stateStore: linkCodeStateStore(services, base),
      // The state is bound to the hub user server-side (one-time code); the browser finishing the
      // install is not the API client that started it, so the library's cookie check is skipped.
      stateVerification: true,
      legacyStateVerification: true,
      installationStore: createInstallationStore(services, stored),
      authorizationUrl: authorizeUrl(slack.apiUrl),
      logger: slackLogger(services.log),
      clientOptions: clientOptions(slack.apiUrl, services.log),
    });
    return provider;
  }

  const callbacks: CallbackOptions = {
    success(installation, _options, _req, res) {
      const meta = JSON.parse(installation.metadata ?? '{}') as Partial<InstallMetadata>;
      const row = meta.user_id ? stored.get(meta.user_id) : undefined;
      send(res, 200, successPage(installation.team?.name ?? installation.enterprise?.name ?? 'your workspace', row?.id));
    },
    failure(error, _options, _req, res) {
      const [status, reason] = explain(error);
      services.log.info({ channel: 'slack', reason, code: (error as { code?: string }).code }, 'Slack install failed');
      send(res, status, failurePage(reason));
    },
  };

  return {
    install: {
      method: 'get',
      async handle(caller) {
        const p = await installer();
        if (!p) throw new UnavailableError('The Slack app is not configured: set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET', 'slack_not_configured');
        const url = await p.generateInstallUrl({ ...base(), metadata: JSON.stringify({ user_id: caller.userId } satisfies InstallMetadata) }, true);
        return { body: { url } };
      },
    },
    callback: {
      method: 'get',
      path: CALLBACK_PATH,
      async handleRaw(req: IncomingMessage, res: ServerResponse) {
        const p = await installer();
        if (!p) return send(res, 503, failurePage('The Slack app is not configured on this Switchboard (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET).'));
        await p.handleCallback(req, res, callbacks);
      },
    },
  };
}

function send(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

/** A status and a reason safe to show for a failed install. */
function explain(error: unknown): [number, string] {
  if (error instanceof SlackStateError) return [400, `The install link could not be verified: ${error.message}.`];
  if (error instanceof InstallConflictError) return [409, `Not installed: ${error.message}.`];
  if (error instanceof ConflictError) return [409, `Not installed: ${error.message} (another install finished first).`];
  const code = (error as { code?: string }).code;
  if (code === 'slack_oauth_installer_authorization_error') return [400, 'The installation was cancelled in Slack.'];
  if (code === 'slack_oauth_missing_code' || code === 'slack_oauth_missing_state') return [400, 'The link from Slack is incomplete (no code or state).'];
  if (code?.startsWith('slack_oauth_')) return [500, 'Something went wrong while finishing the installation.'];
  const slackCode = slackErrorCode(error);
  if (slackCode && slackCode.startsWith('slack_webapi_')) return [502, 'Slack could not be reached to finish the installation. Please try again.'];
  if (slackCode) return [502, `Slack refused the installation (${slackCode}).`];
  return [500, 'Something went wrong while storing the installation.'];
}
