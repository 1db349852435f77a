const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small, self-contained HTML page for the end of the Google OAuth flow. */
function page(title: string, lines: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}h1{font-size:1.5rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
}

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
