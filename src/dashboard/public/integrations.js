// Integrations page: the caller's integrations grouped by category, connect forms per type, and
// per integration its settings, credentials, /link code and disconnect.
import { api, bindForm, checkbox, el, field, fillList, icon, integrationIcon, notice, qr, secretField, select, showOnce } from './api.js';

const LISTS = { chat: 'list-chat', notification: 'list-notification', events: 'list-events', data: 'list-data' };
const CATEGORY = { telegram: 'chat', slack: 'chat', email: 'notification', webhook: 'notification', hook: 'events', gmail: 'data', teller: 'data' };

/** What a connect or credentials answer shows once: a /link code with the bot's link and QR, a secret, a hook URL. */
function showConnected(integration, body) {
  const nodes = [];
  if (body.link) {
    const username = integration.config?.bot?.username;
    const deep = username ? `https://t.me/${username}` : null;
    nodes.push(el('p', {}, 'Open the bot in Telegram and send ', el('code', { class: 'link-code', text: `/link ${body.link.code}` }), ' (works once, expires in one hour).'));
    if (deep) nodes.push(el('p', {}, el('a', { href: deep, rel: 'noopener', text: deep })), qr(deep, `open @${username} in Telegram`));
  }
  if (body.url) nodes.push(secretField('shown-url', 'Hook URL', body.url));
  if (body.secret) nodes.push(secretField('shown-secret', 'Signing secret', body.secret));
  for (const w of body.warnings ?? []) nodes.push(el('p', { class: 'hint', text: `Note: ${w}` }));
  if (nodes.length) showOnce(el('p', {}, el('strong', { text: integration.name })), ...nodes);
}

function credentialFields(i) {
  const p = `c-${i.id}`;
  if (i.type === 'telegram') return [field(`${p}-token`, 'New bot token', { name: 'token', type: 'password', required: true })];
  if (i.type === 'email') return [field(`${p}-key`, 'New Resend API key', { name: 'api_key', type: 'password' }), field(`${p}-from`, 'From address', { name: 'from', type: 'email', value: i.config?.from ?? '' })];
  if (i.type === 'webhook') return [field(`${p}-url`, 'New URL', { name: 'url', type: 'url' }), field(`${p}-secret`, 'New signing secret (whsec_…)', { name: 'secret', type: 'password' })];
  return [];
}

function manage(i) {
  const p = `s-${i.id}`;
  const settings = el('form', { class: 'inline-form' },
    field(`${p}-name`, 'Name', { name: 'name', value: i.name ?? '' }),
    checkbox(`${p}-default`, 'Default for its type', i.is_default, { name: 'is_default' }),
    checkbox(`${p}-mcp`, 'Offer its tools on MCP', i.config?.mcp_tools !== false, { name: 'mcp_tools' }),
    i.type === 'telegram' && !i.config?.shared ? select(`${p}-dm`, 'Who may DM the bot', [['owner', 'Only me', i.config?.dm_policy === 'owner'], ['allowlist', 'An allowlist', i.config?.dm_policy === 'allowlist'], ['open', 'Anyone', i.config?.dm_policy === 'open']], { name: 'dm_policy' }) : null,
    el('button', { type: 'submit', text: 'Save settings' }));
  bindForm(settings, async (data) => {
    await api('PATCH', `/v1/integrations/${i.id}`, data);
    notice(`Saved ${data.name ?? i.name}.`);
    await load();
  });
  const parts = [settings];
  const creds = credentialFields(i);
  if (creds.length) {
    const form = el('form', { class: 'inline-form' }, ...creds, el('button', { type: 'submit', text: 'Replace credentials' }));
    bindForm(form, async (data) => {
      const out = await api('PUT', `/v1/integrations/${i.id}/credentials`, data);
      showConnected(out.integration, out);
      notice(`Credentials of ${out.integration.name} replaced.`);
      await load();
    });
    parts.push(form);
  }
  const actions = el('div', { class: 'actions' });
  if (i.type === 'telegram' && !i.config?.shared) {
    actions.append(el('button', { type: 'button', text: 'New /link code', onclick: async () => showConnected(i, await api('POST', `/v1/integrations/${i.id}/link-code`)) }));
  }
  actions.append(el('button', { type: 'button', class: 'danger', text: 'Disconnect', onclick: async () => {
    if (!confirm(`Disconnect ${i.name}? Its grants, links and secrets are deleted.`)) return;
    await api('DELETE', `/v1/integrations/${i.id}`);
    notice(`${i.name} disconnected.`);
    await load();
  } }));
  parts.push(actions);
  return el('details', {}, el('summary', { text: 'Manage' }), ...parts);
}

async function load() {
  const [{ integrations }, { triggers }] = await Promise.all([api('GET', '/v1/integrations'), api('GET', '/v1/triggers')]);
  const groups = { chat: [], notification: [], events: [], data: [] };
  for (const i of integrations) {
    const mine = triggers.filter((t) => t.integration_id === i.id);
    const paused = mine.length > 0 && mine.every((t) => t.paused);
    const reason = i.status_reason ?? i.needs_attention;
    groups[CATEGORY[i.type] ?? 'events']?.push(
      el('li', { class: 'item', 'data-integration': i.id, 'data-type': i.type },
        el('div', { class: 'row' }, icon(integrationIcon(i, paused)), el('strong', { class: 'name', text: i.name ?? i.type }), el('span', { class: 'meta', text: `${i.type}${i.external_id && i.type === 'gmail' ? ` · ${i.external_id}` : ''}${i.is_default ? ' · default' : ''} · ${i.id}` })),
        reason ? el('p', { class: 'hint', text: reason }) : null,
        manage(i)));
  }
  for (const [cat, id] of Object.entries(LISTS)) fillList(document.getElementById(id), groups[cat], 'None connected yet.');
}

for (const form of document.querySelectorAll('form[data-connect]')) {
  bindForm(form, async (data) => {
    const { sign, ...input } = data;
    // A webhook is signed with the secret given, or with one the hub makes (shown once).
    if (form.dataset.connect === 'webhook' && sign && !input.secret) input.secret = true;
    const out = await api('POST', '/v1/integrations', { type: form.dataset.connect, ...input });
    form.reset();
    form.closest('details').open = false;
    notice(`${out.integration.name} connected.`);
    showConnected(out.integration, out);
    await load();
  });
}

const errorBox = (button, e) => button.after(el('p', { class: 'form-error', role: 'alert', text: e.message }));
document.getElementById('pair').addEventListener('click', async (ev) => {
  try {
    const out = await api('POST', '/v1/integrations/telegram/pair', {});
    showOnce(el('p', { text: 'Open this link in Telegram to pair your account with the shared bot (valid 10 minutes):' }), el('p', {}, el('a', { href: out.deep_link, rel: 'noopener', text: out.deep_link })), qr(out.deep_link, 'pair with the shared bot'));
  } catch (e) {
    errorBox(ev.target, e);
  }
});
document.getElementById('slack-install').addEventListener('click', async (ev) => {
  try {
    location.assign((await api('GET', '/v1/integrations/slack/install')).url);
  } catch (e) {
    errorBox(ev.target, e);
  }
});

document.getElementById('connect-gmail').addEventListener('click', async (ev) => {
  try {
    location.assign((await api('GET', '/v1/integrations/gmail/install')).url);
  } catch (e) {
    errorBox(ev.target, e);
  }
});

/** Loads Teller Connect's script once (the page's CSP allows its origin and nothing else from outside). */
let tellerScript;
function loadTellerScript(src) {
  tellerScript ??= new Promise((resolve, reject) => {
    const s = el('script', { src });
    s.addEventListener('load', () => (window.TellerConnect ? resolve(window.TellerConnect) : reject(new Error('Teller Connect did not load'))));
    s.addEventListener('error', () => reject(new Error('Teller Connect could not be loaded')));
    document.head.append(s);
  });
  tellerScript.catch(() => (tellerScript = undefined));
  return tellerScript;
}

// Teller Connect: its popup enrolls a bank; the enrollment (with its access token) goes straight to
// the hub's callback, which checks the token with Teller and keeps it sealed. The page never shows it.
document.getElementById('connect-teller').addEventListener('click', async (ev) => {
  const button = ev.target;
  button.parentElement.querySelector('.form-error')?.remove();
  try {
    const info = await api('GET', '/v1/integrations/teller/connect');
    const TellerConnect = await loadTellerScript(info.connect_js);
    const connect = TellerConnect.setup({
      applicationId: info.application_id,
      environment: info.environment,
      onSuccess: async (enrollment) => {
        try {
          const out = await api('POST', info.callback, { access_token: enrollment.accessToken, enrollment: enrollment.enrollment, user: enrollment.user });
          notice(`${out.integration.name} connected (${out.accounts} account${out.accounts === 1 ? '' : 's'}).`);
          await load();
        } catch (e) {
          errorBox(button, e);
        }
      },
      onExit: () => notice('Teller Connect closed.'),
    });
    connect.open();
  } catch (e) {
    errorBox(button, e);
  }
});

load().catch((e) => notice(`Could not load integrations: ${e.message}`));
