import { createHash, createHmac, randomBytes } from 'node:crypto';
import { UnavailableError, type AdapterServices, type InboundHttpRequest, type InboundHttpResponse, type InboundRoute, type TypeAction } from '../../src/channel/index.ts';
import { GMAIL_SCOPES, SCOPE_READONLY } from './capabilities.ts';
import { CALLBACK_PATH, classifyFailure, gmailApi, oauthClient, type GmailSecrets } from './client.ts';
import { gmailConfig } from './config.ts';
import { failurePage, successPage } from './pages.ts';

/** How long a "Connect Gmail" link stays valid: 10 minutes, in ms. */
export const STATE_TTL_MS = 10 * 60 * 1000;
/** The link-code purpose of Google OAuth states. */
const PURPOSE = 'gmail_oauth';

/**
 * The PKCE code verifier of a state: an HMAC of the state under the OAuth client secret (43
 * base64url characters). The hub keeps nothing but the state's hash, yet only it can answer
 * Google's challenge; an intercepted code is useless without the client secret.
 */
export function codeVerifier(clientSecret: string, state: string): string {
  return createHmac('sha256', clientSecret).update(`gmail-pkce:${state}`).digest('base64url');
}
const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

const html = (status: number, body: string): InboundHttpResponse => ({ status, body, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store' } });
const one = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * "Connect Gmail": `GET /v1/integrations/gmail/install` answers `{url}`, Google's consent page with
 * PKCE (S256), offline access and a one-time state bound to the caller; `GET /api/google/callback`
 * checks the state, exchanges the code, reads the account's address (users.getProfile) and stores
 * one integration per Google account with its tokens encrypted. A forged, used or expired state
 * answers a 400 page and stores nothing.
 */
export function createOAuth(services: AdapterServices): { install: TypeAction; callback: InboundRoute } {
  const s = gmailConfig.of(services);
  const configured = () => !!s.clientId && !!s.clientSecret;
  const secret = () => s.clientSecret ?? '';

  async function callback(req: InboundHttpRequest): Promise<InboundHttpResponse> {
    if (!configured()) return html(503, failurePage('Google sign-in is not configured on this Switchboard (GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET).'));
    const state = one(req.query.state);
    if (!state || state.length > 200) return html(400, failurePage('The link from Google is incomplete (no state).'));
    const owner = await services.linkCodes.consume(PURPOSE, state);
    if ('refused' in owner) return html(400, failurePage(`The connect link could not be verified: it is ${owner.refused === 'unknown' ? 'not valid' : owner.refused === 'used' ? 'already used' : 'expired'}.`));
    if (one(req.query.error)) return html(400, failurePage(req.query.error === 'access_denied' ? 'Access was not granted in Google.' : 'Google did not grant access.'));
    const code = one(req.query.code);
    if (!code) return html(400, failurePage('The link from Google is incomplete (no code).'));

    const auth = oauthClient(services, s);
    let tokens;
    try {
      tokens = (await auth.getToken({ code, codeVerifier: codeVerifier(secret(), state) })).tokens;
    } catch (e) {
      const f = classifyFailure(e);
      services.log.info({ channel: 'gmail', kind: f.kind }, 'Google code exchange failed');
      return html(f.kind === 'unreachable' ? 502 : 400, failurePage(f.kind === 'unreachable' ? 'Google could not be reached to finish connecting. Please try again.' : 'Google refused the sign-in code (it may have been used already).'));
    }
    const scopes = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
    const revoke = () => auth.revokeToken(tokens.refresh_token ?? tokens.access_token ?? '').catch(() => undefined);
    if (!scopes.includes(SCOPE_READONLY)) {
      await revoke();
      return html(400, failurePage('Read access to Gmail was not granted, and every Gmail tool needs it. Connect again and leave "Read your email" ticked.'));
    }
    if (!tokens.access_token || !tokens.refresh_token) {
      await revoke();
      return html(400, failurePage('Google gave no offline access (no refresh token). Connect again.'));
    }
    auth.setCredentials(tokens);
    let email: string;
    try {
      email = (await gmailApi(services, auth).users.getProfile({ userId: 'me' })).data.emailAddress ?? '';
      if (!email) throw new Error('no emailAddress in the profile');
    } catch (e) {
      services.log.info({ channel: 'gmail', kind: classifyFailure(e).kind }, 'reading the Gmail profile failed');
      await revoke();
      return html(502, failurePage('Gmail could not be read to finish connecting. Please try again.'));
    }
    const secrets: GmailSecrets = { access_token: tokens.access_token, refresh_token: tokens.refresh_token, expiry_date: tokens.expiry_date ?? null };
    const config = { email, scopes };
    const existing = (await services.integrations.byExternalId('gmail', email)).find((i) => i.userId === owner.userId);
    let id: string;
    if (existing) {
      id = existing.id;
      await services.integrations.setSecrets(id, secrets as unknown as Record<string, unknown>);
      await services.integrations.updateConfig(id, config);
      if (existing.status !== 'active') await services.integrations.setStatus(id, 'active', null);
    } else {
      id = (await services.integrations.create({ userId: owner.userId, type: 'gmail', name: email, externalId: email, config: { ...config, allow_send: false }, secrets: secrets as unknown as Record<string, unknown> })).id;
    }
    return html(200, successPage(email, id));
  }

  return {
    install: {
      method: 'get',
      async handle(caller) {
        if (!configured()) throw new UnavailableError('Google sign-in is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET', 'gmail_not_configured');
        const state = randomBytes(24).toString('base64url');
        await services.linkCodes.issue({ purpose: PURPOSE, userId: caller.userId, ttlMs: STATE_TTL_MS, code: state });
        const url = oauthClient(services, s).generateAuthUrl({
          access_type: 'offline',
          prompt: 'consent',
          include_granted_scopes: false,
          scope: [...GMAIL_SCOPES],
          state,
          code_challenge: challengeOf(codeVerifier(secret(), state)),
          code_challenge_method: 'S256' as never,
        });
        return { body: { url, expires_at: new Date(Date.now() + STATE_TTL_MS).toISOString() } };
      },
    },
    callback: { method: 'get', path: CALLBACK_PATH, handle: callback },
  };
}
