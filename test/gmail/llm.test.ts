import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGmailAdapter, gmailConfig } from '../../adapters/gmail/index.ts';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google-api.ts';
import { startLlmTgEnv, type LlmTgEnv } from '../llm/env.ts';
import { connectGmail, gmailRows } from './env.ts';

describe('Gmail tools in the built-in llm runtime', () => {
  let google: FakeGoogle;
  let h: LlmTgEnv;
  beforeAll(async () => {
    google = await startFakeGoogle();
    h = await startLlmTgEnv({}, google.env(), { extraAdapters: { gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps, { tickMs: 60_000 }) } } });
    expect((await connectGmail({ t: h.env.t, google, close: async () => {} }, h.user.key)).status).toBe(200);
    const [row] = await gmailRows(h.env.t, h.user.key);
    await h.env.t.api('PUT', `/v1/profiles/${h.user.profileId}/grants/${row.id}`, undefined, h.user.key);
  });
  afterAll(async () => {
    await h?.close();
    await google?.close();
  });

  it('offers the gmail tools to the model and hands it the clean text of a message', async () => {
    const m = google.deliver({ from: 'Bo <bo@example.com>', subject: 'Invoice', html: '<div>Amount due: <b>42 EUR</b></div>' });
    h.model.script({ kind: 'tools', calls: [{ name: 'gmail_read', arguments: JSON.stringify({ message_id: m.id }) }] }, { kind: 'text', chunks: ['Bo asks for 42 EUR.'] });
    await h.say('what does the latest mail say?');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('Bo asks for 42 EUR.');
    const offered = h.model.requests[0].body.tools.map((x: any) => x.function.name);
    expect(offered).toEqual(expect.arrayContaining(['gmail_search', 'gmail_read', 'gmail_draft', 'gmail_send', 'gmail_labels']));
    const tool = h.model.requests[1].body.messages.find((x: any) => x.role === 'tool');
    expect(JSON.parse(tool.content)).toMatchObject({ id: m.id, subject: 'Invoice', text: 'Amount due: 42 EUR' });
  });
});
