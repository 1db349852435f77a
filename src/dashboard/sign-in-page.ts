import { html, type SafeHtml } from './html.ts';
import { document } from './layout.ts';

/** The sign-in page: one API key field; `error` is shown beside it, `next` is kept in a hidden field. */
export function signInPage(o: { error?: string; next?: string; notice?: string } = {}): SafeHtml {
  return document(
    'Sign in',
    null,
    'sign-in',
    html`<main id="main" class="narrow">
  <h1>Sign in to Switchboard</h1>
  ${o.notice ? html`<p class="notice" role="status">${o.notice}</p>` : ''}
  <form method="post" action="/ui/sign-in" class="card" novalidate>
    <input type="hidden" name="next" value="${o.next ?? ''}">
    <label for="api_key">API key</label>
    <input id="api_key" name="api_key" type="password" autocomplete="current-password" required
      ${o.error ? html`aria-invalid="true" aria-describedby="api_key-error"` : ''}>
    ${o.error ? html`<p class="field-error" id="api_key-error">${o.error}</p>` : ''}
    <p class="hint">Your key starts with <code>sb_</code>. <code>switchboard keys create</code> makes one; the admin key is <code>SWITCHBOARD_ADMIN_KEY</code> or the file in <code>DATA_DIR</code>.</p>
    <button type="submit">Sign in</button>
  </form>
</main>`,
  );
}
