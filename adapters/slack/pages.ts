import { resultPage as page } from '../../src/channel/index.ts';

/** The page after a successful install. */
export function successPage(workspace: string, integrationId?: string): string {
  return page('Slack is connected', [
    `Switchboard is now installed in ${workspace}.`,
    integrationId ? `Integration ${integrationId}: grant it to an agent profile (PUT /v1/profiles/<id>/grants/${integrationId}) and write to the bot in a DM or mention it in a channel.` : 'Grant the integration to an agent profile, then write to the bot.',
    'You can close this window.',
  ]);
}

/** The page after a failed install; `reason` must be safe to show (no secrets). */
export function failurePage(reason: string): string {
  return page('Slack could not be connected', [reason, 'Nothing was installed. Start again from Switchboard (GET /v1/integrations/slack/install) to get a fresh link.']);
}
