import { gmail, type gmail_v1 } from '@googleapis/gmail';
import { OAuth2Client, type Credentials } from 'google-auth-library';
import type { AdapterServices, IntegrationInfo } from '../../src/channel/index.ts';
import { gmailConfig, type GmailSettings } from './config.ts';

/** What is kept encrypted per Gmail integration. `expiry_date` is epoch ms. */
export interface GmailSecrets {
  access_token: string;
  refresh_token: string;
  expiry_date?: number | null;
}

/** The redirect path Google sends the browser back to. */
export const CALLBACK_PATH = '/api/google/callback';

/** An OAuth client for the hub's Google app, with its endpoints from the settings (a fake in tests). */
export function oauthClient(services: AdapterServices, s: GmailSettings = gmailConfig.of(services)): OAuth2Client {
  return new OAuth2Client({
    clientId: s.clientId,
    clientSecret: s.clientSecret,
    redirectUri: `${services.config.publicUrl}${CALLBACK_PATH}`,
    endpoints: { oauth2AuthBaseUrl: s.authUrl, oauth2TokenUrl: s.tokenUrl, oauth2RevokeUrl: s.revokeUrl },
    // A 401 before the stored expiry (clock skew, a token Google ended early) refreshes once and retries.
    forceRefreshOnFailure: true,
  });
}

/** A Gmail REST client on a given OAuth client, rooted at GOOGLE_API_URL, without retries (tools answer at once). */
export function gmailApi(services: AdapterServices, auth: OAuth2Client): gmail_v1.Gmail {
  const s = gmailConfig.of(services);
  // googleapis-common ships its own copy of google-auth-library; the client is used through `request` only.
  return gmail({ version: 'v1', auth: auth as never, rootUrl: s.apiUrl, retry: false, timeout: services.config.bus.sendTimeoutMs });
}

/**
 * The Gmail client of one integration, on its stored tokens. The OAuth client refreshes an expired
 * access token itself; the new one is sealed back into the integration's secrets.
 */
export async function clientOf(services: AdapterServices, integration: IntegrationInfo): Promise<gmail_v1.Gmail> {
  const secrets = await services.integrations.secrets<GmailSecrets>(integration.id);
  if (!secrets?.refresh_token) throw new GmailAuthError('no refresh token is stored; connect Gmail again');
  const auth = oauthClient(services);
  auth.setCredentials({ access_token: secrets.access_token, refresh_token: secrets.refresh_token, expiry_date: secrets.expiry_date ?? null });
  auth.on('tokens', (t: Credentials) => {
    if (!t.access_token) return;
    const next: GmailSecrets = { ...secrets, access_token: t.access_token, expiry_date: t.expiry_date ?? null, refresh_token: t.refresh_token ?? secrets.refresh_token };
    services.integrations.setSecrets(integration.id, next as unknown as Record<string, unknown>).catch((err) => services.log.error({ err, integration: integration.id }, 'storing the refreshed Gmail token failed'));
  });
  return gmailApi(services, auth);
}

/** The stored grant is gone (revoked, expired, missing): the integration must be connected again. */
export class GmailAuthError extends Error {}

/** How a failed Google call reads: the few fields of a gaxios error we use. */
interface GoogleFailure {
  message?: string;
  code?: string | number;
  response?: { status?: number; data?: unknown };
}

/** What a failed call means for the integration and for the model. */
export type FailureKind =
  | { kind: 'revoked'; reason: string }
  | { kind: 'scope'; reason: string }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'not_found'; reason: string }
  | { kind: 'unreachable'; reason: string };

/**
 * Sorts a failed Google call: `invalid_grant` from the token endpoint (the refresh token was
 * revoked or expired) is `revoked`; a 403 about permissions is `scope`; other HTTP answers are
 * `refused` (404 `not_found`); no answer at all (network, timeout, 5xx) is `unreachable`.
 */
export function classifyFailure(e: unknown): FailureKind {
  if (e instanceof GmailAuthError) return { kind: 'revoked', reason: e.message };
  const f = (e ?? {}) as GoogleFailure;
  const status = f.response?.status;
  const data = (f.response?.data ?? {}) as { error?: unknown; error_description?: unknown };
  if (data.error === 'invalid_grant' || f.message === 'invalid_grant') {
    return { kind: 'revoked', reason: `Google refused the stored grant (invalid_grant${typeof data.error_description === 'string' ? `: ${data.error_description}` : ''}); connect Gmail again` };
  }
  const apiError = typeof data.error === 'object' && data.error ? (data.error as { message?: string; status?: string }) : undefined;
  const message = (apiError?.message ?? f.message ?? 'no answer').slice(0, 300);
  if (status === undefined || status >= 500) return { kind: 'unreachable', reason: `Google could not be reached: ${status ? `HTTP ${status}` : message}` };
  if (status === 403 && /permission|scope/i.test(`${message} ${apiError?.status ?? ''}`)) return { kind: 'scope', reason: `Google refused: the connection lacks a scope for this (${message})` };
  if (status === 404) return { kind: 'not_found', reason: `Google answered 404: ${message}` };
  return { kind: 'refused', status, reason: `Google refused (HTTP ${status}): ${message}` };
}
