import { resultPage as page } from '../../src/channel/index.ts';

/** The page after Gmail was connected. */
export function successPage(email: string, integrationId: string): string {
  return page('Gmail is connected', [
    `Switchboard can now read ${email} for the agents you grant it to.`,
    `Integration ${integrationId}: grant it to an agent profile (PUT /v1/profiles/<id>/grants/${integrationId}). Sending stays off until you set allow_send.`,
    'You can close this window.',
  ]);
}

/** The page after a failed connection; `reason` must be safe to show (no secrets). */
export function failurePage(reason: string): string {
  return page('Gmail could not be connected', [reason, 'Nothing was stored. Start again from Switchboard (GET /v1/integrations/gmail/install) to get a fresh link.']);
}
