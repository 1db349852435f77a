import { html, type SafeHtml } from './html.ts';
import type { PageName } from './layout.ts';

/** A labelled field: every input of the dashboard has a `<label>`; `hint` is tied by aria-describedby. */
export function field(o: { id: string; name?: string; label: string; type?: string; required?: boolean; placeholder?: string; hint?: string; autocomplete?: string }): SafeHtml {
  const hintId = o.hint ? `${o.id}-hint` : undefined;
  return html`<div class="field"><label for="${o.id}">${o.label}</label>
<input id="${o.id}" name="${o.name ?? o.id}" type="${o.type ?? 'text'}"${o.required ? html` required` : ''}${o.placeholder ? html` placeholder="${o.placeholder}"` : ''} autocomplete="${o.autocomplete ?? 'off'}"${hintId ? html` aria-describedby="${hintId}"` : ''}>
${o.hint ? html`<p class="hint" id="${hintId}">${o.hint}</p>` : ''}</div>`;
}

/** A labelled select with fixed options (`[value, label]`); JS may fill an empty one. */
export function select(o: { id: string; name?: string; label: string; options?: [string, string][] }): SafeHtml {
  return html`<div class="field"><label for="${o.id}">${o.label}</label>
<select id="${o.id}" name="${o.name ?? o.id}">${(o.options ?? []).map(([v, l]) => html`<option value="${v}">${l}</option>`)}</select></div>`;
}

const connectBox = (summary: string, body: SafeHtml) => html`<details class="card"><summary>${summary}</summary>${body}</details>`;

const integrations = html`
<section aria-labelledby="h-chat"><h2 id="h-chat">Chat</h2><ul class="list" id="list-chat"><li class="empty">Loading…</li></ul></section>
<section aria-labelledby="h-notification"><h2 id="h-notification">Notifications</h2><ul class="list" id="list-notification"><li class="empty">Loading…</li></ul></section>
<section aria-labelledby="h-events"><h2 id="h-events">Hooks</h2><ul class="list" id="list-events"><li class="empty">Loading…</li></ul></section>
<section id="data-sources" aria-labelledby="h-data"><h2 id="h-data">Data sources</h2>
<p class="hint">Mail and bank accounts that agents granted them read through tools.</p>
<ul class="list" id="list-data"><li class="empty">Loading…</li></ul>
<div class="actions"><button type="button" id="connect-gmail">Connect Gmail</button> <button type="button" id="connect-teller">Connect Teller</button></div>
</section>
<section id="shown" class="card shown" hidden aria-labelledby="h-shown"><h2 id="h-shown">Shown once</h2><div id="shown-body"></div></section>
<section aria-labelledby="h-connect"><h2 id="h-connect">Connect</h2>
${connectBox('Telegram bot', html`<form data-connect="telegram">${field({ id: 'tg-token', name: 'token', label: 'Bot token', type: 'password', required: true, hint: 'From @BotFather, e.g. 123456:ABC…' })}<button type="submit">Connect bot</button></form>`)}
${connectBox('Shared Telegram bot', html`<p>Pair your Telegram account with the hub's shared bot.</p><button type="button" id="pair">Get a pairing link</button>`)}
${connectBox('Slack', html`<p>Install the Slack app in your workspace.</p><button type="button" id="slack-install">Add to Slack</button>`)}
${connectBox('Email (Resend)', html`<form data-connect="email">${field({ id: 'em-key', name: 'api_key', label: 'Resend API key', type: 'password', required: true })}${field({ id: 'em-from', name: 'from', label: 'From address', type: 'email', required: true })}${field({ id: 'em-to', name: 'to', label: 'To address (optional)', type: 'email' })}<button type="submit">Connect email</button></form>`)}
${connectBox('Webhook', html`<form data-connect="webhook">${field({ id: 'wh-url', name: 'url', label: 'Webhook URL', type: 'url', required: true, placeholder: 'https://example.com/hooks' })}<div class="field check"><input id="wh-sign" name="sign" type="checkbox" checked><label for="wh-sign">Sign the events (Standard Webhooks)</label></div>${field({ id: 'wh-secret', name: 'secret', label: 'Signing secret (optional)', type: 'password', hint: 'Your own whsec_ secret; left empty, one is made and shown once.' })}<button type="submit">Connect webhook</button></form>`)}
${connectBox('Inbound hook', html`<form data-connect="hook">${select({ id: 'hk-verify', name: 'verify', label: 'How calls are verified', options: [['standard', 'Standard Webhooks'], ['github', 'GitHub signature'], ['bearer', 'Bearer token']] })}${field({ id: 'hk-name', name: 'name', label: 'Name (optional)' })}<button type="submit">Create hook</button></form>`)}
</section>`;

const profiles = html`
<section id="shown" class="card shown" hidden aria-labelledby="h-shown"><h2 id="h-shown">Shown once</h2><div id="shown-body"></div></section>
<section aria-labelledby="h-list"><h2 id="h-list">Your profiles</h2><ul class="list" id="profiles"><li class="empty">Loading…</li></ul></section>
<section aria-labelledby="h-new"><h2 id="h-new">New profile</h2>
<form id="new-profile" class="card">
${field({ id: 'p-name', name: 'name', label: 'Name', required: true, hint: 'Letters, digits, _ . -' })}
${select({ id: 'p-kind', name: 'kind', label: 'Agent', options: [['echo', 'Echo (built in)'], ['http', 'HTTP agent'], ['llm', 'LLM (built in)']] })}
<div data-kind="http" hidden>${field({ id: 'p-url', name: 'url', label: 'Agent URL', type: 'url' })}${field({ id: 'p-secret', name: 'secret', label: 'Signing secret (optional)', type: 'password', hint: 'whsec_…; left empty, one is made and shown once.' })}</div>
<div data-kind="llm" hidden>${field({ id: 'p-model', name: 'model', label: 'Model' })}${field({ id: 'p-base', name: 'base_url', label: 'Base URL (optional)', type: 'url' })}${field({ id: 'p-key', name: 'api_key', label: 'API key (optional)', type: 'password' })}${field({ id: 'p-system', name: 'system', label: 'System prompt (optional)' })}</div>
<button type="submit">Create profile</button>
</form></section>`;

const triggers = html`
<section id="shown" class="card shown" hidden aria-labelledby="h-shown"><h2 id="h-shown">Shown once</h2><div id="shown-body"></div></section>
<section aria-labelledby="h-list"><h2 id="h-list">Your triggers</h2><ul class="list" id="triggers"><li class="empty">Loading…</li></ul></section>
<section aria-labelledby="h-new"><h2 id="h-new">New trigger</h2>
<form id="new-trigger" class="card">
${select({ id: 't-integration', name: 'integration_id', label: 'Integration (optional)' })}
${select({ id: 't-event', name: 'event', label: 'Event' })}
${select({ id: 't-mode', name: 'mode', label: 'Action', options: [['agent', 'Wake an agent'], ['url', 'Call a URL']] })}
${select({ id: 't-profile', name: 'profile_id', label: 'Profile' })}
${field({ id: 't-url', name: 'url', label: 'URL (for "Call a URL")', type: 'url' })}
${field({ id: 't-interval', name: 'interval', label: 'Interval in minutes (schedules; polled mail: 1, 5, 15, 30 or 60)', type: 'number' })}
<button type="submit">Create trigger</button>
</form></section>`;

const activity = html`
<section aria-labelledby="h-test"><h2 id="h-test">Send a test notification</h2>
<form id="test-notify" class="card">
${select({ id: 'n-profile', name: 'profile_id', label: 'From profile' })}
${field({ id: 'n-channel', name: 'channel', label: 'Channel (optional)', placeholder: 'webhook, telegram, email…', hint: 'Left empty: the profile\u2019s default channels.' })}
${field({ id: 'n-message', name: 'message', label: 'Message', required: true })}
<button type="submit">Send</button>
</form></section>
<section aria-labelledby="h-log"><h2 id="h-log">Log</h2>
<form id="filters" class="card filters">
${select({ id: 'f-type', name: 'type', label: 'Type', options: [['delivery', 'Deliveries'], ['', 'All messages'], ['user_message', 'User messages'], ['agent_response', 'Agent responses'], ['notification', 'Notifications'], ['error', 'Errors'], ['policy', 'Policy'], ['tool_call', 'Tool calls']] })}
${select({ id: 'f-profile', name: 'profile', label: 'Profile', options: [['', 'Any']] })}
${select({ id: 'f-integration', name: 'integration', label: 'Integration', options: [['', 'Any']] })}
${select({ id: 'f-status', name: 'status', label: 'Status', options: [['', 'Any'], ['pending', 'pending'], ['sending', 'sending'], ['sent', 'sent'], ['failed', 'failed'], ['dead', 'dead']] })}
</form>
<p class="hint" id="live">Updates every 2 seconds.</p>
<ul class="list" id="log" aria-live="off"><li class="empty">Loading…</li></ul></section>`;

const chat = html`
<section aria-labelledby="h-chat"><h2 id="h-chat" class="visually-hidden">Conversation</h2>
<form id="chat" class="card">
${select({ id: 'c-profile', name: 'profile', label: 'Profile' })}
${field({ id: 'c-thread', name: 'thread', label: 'Thread', placeholder: 'default' })}
<ol class="chatlog" id="chatlog" aria-live="polite"></ol>
${field({ id: 'c-text', name: 'text', label: 'Message', required: true })}
<button type="submit">Send</button>
</form></section>`;

const users = html`
<section id="shown" class="card shown" hidden aria-labelledby="h-shown"><h2 id="h-shown">Shown once</h2><div id="shown-body"></div></section>
<section aria-labelledby="h-list"><h2 id="h-list">Users</h2><ul class="list" id="users"><li class="empty">Loading…</li></ul></section>
<section aria-labelledby="h-new"><h2 id="h-new">New user</h2>
<form id="new-user" class="card">
${field({ id: 'u-email', name: 'email', label: 'Email', type: 'email', required: true })}
${field({ id: 'u-name', name: 'name', label: 'Name (optional)' })}
<div class="field check"><input id="u-admin" name="admin" type="checkbox"><label for="u-admin">Admin</label></div>
<button type="submit">Create user</button>
</form></section>`;

/** The static body of each section; its script fills the lists. */
export const PAGE_BODIES: Record<PageName, SafeHtml> = { integrations, profiles, triggers, activity, chat, users };
