// Profiles page: create (echo, HTTP, LLM), grants as toggles, token regeneration, delete.
import { api, bindForm, el, fillList, notice, secretField, showOnce } from './api.js';

const kind = document.getElementById('p-kind');
const showKind = () => {
  for (const box of document.querySelectorAll('[data-kind]')) box.hidden = box.dataset.kind !== kind.value;
};
kind.addEventListener('change', showKind);
showKind();

function agentOf(data) {
  if (data.kind === 'http') return { kind: 'http', url: data.url, ...(data.secret ? { secret: data.secret } : {}) };
  if (data.kind === 'llm') return { kind: 'llm', model: data.model, ...Object.fromEntries(['base_url', 'api_key', 'system'].filter((k) => data[k]).map((k) => [k, data[k]])) };
  return { kind: 'echo' };
}

function shown(name, out) {
  const nodes = [el('p', {}, el('strong', { text: name }))];
  if (out.token) nodes.push(secretField('shown-token', 'Profile token', out.token));
  if (out.agent_secret) nodes.push(secretField('shown-agent-secret', 'Agent signing secret', out.agent_secret));
  showOnce(...nodes);
}

function grantToggle(p, i) {
  const id = `g-${p.id}-${i.id}`;
  const box = el('input', { id, type: 'checkbox', role: 'switch', checked: p.grants.includes(i.id), 'data-grant': i.id });
  box.addEventListener('change', async () => {
    try {
      await api(box.checked ? 'PUT' : 'DELETE', `/v1/profiles/${p.id}/grants/${i.id}`);
      notice(`${box.checked ? 'Granted' : 'Revoked'} ${i.name} ${box.checked ? 'to' : 'from'} ${p.name}.`);
    } catch (e) {
      box.checked = !box.checked;
      notice(e.message);
    }
  });
  return el('li', { class: 'field check' }, box, el('label', { for: id, text: `${i.name} (${i.type})` }));
}

async function load() {
  const [{ profiles }, { integrations }] = await Promise.all([api('GET', '/v1/profiles'), api('GET', '/v1/integrations')]);
  const items = profiles.map((p) =>
    el('li', { class: 'item', 'data-profile': p.name },
      el('div', { class: 'row' }, el('strong', { class: 'name', text: p.name }), el('span', { class: 'meta', text: `${p.agent.kind}${p.agent.url ? ` · ${p.agent.url}` : ''}${p.agent.model ? ` · ${p.agent.model}` : ''} · ${p.id}` })),
      el('fieldset', { class: 'grants' }, el('legend', { text: 'Grants' }), integrations.length ? el('ul', { class: 'toggles' }, integrations.map((i) => grantToggle(p, i))) : el('p', { class: 'hint', text: 'No integrations to grant yet.' })),
      el('div', { class: 'actions' },
        el('button', { type: 'button', text: 'New token', onclick: async () => {
          if (!confirm(`Make a new token for ${p.name}? The old one stops working.`)) return;
          shown(p.name, await api('POST', `/v1/profiles/${p.id}/token`));
        } }),
        el('button', { type: 'button', class: 'danger', text: 'Delete', onclick: async () => {
          if (!confirm(`Delete profile ${p.name}?`)) return;
          await api('DELETE', `/v1/profiles/${p.id}`);
          await load();
        } }))));
  fillList(document.getElementById('profiles'), items, 'No profiles yet.');
}

bindForm(document.getElementById('new-profile'), async (data, form) => {
  const out = await api('POST', '/v1/profiles', { name: data.name, agent: agentOf(data) });
  form.reset();
  showKind();
  shown(out.profile.name, out);
  notice(`Profile ${out.profile.name} created.`);
  await load();
});

load().catch((e) => notice(`Could not load profiles: ${e.message}`));
