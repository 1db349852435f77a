// Users (admins): create a user (its API key shown once), see each user's integrations count.
import { api, bindForm, el, fillList, notice, secretField, showOnce } from './api.js';

async function load() {
  const { users } = await api('GET', '/v1/users');
  fillList(document.getElementById('users'), users.map((u) =>
    el('li', { class: 'item', 'data-user': u.email },
      el('div', { class: 'row' }, el('strong', { class: 'name', text: u.email }), el('span', { class: 'meta', text: `${u.is_admin ? 'admin · ' : ''}${u.integrations} integration${u.integrations === 1 ? '' : 's'} · ${u.id}` })))), 'No users.');
}

bindForm(document.getElementById('new-user'), async (data, form) => {
  const out = await api('POST', '/v1/users', { email: data.email, ...(data.name ? { name: data.name } : {}), ...(data.admin ? { admin: true } : {}) });
  form.reset();
  showOnce(el('p', {}, el('strong', { text: out.user.email })), secretField('shown-key', 'API key', out.api_key));
  notice(`User ${out.user.email} created.`);
  await load();
});

load().catch((e) => notice(`Could not load users: ${e.message}`));
