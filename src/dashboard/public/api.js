// The dashboard's small client library: calls the REST API with the session cookie and the CSRF
// token (from the page's meta tag), builds DOM nodes (text only, never innerHTML), and marks form
// fields with the API's error messages.
const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';

/** An error answer of the REST API. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Calls the API; an expired session goes back to sign-in (keeping the page to return to). */
export async function api(method, path, body) {
  const headers = { 'x-csrf-token': csrf, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401) {
    location.assign(`/ui/sign-in?expired=1&next=${encodeURIComponent(location.pathname)}`);
    throw new ApiError(401, 'session_expired', 'Your session has expired: sign in again');
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, data?.error?.code ?? 'error', data?.error?.message ?? res.statusText);
  return data;
}

/** Builds an element: `props` sets attributes (`text` the text, `on…` listeners), children are nodes or text. */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A labelled input (every field has a label). */
export function field(id, label, props = {}) {
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), el('input', { id, name: props.name ?? id, type: 'text', autocomplete: 'off', ...props }));
}

/** A labelled select of `[value, label]` options. */
export function select(id, label, options, props = {}) {
  return el('div', { class: 'field' }, el('label', { for: id, text: label }), el('select', { id, name: props.name ?? id, ...props }, options.map(([v, l, sel]) => el('option', { value: v, selected: sel, text: l }))));
}

/** A labelled checkbox. */
export function checkbox(id, label, checked, props = {}) {
  return el('div', { class: 'field check' }, el('input', { id, name: props.name ?? id, type: 'checkbox', checked, ...props }), el('label', { for: id, text: label }));
}

/** The form's named fields as an object: checkboxes as booleans, numbers as numbers, empty text left out. */
export function formData(form) {
  const out = {};
  for (const e of form.elements) {
    if (!e.name || e.type === 'submit' || e.type === 'button') continue;
    if (e.type === 'checkbox') out[e.name] = e.checked;
    else if (e.value.trim() === '') continue;
    else out[e.name] = e.type === 'number' ? Number(e.value) : e.value.trim();
  }
  return out;
}

function clearErrors(form) {
  for (const p of form.querySelectorAll('.field-error, .form-error')) p.remove();
  for (const e of form.querySelectorAll('[aria-invalid]')) {
    e.removeAttribute('aria-invalid');
    e.removeAttribute('aria-errormessage');
  }
}

/** Marks the field the API's message names (`url: …`, or a field name in the text); else the form. */
export function showError(form, err) {
  const message = err instanceof Error ? err.message : String(err);
  const named = [...form.elements].filter((e) => e.name && e.type !== 'hidden');
  const prefix = /^([\w.]+):/.exec(message)?.[1];
  const target =
    named.find((e) => e.name === prefix) ??
    named.find((e) => new RegExp(`\\b${e.name.replace(/_/g, '[_ ]')}\\b`, 'i').test(message)) ??
    (named.length === 1 ? named[0] : undefined);
  if (target) {
    const id = `${target.id}-error`;
    target.setAttribute('aria-invalid', 'true');
    target.setAttribute('aria-errormessage', id);
    target.closest('.field')?.append(el('p', { class: 'field-error', id, text: message }));
    target.focus();
  } else form.append(el('p', { class: 'form-error', role: 'alert', text: message }));
}

/** Wires a form's submit to `handler(data, form)`, with errors shown on the fields. */
export function bindForm(form, handler) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      await handler(formData(form), form);
    } catch (e) {
      showError(form, e);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** Shows a short status line at the top of the page. */
export function notice(text) {
  const n = document.getElementById('notice');
  if (!n) return;
  n.textContent = text;
  n.hidden = false;
}

/** Shows a value that is displayed once (a secret, a token, a link code), then never again. */
export function showOnce(...nodes) {
  const box = document.getElementById('shown');
  const body = document.getElementById('shown-body');
  body.replaceChildren(...nodes, el('p', { class: 'hint', text: 'Copy it now: it is not shown again.' }));
  box.hidden = false;
  box.scrollIntoView({ block: 'nearest' });
}

/** A secret in a read-only, labelled field (easy to copy). */
export function secretField(id, label, value) {
  return field(id, label, { value, readonly: true, class: 'secret', 'data-secret': label });
}

/** A QR code drawn by the hub for a t.me link. */
export function qr(link, label) {
  return el('img', { class: 'qr', src: `/ui/qr.svg?text=${encodeURIComponent(link)}`, alt: `QR code: ${label}`, width: 180, height: 180 });
}

/** Replaces a list's items; shows `empty` when there are none. */
export function fillList(list, items, empty) {
  list.replaceChildren(...(items.length ? items : [el('li', { class: 'empty', text: empty })]));
}

/** The CLI's integration icon: 🔴 unhealthy, 🟡 needs attention, ⏸️ triggers paused, 🟢 active. */
export function integrationIcon(i, paused) {
  if (i.status === 'unhealthy') return ['🔴', 'unhealthy'];
  if (i.needs_attention) return ['🟡', 'needs attention'];
  if (paused) return ['⏸️', 'triggers paused'];
  return ['🟢', 'active'];
}

/** A status icon with its meaning for screen readers. */
export function icon([glyph, meaning]) {
  return el('span', { class: 'icon', role: 'img', 'aria-label': meaning, title: meaning, text: glyph });
}

/** Fills a select with the caller's profiles. */
export async function profileOptions(selectEl, withAny = false) {
  const { profiles } = await api('GET', '/v1/profiles');
  selectEl.replaceChildren(...(withAny ? [el('option', { value: '', text: 'Any' })] : []), ...profiles.map((p) => el('option', { value: p.id, text: p.name })));
  return profiles;
}
