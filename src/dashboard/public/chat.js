// Chat tester: talk to a profile through the console channel, as `switchboard chat` does.
import { api, bindForm, el, notice, profileOptions } from './api.js';

const log = document.getElementById('chatlog');
const line = (who, text) => log.append(el('li', { class: `msg ${who}` }, el('span', { class: 'who', text: who === 'me' ? 'You' : 'Agent' }), el('span', { class: 'said', text })));

bindForm(document.getElementById('chat'), async (data, form) => {
  line('me', data.text);
  form.querySelector('[name=text]').value = '';
  const out = await api('POST', `/v1/profiles/${encodeURIComponent(data.profile)}/chat`, { text: data.text, ...(data.thread ? { thread: data.thread } : {}) });
  if (out.reply === null) line('agent', out.agent_failed ? '(the agent failed)' : '(no reply yet: the agent answers later)');
  else line('agent', typeof out.reply === 'string' ? out.reply : (out.reply.text ?? JSON.stringify(out.reply)));
});

profileOptions(document.getElementById('c-profile')).catch((e) => notice(`Could not load profiles: ${e.message}`));
