import { createHmac } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openToolBox } from '../../src/llm/toolbox.ts';
import { runCli } from '../cli/run.ts';
import { startFakeTeller, type FakeEnrollment, type FakeTeller } from '../fakes/teller-api.ts';
import { DIALECTS } from '../helpers/db.ts';
import { eventually, startTestHub, type TestHub } from '../helpers/hub.ts';
import { checking, connectResult, enrollment } from './data.ts';
import { makeTestPki, type TestPki } from './pki.ts';

const SIGNING_SECRET = 'teller_signing_secret_test_0123456789';

describe.each(DIALECTS)('Teller data source through the hub (mutual TLS to a fake Teller) on %s', (dialect) => {
  let pki: TestPki;
  let teller: FakeTeller;
  let t: TestHub;
  let alice: string;
  let agent: { id: string; token: string };
  let other: { id: string; token: string };
  let chase: FakeEnrollment;
  let wells: FakeEnrollment;
  let broken: FakeEnrollment;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    chase = enrollment('enr_chase_001', 'test_token_chase_secret', 'Chase', [checking('acc_chase_chk', 120), checking('acc_chase_eur', 3, 'EUR')]);
    wells = enrollment('enr_wells_001', 'test_token_wells_secret', 'Wells Fargo', [checking('acc_wells_chk', 4)]);
    broken = enrollment('enr_broken_01', 'test_token_broken_secret', 'Citibank', [checking('acc_citi_chk', 2)]);
    pki = makeTestPki();
    teller = await startFakeTeller({ cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, [chase, wells, broken]);
    t = await startTestHub({
      dialect,
      env: {
        TELLER_API_URL: teller.url,
        TELLER_CERT: pki.clientCertPath, // a file path…
        TELLER_KEY: pki.clientKey.replace(/\n/g, '\\n'), // …or PEM text with \n escapes, as one .env line
        TELLER_CA_CERT: pki.caCert,
        TELLER_APPLICATION_ID: 'app_test_123',
        TELLER_ENVIRONMENT: 'sandbox',
        TELLER_SIGNING_SECRET: SIGNING_SECRET,
      },
    });
    alice = (await t.api('POST', '/v1/users', { email: 'alice@example.com' })).body.api_key;
    const p = await t.api('POST', '/v1/profiles', { name: 'bank-agent' }, alice);
    agent = { id: p.body.profile.id, token: p.body.token };
    const q = await t.api('POST', '/v1/profiles', { name: 'other-agent' }, alice);
    other = { id: q.body.profile.id, token: q.body.token };
  });
  afterAll(async () => {
    await t?.close();
    await teller?.close();
    pki?.remove();
  });

  async function mcp(token: string): Promise<Client> {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    return client;
  }
  const textOf = (r: any): string => r.content.map((c: any) => c.text).join('\n');
  const call = async (token: string, name: string, args: Record<string, unknown> = {}) => {
    const client = await mcp(token);
    try {
      return await client.callTool({ name, arguments: args });
    } finally {
      await client.close();
    }
  };

  it('is listed under data sources, connected with Teller Connect, several per user', async () => {
    const r = await t.api('GET', '/v1/integrations/available', undefined, alice);
    expect(r.body.integrations.find((i: any) => i.type === 'teller')).toMatchObject({ category: 'data', auth_methods: ['teller_connect'], inbound: false, multi_row: true });
    const info = await t.api('GET', '/v1/integrations/teller/connect', undefined, alice);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ application_id: 'app_test_123', environment: 'sandbox', connect_js: 'https://cdn.teller.io/connect/connect.js', callback: '/v1/integrations/teller/callback' });
    // Teller Connect opens from the dashboard's Data sources; the former page sends people there.
    const page = await fetch(`${t.url}/teller/connect`, { redirect: 'manual' });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe('/ui/integrations#data-sources');
  });

  it('`switchboard integrations available` shows it under "Data sources"', async () => {
    const r = await runCli({ ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: alice, SWITCHBOARD_ADMIN_KEY: '' }, ['integrations', 'available']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Data sources\n(?:  .*\n)*\s+\S+\s+teller\s+Teller \(bank accounts\) \(teller_connect; read by tools, several per user\)/m);
  });

  it('stores a Connect enrollment whose token Teller accepts, the token sealed, over mutual TLS', async () => {
    const before = teller.calls.length;
    const r = await t.api('POST', '/v1/integrations/teller/callback', connectResult(chase), alice);
    expect(r.status).toBe(201);
    expect(r.body.integration).toMatchObject({ type: 'teller', name: 'Chase', external_id: 'enr_chase_001', status: 'active', config: { enrollment_id: 'enr_chase_001', institution: 'Chase' } });
    expect(JSON.stringify(r.body)).not.toContain(chase.token);
    ids.chase = r.body.integration.id;
    // Teller saw the token as the Basic username and the application's client certificate.
    expect(teller.calls.slice(before)).toEqual([expect.objectContaining({ method: 'GET', path: '/accounts', token: chase.token, clientCn: 'switchboard-test-app' })]);
    const rows = await t.hub.db.kysely.selectFrom('user_integrations').selectAll().where('id', '=', ids.chase).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0].secrets).toBeTruthy();
    expect(JSON.stringify(rows)).not.toContain(chase.token);
    expect(JSON.stringify(rows)).not.toContain('test_token');
    const listed = await t.api('GET', '/v1/integrations', undefined, alice);
    expect(JSON.stringify(listed.body)).not.toContain(chase.token);
    // A second bank is a second row.
    const w = await t.api('POST', '/v1/integrations/teller/callback', connectResult(wells), alice);
    expect(w.status).toBe(201);
    ids.wells = w.body.integration.id;
  });

  it('answers 422 and stores nothing when Teller refuses the token; 400 for a body that is not Connect\'s', async () => {
    const count = async () => (await t.api('GET', '/v1/integrations', undefined, alice)).body.integrations.length;
    const n = await count();
    const r = await t.api('POST', '/v1/integrations/teller/callback', { ...connectResult(chase), access_token: 'test_token_forged', enrollment: { id: 'enr_forged', institution: { name: 'Forged' } } }, alice);
    expect(r.status).toBe(422);
    expect(r.body.error.code).toBe('teller_token_refused');
    expect(JSON.stringify(r.body)).not.toContain('test_token_forged');
    // A genuine token posted with another enrollment's id.
    const mismatch = await t.api('POST', '/v1/integrations/teller/callback', { ...connectResult(wells), enrollment: { id: 'enr_other', institution: { name: 'Other' } } }, alice);
    expect(mismatch.status).toBe(422);
    const bad = await t.api('POST', '/v1/integrations/teller/callback', { token: 'x' }, alice);
    expect(bad.status).toBe(400);
    expect(await count()).toBe(n);
  });

  it('offers the Teller tools only to a profile it is granted to; the one granted is implied', async () => {
    const none = await mcp(agent.token);
    expect((await none.listTools()).tools.map((x) => x.name)).not.toContain('teller_accounts');
    await none.close();
    expect((await t.api('PUT', `/v1/profiles/${agent.id}/grants/${ids.chase}`, undefined, alice)).status).toBeLessThan(300);
    const client = await mcp(agent.token);
    const names = (await client.listTools()).tools.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['teller_accounts', 'teller_balances', 'teller_transactions']));
    await client.close();

    const accounts = await call(agent.token, 'teller_accounts');
    expect(accounts.isError).toBeFalsy();
    expect(JSON.parse(textOf(accounts)).accounts).toEqual([
      { id: 'acc_chase_chk', name: 'Platinum Checking', institution: 'Chase', type: 'depository', subtype: 'checking', last_four: '4321', currency: 'USD', status: 'open' },
      { id: 'acc_chase_eur', name: 'Platinum Checking', institution: 'Chase', type: 'depository', subtype: 'checking', last_four: '4321', currency: 'EUR', status: 'open' },
    ]);

    const balances = JSON.parse(textOf(await call(agent.token, 'teller_balances')));
    expect(balances.balances).toEqual([
      { account_id: 'acc_chase_chk', account_name: 'Platinum Checking', currency: 'USD', ledger: '28575.02', available: '28475.02' },
      { account_id: 'acc_chase_eur', account_name: 'Platinum Checking', currency: 'EUR', ledger: '28575.02', available: '28475.02' },
    ]);
    const one = JSON.parse(textOf(await call(agent.token, 'teller_balances', { account_id: 'acc_chase_eur' })));
    expect(one.balances).toEqual([expect.objectContaining({ account_id: 'acc_chase_eur', currency: 'EUR', ledger: '28575.02' })]);
  });

  it('pages transactions within a date range, amounts as strings with the currency, never the token', async () => {
    const first = await call(agent.token, 'teller_transactions', { account_id: 'acc_chase_chk', from: '2026-11-01', to: '2026-11-30', count: 25 });
    const page1 = JSON.parse(textOf(first));
    expect(page1.transactions).toHaveLength(25);
    expect(page1.transactions[0]).toEqual({
      id: 'txn_acc_chase_chk_000',
      date: '2026-11-30',
      description: 'DIRECT DEPOSIT ACME CORP',
      amount: '2500.00',
      currency: 'USD',
      status: 'pending',
      type: 'deposit',
      category: 'income',
      counterparty: 'Acme Corp',
      running_balance: '1000.00',
    });
    expect(page1.transactions[1].amount).toBe('-13.00');
    expect(page1.next_cursor).toBe('txn_acc_chase_chk_024');
    const page2 = JSON.parse(textOf(await call(agent.token, 'teller_transactions', { account_id: 'acc_chase_chk', from: '2026-11-01', to: '2026-11-30', count: 25, cursor: page1.next_cursor })));
    expect(page2.transactions.map((x: any) => x.id)).toEqual(['txn_acc_chase_chk_025', 'txn_acc_chase_chk_026', 'txn_acc_chase_chk_027', 'txn_acc_chase_chk_028', 'txn_acc_chase_chk_029']);
    expect(page2.transactions.every((x: any) => x.date >= '2026-11-01' && x.date <= '2026-11-30')).toBe(true);
    expect(page2.next_cursor).toBeNull();
    expect(teller.calls.at(-1)!.query).toMatchObject({ count: '25', from_id: 'txn_acc_chase_chk_024', start_date: '2026-11-01', end_date: '2026-11-30' });
    expect(textOf(first) + JSON.stringify(page2)).not.toContain('test_token');

    const reversed = await call(agent.token, 'teller_transactions', { account_id: 'acc_chase_chk', from: '2026-11-30', to: '2026-11-01' });
    expect(reversed.isError).toBe(true);
    const invalid = await call(agent.token, 'teller_transactions', { account_id: '../accounts' });
    expect(invalid.isError).toBe(true);
    const unknown = await call(agent.token, 'teller_transactions', { account_id: 'acc_nope' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toContain('404');
  });

  it('hands the same tools to the built-in llm runtime', async () => {
    const profile = (await t.hub.store.profiles.byId(agent.id))!;
    const deps = { store: t.hub.store, bus: t.hub.bus, tuning: t.config.bus, log: t.hub.log, allowPrivateUrls: [] };
    const box = await openToolBox(deps, profile, { model: 'm', maxHistory: 10, mcpServers: [], stream: false, timeoutMs: 5000, maxSteps: 4 }, { mcpHeaders: [] }, 5000);
    try {
      const tx = box.definitions.find((d) => d.type === 'function' && d.function.name === 'teller_transactions');
      expect(tx).toBeDefined();
      const answer = await box.call('teller_accounts', {});
      expect(answer.isError).toBe(false);
      expect(JSON.parse(answer.text).accounts).toHaveLength(2);
    } finally {
      await box.close();
    }
  });

  it('refuses a profile it is not granted to, and an integration the profile was not granted', async () => {
    const client = await mcp(other.token);
    expect((await client.listTools()).tools.map((x) => x.name)).not.toContain('teller_accounts');
    const r = await client.callTool({ name: 'teller_accounts', arguments: {} }).catch((e) => ({ isError: true, content: [{ type: 'text', text: String(e) }] }));
    expect(r.isError).toBe(true);
    await client.close();
    const before = teller.calls.length;
    const wrong = await call(agent.token, 'teller_accounts', { integration_id: ids.wells });
    expect(wrong.isError).toBe(true);
    expect(textOf(wrong)).toContain('not_granted');
    expect(teller.calls.length).toBe(before);
  });

  it('with two Teller rows granted, the tools take integration_id', async () => {
    await t.api('PUT', `/v1/profiles/${agent.id}/grants/${ids.wells}`, undefined, alice);
    const implicit = await call(agent.token, 'teller_accounts');
    expect(implicit.isError).toBe(true);
    expect(textOf(implicit)).toContain('integration_required');
    const w = JSON.parse(textOf(await call(agent.token, 'teller_accounts', { integration_id: ids.wells })));
    expect(w.accounts.map((a: any) => a.id)).toEqual(['acc_wells_chk']);
    expect(teller.calls.at(-1)!.token).toBe(wells.token);
    // Deactivated MCP tools are not offered.
    await t.api('PATCH', `/v1/integrations/${ids.wells}`, { mcp_tools: false }, alice);
    const c = JSON.parse(textOf(await call(agent.token, 'teller_accounts')));
    expect(c.accounts[0].institution).toBe('Chase');
    await t.api('PATCH', `/v1/integrations/${ids.wells}`, { mcp_tools: true }, alice);
    await t.api('DELETE', `/v1/profiles/${agent.id}/grants/${ids.wells}`, undefined, alice);
  });

  it('Teller unreachable: a tool error the model can read, and the integration stays healthy', async () => {
    teller.unreachable = true;
    try {
      const r = await call(agent.token, 'teller_balances');
      expect(r.isError).toBe(true);
      expect(textOf(r)).toMatch(/^teller_unavailable: Teller could not be reached/);
    } finally {
      teller.unreachable = false;
    }
    expect((await t.api('GET', `/v1/integrations/${ids.chase}`, undefined, alice)).body.integration.status).toBe('active');
    expect((await call(agent.token, 'teller_accounts')).isError).toBeFalsy();
  });

  it('a disconnected enrollment (Teller 401 enrollment.disconnected) turns the row unhealthy with the reason', async () => {
    const r = await t.api('POST', '/v1/integrations/teller/callback', connectResult(broken), alice);
    ids.broken = r.body.integration.id;
    await t.api('PUT', `/v1/profiles/${other.id}/grants/${ids.broken}`, undefined, alice);
    broken.disconnected = true;
    const answer = await call(other.token, 'teller_accounts');
    expect(answer.isError).toBe(true);
    expect(textOf(answer)).toContain('teller_disconnected');
    const row = (await t.api('GET', `/v1/integrations/${ids.broken}`, undefined, alice)).body.integration;
    expect(row).toMatchObject({ status: 'unhealthy', status_reason: expect.stringContaining('enrollment.disconnected') });
    // Connecting the same enrollment again with a fresh token makes it healthy, the same row.
    broken.disconnected = false;
    broken.token = 'test_token_broken_fresh';
    const again = await t.api('POST', '/v1/integrations/teller/callback', connectResult(broken), alice);
    expect(again.status).toBe(200);
    expect(again.body.integration).toMatchObject({ id: ids.broken, status: 'active' });
  });

  it('a signed enrollment.disconnected webhook turns the row unhealthy; a bad signature changes nothing', async () => {
    const body = JSON.stringify({ id: 'wh_test_1', payload: { enrollment_id: 'enr_broken_01', reason: 'disconnected.credentials_invalid' }, timestamp: new Date().toISOString(), type: 'enrollment.disconnected' });
    const ts = Math.floor(Date.now() / 1000);
    const sig = createHmac('sha256', SIGNING_SECRET).update(`${ts}.${body}`).digest('hex');
    const post = (signature: string) => fetch(`${t.url}/api/teller/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'teller-signature': signature }, body });
    expect((await post(`t=${ts},v1=${'0'.repeat(64)}`)).status).toBe(401);
    expect((await t.api('GET', `/v1/integrations/${ids.broken}`, undefined, alice)).body.integration.status).toBe('active');
    expect((await post(`t=${ts},v1=${'f'.repeat(64)},v1=${sig}`)).status).toBe(200);
    const row = (await t.api('GET', `/v1/integrations/${ids.broken}`, undefined, alice)).body.integration;
    expect(row).toMatchObject({ status: 'unhealthy', status_reason: expect.stringContaining('disconnected.credentials_invalid') });
  });

  it('DELETE revokes the enrollment at Teller (DELETE /accounts) and deletes the token', async () => {
    const before = teller.calls.length;
    expect((await t.api('DELETE', `/v1/integrations/${ids.wells}`, undefined, alice)).status).toBe(204);
    expect(teller.calls.slice(before)).toEqual([expect.objectContaining({ method: 'DELETE', path: '/accounts', token: wells.token })]);
    expect(wells.revoked).toBe(true);
    const rows = await t.hub.db.kysely.selectFrom('user_integrations').selectAll().where('id', '=', ids.wells).execute();
    expect(rows).toHaveLength(0);
  });

  it('a hub without the client certificate cannot talk to Teller', async () => {
    const bare = await startTestHub({ dialect, env: { TELLER_API_URL: teller.url, TELLER_CA_CERT: pki.caCert } });
    try {
      const key = (await bare.api('POST', '/v1/users', { email: 'bob@example.com' })).body.api_key;
      const before = { calls: teller.calls.length, refused: teller.refusedHandshakes };
      const r = await bare.api('POST', '/v1/integrations/teller/callback', connectResult(chase), key);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('teller_unavailable');
      expect(r.body.error.message).toContain('the TLS client certificate was refused');
      expect(r.body.error.message).toContain('nothing was stored');
      expect(teller.calls.length).toBe(before.calls);
      await eventually(() => teller.refusedHandshakes > before.refused);
      expect((await bare.api('GET', '/v1/integrations', undefined, key)).body.integrations).toEqual([]);
    } finally {
      await bare.close();
    }
  });
});
