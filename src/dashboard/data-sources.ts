import { z } from 'zod';
import type { HubContext } from '../hub.ts';
import { DASHBOARD_CSP } from './security.ts';

/** The part of `GET /v1/integrations/teller/connect` the page's CSP depends on. */
const TellerConnectInfo = z.looseObject({ connect_js: z.url() });

/**
 * The origin of Teller Connect's script for a user, asked of the Teller adapter's own `connect`
 * action (the one `GET /v1/integrations/teller/connect` runs); undefined when the hub has no Teller
 * adapter or it is not configured (no TELLER_APPLICATION_ID), so the page allows nothing extra.
 */
export async function tellerScriptOrigin(hub: HubContext, caller: { userId: string; userEmail: string }): Promise<string | undefined> {
  const action = hub.bus.adapters.get('teller')?.typeActions?.connect;
  if (!action || action.method !== 'get') return undefined;
  try {
    const info = TellerConnectInfo.safeParse((await action.handle(caller, {})).body);
    return info.success ? new URL(info.data.connect_js).origin : undefined;
  } catch {
    return undefined; // not configured: the page says so when the button is pressed
  }
}

/**
 * The Integrations page's CSP: the dashboard's, plus Teller Connect's script origin in `script-src`
 * and the origins its popup frame and calls use (`https://teller.io` and its subdomains for Teller's
 * own CDN; the script's origin otherwise, e.g. a local fake in tests). Nothing else from outside.
 */
export function integrationsCsp(tellerOrigin: string | undefined): string {
  if (!tellerOrigin) return DASHBOARD_CSP;
  const host = new URL(tellerOrigin).hostname;
  const teller = host === 'teller.io' || host.endsWith('.teller.io') ? `${tellerOrigin} https://teller.io https://*.teller.io` : tellerOrigin;
  return DASHBOARD_CSP.split('; ')
    .map((d) => (d === "script-src 'self'" ? `script-src 'self' ${tellerOrigin}` : d === "connect-src 'self'" ? `connect-src 'self' ${teller}` : d))
    .concat(`frame-src ${teller}`)
    .join('; ');
}
