import { html, type SafeHtml } from './html.ts';

/** The dashboard's sections, in menu order; `admin` ones are shown to admins only. */
export const SECTIONS = [
  { page: 'integrations', title: 'Integrations' },
  { page: 'profiles', title: 'Profiles' },
  { page: 'triggers', title: 'Triggers' },
  { page: 'activity', title: 'Activity' },
  { page: 'chat', title: 'Chat' },
  { page: 'users', title: 'Users', admin: true },
] as const;

/** A section's page name. */
export type PageName = (typeof SECTIONS)[number]['page'];

/** What every signed-in page shows in its frame. */
export interface Frame {
  page: PageName;
  title: string;
  csrf: string;
  email: string;
  isAdmin: boolean;
}

/**
 * A signed-in page: the menu, the sign-out form, the section's body, and its script. The CSRF
 * token sits in a meta tag for the script (no inline script: the CSP forbids it).
 */
export function signedInPage(f: Frame, body: SafeHtml): SafeHtml {
  const nav = SECTIONS.filter((s) => !('admin' in s) || f.isAdmin).map(
    (s) => html`<li><a href="/ui/${s.page}"${s.page === f.page ? html` aria-current="page"` : ''}>${s.title}</a></li>`,
  );
  return document(
    f.title,
    f.csrf,
    f.page,
    html`<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <span class="brand">Switchboard</span>
  <nav aria-label="Sections"><ul>${nav}</ul></nav>
  <form method="post" action="/ui/sign-out" class="signout">
    <input type="hidden" name="csrf" value="${f.csrf}">
    <span class="who">${f.email}</span> <button type="submit">Sign out</button>
  </form>
</header>
<main id="main">
  <h1>${f.title}</h1>
  <p class="notice" role="status" aria-live="polite" id="notice" hidden></p>
  ${body}
</main>
<script type="module" src="/ui/assets/${f.page}.js"></script>`,
  );
}

/** A whole HTML document with the stylesheet. */
export function document(title: string, csrf: string | null, page: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${csrf ? html`<meta name="csrf-token" content="${csrf}">` : ''}
<title>${title} · Switchboard</title>
<link rel="stylesheet" href="/ui/assets/style.css">
</head>
<body data-page="${page}">
${body}
</body>
</html>
`;
}
