import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE_READONLY } from '../fakes/google-api.ts';
import { eventually } from '../helpers/hub.ts';
import { connectGmail, gmailRows, mcpClient, newUser, startGmailEnv, textOf, type GmailEnv } from './env.ts';

/** A user with one Gmail account connected and granted to a profile; the profile's MCP client. */
async function grantedAccount(h: GmailEnv, email: string, scopes?: string[]) {
  const user = await newUser(h.t);
  h.google.approveAs = { email, scopes };
  expect((await connectGmail(h, user.key)).status).toBe(200);
  const [row] = await gmailRows(h.t, user.key);
  const p = (await h.t.api('POST', '/v1/profiles', { name: `reader-${Math.random().toString(36).slice(2, 8)}` }, user.key)).body;
  await h.t.api('PUT', `/v1/profiles/${p.profile.id}/grants/${row.id}`, undefined, user.key);
  return { user, row, profileId: p.profile.id, token: p.token as string, mcp: await mcpClient(h.t, p.token) };
}

describe('Gmail tools through /mcp', () => {
  let h: GmailEnv;
  let a: Awaited<ReturnType<typeof grantedAccount>>;
  const clients: Client[] = [];
  const call = async (c: Client, name: string, args: Record<string, unknown> = {}) => {
    const r = await c.callTool({ name, arguments: args });
    return { text: textOf(r), isError: r.isError === true };
  };

  beforeAll(async () => {
    h = await startGmailEnv();
    a = await grantedAccount(h, 'ann@example.com');
    clients.push(a.mcp);
    h.google.deliver({ from: 'Bo <bo@example.com>', subject: 'Lunch on Friday?', text: 'Hi Ann,\nlunch on Friday at noon?\nBo', html: '<p>Hi Ann,</p><p>lunch?</p>' });
    h.google.deliver({ from: 'Shop <orders@shop.example>', subject: 'Your receipt', html: '<html><head><style>p{}</style></head><body><p>Total: &euro;12 &amp; tax</p><script>x()</script></body></html>', attachment: { filename: 'receipt.pdf', mimeType: 'application/pdf', size: 48213 } });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await h?.close();
  });

  it('offers the five gmail tools only to a profile the integration is granted to', async () => {
    const names = (await a.mcp.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['gmail_search', 'gmail_read', 'gmail_draft', 'gmail_send', 'gmail_labels']));
    const other = (await h.t.api('POST', '/v1/profiles', { name: 'ungranted' }, a.user.key)).body;
    const c = await mcpClient(h.t, other.token);
    clients.push(c);
    expect((await c.listTools()).tools.map((t) => t.name)).not.toContain('gmail_search');
  });

  it('gmail_search pages through results with Gmail query syntax', async () => {
    const first = await call(a.mcp, 'gmail_search', { query: '', max_results: 1 });
    expect(first.isError).toBe(false);
    const page1 = JSON.parse(first.text);
    expect(page1.messages).toHaveLength(1);
    expect(page1.messages[0]).toMatchObject({ from: 'Shop <orders@shop.example>', subject: 'Your receipt' });
    expect(page1.next_page_token).toBeTruthy();
    const page2 = JSON.parse((await call(a.mcp, 'gmail_search', { query: '', max_results: 1, page_token: page1.next_page_token })).text);
    expect(page2.messages[0].subject).toBe('Lunch on Friday?');
    expect(page2.next_page_token).toBeNull();
    const from = JSON.parse((await call(a.mcp, 'gmail_search', { query: 'from:bo@example.com' })).text);
    expect(from.messages.map((m: any) => m.subject)).toEqual(['Lunch on Friday?']);
    expect(h.google.callsTo('/gmail/v1/users/me/messages').at(-1)!.query.q).toBe('from:bo@example.com');
  });

  it('gmail_read answers clean text (plain part first, else HTML stripped) and attachment metadata', async () => {
    const [lunch, receipt] = h.google.messages;
    const m = JSON.parse((await call(a.mcp, 'gmail_read', { message_id: lunch.id })).text);
    expect(m).toMatchObject({ id: lunch.id, from: 'Bo <bo@example.com>', subject: 'Lunch on Friday?', text: 'Hi Ann,\nlunch on Friday at noon?\nBo', attachments: [] });
    const r = JSON.parse((await call(a.mcp, 'gmail_read', { message_id: receipt.id })).text);
    expect(r.text).toBe('Total: €12 & tax');
    expect(r.attachments).toEqual([{ filename: 'receipt.pdf', mime_type: 'application/pdf', size: 48213, attachment_id: `ANGjdJ${receipt.id}` }]);
    const t = JSON.parse((await call(a.mcp, 'gmail_read', { thread_id: lunch.threadId })).text);
    expect(t.messages.map((x: any) => x.id)).toEqual([lunch.id]);
    const both = await call(a.mcp, 'gmail_read', {});
    expect(both).toMatchObject({ isError: true, text: expect.stringContaining('exactly one of message_id or thread_id') });
    const missing = await call(a.mcp, 'gmail_read', { message_id: 'nope' });
    expect(missing).toMatchObject({ isError: true, text: expect.stringMatching(/^not_found:/) });
  });

  it('gmail_labels lists system and user labels', async () => {
    const labels = JSON.parse((await call(a.mcp, 'gmail_labels')).text).labels;
    expect(labels).toContainEqual({ id: 'Label_12', name: 'Receipts', type: 'user' });
  });

  it('gmail_draft saves a draft; gmail_send saves a draft while allow_send is off and sends once it is on', async () => {
    const d = JSON.parse((await call(a.mcp, 'gmail_draft', { to: 'bo@example.com', subject: 'Re: Lunch', body: 'Friday works, see you ✨' })).text);
    expect(d.draft_id).toBeTruthy();
    const raw = Buffer.from(h.google.drafts.at(-1)!.raw, 'base64url').toString('utf8');
    expect(raw).toContain('To: bo@example.com');
    expect(raw).toContain('Subject: Re: Lunch');
    expect(Buffer.from(raw.split('\r\n\r\n')[1], 'base64').toString('utf8')).toBe('Friday works, see you ✨');

    const off = JSON.parse((await call(a.mcp, 'gmail_send', { to: 'bo@example.com', subject: 'Hello', body: 'Hi' })).text);
    expect(off).toMatchObject({ sent: false, draft_id: expect.any(String) });
    expect(h.google.sent).toHaveLength(0);
    await h.t.api('PATCH', `/v1/integrations/${a.row.id}`, { allow_send: true }, a.user.key);
    const on = JSON.parse((await call(a.mcp, 'gmail_send', { to: 'bo@example.com', subject: 'Hello', body: 'Hi', thread_id: h.google.messages[0].threadId })).text);
    expect(on).toMatchObject({ sent: true, message_id: expect.any(String) });
    expect(h.google.sent).toHaveLength(1);
    const injected = await call(a.mcp, 'gmail_send', { to: 'bo@example.com\r\nBcc: all@example.com', subject: 'x', body: 'y' });
    expect(injected.isError).toBe(true);
    expect(h.google.sent).toHaveLength(1);
  });

  it('refreshes an expired access token and keeps the new one encrypted', async () => {
    const before = (await h.t.hub.store.integrations.secrets<any>(a.row.id)).access_token;
    h.google.expireAccessTokens();
    const refreshes = h.google.callsTo('/token').filter((c) => c.body.grant_type === 'refresh_token').length;
    const r = await call(a.mcp, 'gmail_labels');
    expect(r.isError).toBe(false);
    expect(h.google.callsTo('/token').filter((c) => c.body.grant_type === 'refresh_token').length).toBe(refreshes + 1);
    const after = await eventually(async () => {
      const s = await h.t.hub.store.integrations.secrets<any>(a.row.id);
      return s.access_token !== before && s;
    });
    expect(after.refresh_token).toBeTruthy();
    expect(JSON.stringify(await h.t.hub.db.kysely.selectFrom('user_integrations').selectAll().execute())).not.toContain(after.access_token);
  });

  it('a connection without the compose scope refuses drafts and sends as a tool error, reading still works', async () => {
    const ro = await grantedAccount(h, 'readonly@example.com', [SCOPE_READONLY]);
    clients.push(ro.mcp);
    const drafts = h.google.drafts.length;
    for (const tool of ['gmail_draft', 'gmail_send']) {
      const r = await call(ro.mcp, tool, { to: 'bo@example.com', subject: 'x', body: 'y' });
      expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/^scope_missing:.*gmail\.compose/) });
    }
    expect(h.google.drafts.length).toBe(drafts);
    expect((await call(ro.mcp, 'gmail_labels')).isError).toBe(false);
  });

  it('with two rows granted, tools need integration_id; an id not granted is refused as a tool error', async () => {
    const user = a.user;
    h.google.approveAs = { email: 'ann.work@example.com', scopes: undefined };
    await connectGmail(h, user.key);
    const work = (await gmailRows(h.t, user.key)).find((r: any) => r.external_id === 'ann.work@example.com');
    await h.t.api('PUT', `/v1/profiles/${a.profileId}/grants/${work.id}`, undefined, user.key);
    const needs = await call(a.mcp, 'gmail_labels');
    expect(needs).toMatchObject({ isError: true, text: expect.stringMatching(/^integration_required:/) });
    expect((await call(a.mcp, 'gmail_labels', { integration_id: work.id })).isError).toBe(false);
    const stranger = await grantedAccount(h, 'stranger@example.com');
    clients.push(stranger.mcp);
    const refused = await call(a.mcp, 'gmail_labels', { integration_id: stranger.row.id });
    expect(refused).toMatchObject({ isError: true, text: expect.stringMatching(/^not_granted:/) });
    // Tools off (integrations mcp deactivate): the row is no longer offered, the other one is implied.
    await h.t.api('PATCH', `/v1/integrations/${work.id}`, { mcp_tools: false }, user.key);
    expect((await call(a.mcp, 'gmail_labels', { integration_id: work.id })).text).toMatch(/^not_granted:/);
    expect((await call(a.mcp, 'gmail_labels')).isError).toBe(false);
    await h.t.api('PATCH', `/v1/integrations/${stranger.row.id}`, { mcp_tools: false }, stranger.user.key);
    expect((await stranger.mcp.listTools()).tools.map((t) => t.name)).not.toContain('gmail_labels');
  });

  it('Google unreachable: a tool error the model can read, and the integration stays healthy', async () => {
    h.google.apiDown = 503;
    try {
      const r = await call(a.mcp, 'gmail_search', { query: 'lunch' });
      expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/^google_unreachable:/) });
    } finally {
      h.google.apiDown = undefined;
    }
    expect((await h.t.api('GET', `/v1/integrations/${a.row.id}`, undefined, a.user.key)).body.integration.status).toBe('active');
  });

  it('a revoked refresh token (invalid_grant) turns the integration unhealthy with the reason', async () => {
    const gone = await grantedAccount(h, 'gone@example.com');
    clients.push(gone.mcp);
    h.google.revokeAccount('gone@example.com');
    h.google.expireAccessTokens();
    const r = await call(gone.mcp, 'gmail_labels');
    expect(r).toMatchObject({ isError: true, text: expect.stringMatching(/^reconnect_needed:.*invalid_grant/) });
    const row = (await h.t.api('GET', `/v1/integrations/${gone.row.id}`, undefined, gone.user.key)).body.integration;
    expect(row.status).toBe('unhealthy');
    expect(row.status_reason).toContain('invalid_grant');
    expect(row.status_reason).not.toMatch(/1\/\/0g|ya29\./);
  });
});
