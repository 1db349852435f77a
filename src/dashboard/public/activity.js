// Activity page: messages and deliveries with filters, a delivery's attempts and last error, retry for
// dead-lettered deliveries, a test notification; refreshed every 2 seconds without a reload.
import { api, bindForm, el, fillList, notice, profileOptions } from './api.js';

/** How often the log refreshes (ms). */
const POLL_MS = 2000;
const filters = document.getElementById('filters');
const STATUS_ICON = { sent: '🟢', pending: '🟡', sending: '🟡', failed: '🔴', dead: '🔴' };

function deliveryItem(d) {
  return el('li', { class: 'item', 'data-delivery': d.id, 'data-status': d.status },
    el('div', { class: 'row' },
      el('span', { class: 'icon', role: 'img', 'aria-label': d.status, text: STATUS_ICON[d.status] ?? '⚪' }),
      el('strong', { class: 'status', text: d.status }),
      el('span', { class: 'meta', text: `${d.channel} · attempt ${d.attempts}/${d.max_attempts} · ${new Date(d.created_at).toLocaleString()}` })),
    d.last_error ? el('p', { class: 'hint last-error', text: `Last error: ${d.last_error}` }) : null,
    d.status === 'dead' || d.status === 'failed'
      ? el('div', { class: 'actions' }, el('button', { type: 'button', text: 'Retry', onclick: async () => {
          await api('POST', `/v1/deliveries/${d.id}/retry`);
          notice(`Delivery ${d.id} queued again.`);
          await refresh();
        } }))
      : null);
}

function messageItem(m) {
  return el('li', { class: 'item', 'data-message': m.id },
    el('div', { class: 'row' }, el('strong', { text: m.type }), el('span', { class: 'meta', text: `${m.direction ?? ''} · ${new Date(m.created_at).toLocaleString()}` })),
    m.text ? el('p', { class: 'text', text: m.text }) : null);
}

let busy = false;
async function refresh() {
  if (busy) return;
  busy = true;
  try {
    const f = Object.fromEntries(new FormData(filters));
    const q = new URLSearchParams({ limit: '100' });
    if (f.type) q.set('type', f.type);
    if (f.profile && f.type !== 'delivery') q.set('profile', f.profile);
    const { messages } = await api('GET', `/v1/messages?${q}`);
    const rows = messages.filter((m) => (!f.integration || m.integration_id === f.integration || m.meta?.integration_id === f.integration) && (!f.status || m.status === f.status));
    fillList(document.getElementById('log'), rows.map((m) => (m.type === 'delivery' ? deliveryItem(m) : messageItem(m))), 'Nothing yet.');
  } catch (e) {
    notice(`Could not refresh: ${e.message}`);
  } finally {
    busy = false;
  }
}

bindForm(document.getElementById('test-notify'), async (data, form) => {
  const out = await api('POST', '/v1/notify', { profile_id: data.profile_id, message: data.message, ...(data.channel ? { channel: data.channel } : {}) });
  form.querySelector('[name=message]').value = '';
  notice(`Notification sent to ${out.notification.deliveries.length} channel(s).`);
  await refresh();
});

async function start() {
  await profileOptions(document.getElementById('n-profile'));
  await profileOptions(document.getElementById('f-profile'), true);
  const { integrations } = await api('GET', '/v1/integrations');
  document.getElementById('f-integration').append(...integrations.map((i) => el('option', { value: i.id, text: `${i.name} (${i.type})` })));
  filters.addEventListener('change', refresh);
  await refresh();
  setInterval(refresh, POLL_MS);
}
start().catch((e) => notice(`Could not load activity: ${e.message}`));
