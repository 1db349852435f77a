// Triggers page: list, create, pause (with a reason) / resume, delete.
import { api, bindForm, el, field, fillList, notice, profileOptions, secretField, showOnce } from './api.js';

const ICON = { active: ['✅', 'active'], paused: ['⏸️', 'paused'], unhealthy: ['🔴', 'unhealthy'] };
const integrationSel = document.getElementById('t-integration');
const eventSel = document.getElementById('t-event');

async function loadEvents() {
  const q = integrationSel.value ? `?integration_id=${encodeURIComponent(integrationSel.value)}` : '';
  const { events } = await api('GET', `/v1/triggers/events${q}`);
  eventSel.replaceChildren(...events.filter((e) => e.available !== false).map((e) => el('option', { value: e.event, text: `${e.event} — ${e.description}` })));
}

function item(t) {
  const [glyph, meaning] = ICON[t.status] ?? ICON.active;
  const reasonId = `r-${t.id}`;
  const pause = el('form', { class: 'inline-form' },
    t.paused ? null : field(reasonId, 'Reason (optional)', { name: 'reason' }),
    el('button', { type: 'submit', text: t.paused ? 'Resume' : 'Pause' }));
  bindForm(pause, async (data) => {
    await api('POST', `/v1/triggers/${t.id}/${t.paused ? 'resume' : 'pause'}`, t.paused ? {} : data);
    notice(`Trigger ${t.event} ${t.paused ? 'resumed' : 'paused'}.`);
    await load();
  });
  return el('li', { class: 'item', 'data-trigger': t.id, 'data-status': t.status },
    el('div', { class: 'row' }, el('span', { class: 'icon', role: 'img', 'aria-label': meaning, title: meaning, text: glyph }), el('strong', { class: 'name', text: t.event }),
      el('span', { class: 'meta', text: `${t.mode === 'url' ? `→ ${t.url}` : `→ profile ${t.profile_id}`}${t.interval ? ` · ${t.virtual ? 'polled ' : ''}every ${t.interval} min` : ''} · ${t.id}` })),
    t.status_reason ? el('p', { class: 'hint status-reason', text: t.status_reason }) : null,
    el('div', { class: 'actions' }, pause, el('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
      if (!confirm(`Delete trigger ${t.event}?`)) return;
      await api('DELETE', `/v1/triggers/${t.id}`);
      await load();
    } })));
}

async function load() {
  const { triggers } = await api('GET', '/v1/triggers');
  fillList(document.getElementById('triggers'), triggers.map(item), 'No triggers yet.');
}

bindForm(document.getElementById('new-trigger'), async (data, form) => {
  const out = await api('POST', '/v1/triggers', data.mode === 'url' ? { ...data, profile_id: undefined } : { ...data, url: undefined });
  form.reset();
  await loadEvents();
  if (out.secret) showOnce(secretField('shown-secret', 'Signing secret of the URL', out.secret));
  notice(`Trigger ${out.trigger?.event ?? ''} created.`);
  await load();
});

async function start() {
  const { integrations } = await api('GET', '/v1/integrations');
  integrationSel.replaceChildren(el('option', { value: '', text: 'None (a hub event)' }), ...integrations.map((i) => el('option', { value: i.id, text: `${i.name} (${i.type})` })));
  integrationSel.addEventListener('change', () => loadEvents().catch((e) => notice(e.message)));
  await profileOptions(document.getElementById('t-profile'));
  await loadEvents();
  await load();
}
start().catch((e) => notice(`Could not load triggers: ${e.message}`));
