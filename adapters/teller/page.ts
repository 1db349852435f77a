import { randomBytes } from 'node:crypto';
import type { AdapterServices, InboundRoute } from '../../src/channel/index.ts';
import { CONNECT_JS } from './capabilities.ts';
import { tellerConfig } from './config.ts';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `GET /teller/connect`: a minimal page that opens Teller Connect. Teller requires its script from
 * its CDN (https://cdn.teller.io/connect/connect.js), so this page, unlike the dashboard, loads one
 * script from outside the hub. The person pastes a Switchboard API key (kept in the page only); on
 * `onSuccess` the page posts the enrollment to `POST /v1/integrations/teller/callback` with it.
 */
export function connectPage(services: AdapterServices): InboundRoute {
  return {
    method: 'get',
    path: '/teller/connect',
    async handle() {
      const s = tellerConfig.of(services);
      if (!s.applicationId) return { status: 503, contentType: 'text/plain', body: 'Teller is not configured on this hub (TELLER_APPLICATION_ID).' };
      const nonce = randomBytes(16).toString('base64');
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Connect a bank (Teller)</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<main><h1>Connect a bank with Teller</h1>
<label for="key">Your Switchboard API key</label> <input id="key" type="password" autocomplete="off">
<button id="go" type="button">Connect a bank</button><p id="out" role="status"></p></main>
<script src="${CONNECT_JS}"></script>
<script nonce="${nonce}">
const out = document.getElementById('out');
const connect = TellerConnect.setup({
  applicationId: ${JSON.stringify(esc(s.applicationId))},
  environment: ${JSON.stringify(s.environment)},
  onSuccess: async (enrollment) => {
    const r = await fetch('/v1/integrations/teller/callback', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + document.getElementById('key').value }, body: JSON.stringify({ access_token: enrollment.accessToken, enrollment: enrollment.enrollment, user: enrollment.user }) });
    const body = await r.json().catch(() => ({}));
    out.textContent = r.ok ? 'Connected: ' + body.integration.name : 'Not connected: ' + (body.error ? body.error.message : r.status);
  },
  onExit: () => { if (!out.textContent) out.textContent = 'Closed without connecting.'; },
});
document.getElementById('go').addEventListener('click', () => connect.open());
</script></body></html>`;
      return {
        status: 200,
        contentType: 'text/html',
        body: html,
        headers: {
          'content-security-policy': `default-src 'none'; script-src https://cdn.teller.io 'nonce-${nonce}'; frame-src https://*.teller.io; connect-src 'self' https://*.teller.io; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        },
      };
    },
  };
}
