import type { IntegrationInfo } from './services.ts';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A small, self-contained HTML page (a title and paragraphs, escaped) for the end of a browser flow such as OAuth. */
export function resultPage(title: string, lines: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1d1c1d}h1{font-size:1.5rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}</body></html>`;
}

/** JSON of an integration as the REST API shows it: settings but never a secret. */
export const integrationView = (i: IntegrationInfo) => ({
  id: i.id,
  type: i.type,
  name: i.name,
  external_id: i.externalId,
  is_default: i.isDefault,
  status: i.status,
  status_reason: i.statusReason,
  config: i.config,
  created_at: new Date(i.createdAt).toISOString(),
  updated_at: new Date(i.updatedAt).toISOString(),
});
