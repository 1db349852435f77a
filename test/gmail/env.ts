import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createGmailAdapter, gmailConfig, type GmailAdapterOptions } from '../../adapters/gmail/index.ts';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google-api.ts';
import { startTestHub, type TestHub, type TestHubOptions } from '../helpers/hub.ts';

/** A hub whose Gmail adapter talks to a fake Google, and the fake. */
export interface GmailEnv {
  t: TestHub;
  google: FakeGoogle;
  close(): Promise<void>;
}

/** Starts a fake Google and a hub pointed at it (`gmail` options: the poll interval). */
export async function startGmailEnv(o: TestHubOptions & { gmail?: GmailAdapterOptions; configured?: boolean } = {}): Promise<GmailEnv> {
  const google = await startFakeGoogle();
  const t = await startTestHub({
    ...o,
    env: { ...(o.configured === false ? {} : google.env()), ...o.env },
    extraAdapters: { gmail: { config: gmailConfig, create: (deps) => createGmailAdapter(deps, { tickMs: 60_000, ...o.gmail }) }, ...o.extraAdapters },
  });
  return {
    t,
    google,
    async close() {
      await t.close();
      await google.close();
    },
  };
}

/** A new user: their API key and id. */
export async function newUser(t: TestHub, email = `u-${Math.random().toString(36).slice(2)}@example.com`): Promise<{ key: string; id: string }> {
  const r = await t.api('POST', '/v1/users', { email });
  return { key: r.body.api_key, id: r.body.user.id };
}

/** The callback page Google's consent would send the browser to, on the hub's real address. */
export async function consent(h: GmailEnv, installUrl: string): Promise<URL> {
  const r = await fetch(installUrl, { redirect: 'manual' });
  const location = new URL(r.headers.get('location')!);
  return new URL(location.pathname + location.search, h.t.url);
}

/** Plays "Connect Gmail" for a user: install URL, consent, callback. Answers the callback page. */
export async function connectGmail(h: GmailEnv, key: string): Promise<{ status: number; html: string; callback: URL }> {
  const { url } = (await h.t.api('GET', '/v1/integrations/gmail/install', undefined, key)).body;
  const callback = await consent(h, url);
  const page = await fetch(callback);
  return { status: page.status, html: await page.text(), callback };
}

/** The user's Gmail integrations. */
export async function gmailRows(t: TestHub, key: string): Promise<any[]> {
  return (await t.api('GET', '/v1/integrations', undefined, key)).body.integrations.filter((i: any) => i.type === 'gmail');
}

/** An MCP client on /mcp with a profile token. */
export async function mcpClient(t: TestHub, token: string): Promise<Client> {
  const client = new Client({ name: 'gmail-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

/** The text of a tool answer. */
export const textOf = (r: any): string => r.content.map((c: any) => c.text).join('\n');
