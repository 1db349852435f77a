import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run.ts';
import { connectGmail, gmailRows, newUser, startGmailEnv, type GmailEnv } from './env.ts';

describe('switchboard integrations … for Gmail', () => {
  let h: GmailEnv;
  let key: string;
  const cli = (...args: string[]) => runCli({ ...process.env, SWITCHBOARD_URL: h.t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '' }, args);

  beforeAll(async () => {
    h = await startGmailEnv();
    key = (await newUser(h.t)).key;
  });
  afterAll(() => h?.close());

  it('available lists Gmail under "Data sources" with OAuth', async () => {
    const r = await cli('integrations', 'available');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Data sources\n(?:  .*\n)*\s+🔐\s+gmail\s+Gmail \(oauth; read by tools, several per user\)/m);
  });

  it('info gmail shows its scopes, tools and the allow_send setting', async () => {
    const r = await cli('integrations', 'info', 'gmail');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Auth methods: oauth');
    expect(r.stdout).toContain('✓ https://www.googleapis.com/auth/gmail.readonly');
    expect(r.stdout).toContain('✓ https://www.googleapis.com/auth/gmail.compose');
    expect(r.stdout).toContain('gmail_search, gmail_read, gmail_draft, gmail_send, gmail_labels');
    expect(r.stdout).toContain('allow_send');
    expect(r.stdout).toContain('email.received [virtual, 5 min interval: 1 | 5 | 15 | 30 | 60]');
    const json = JSON.parse((await cli('integrations', 'info', 'gmail', '--json')).stdout);
    expect(json.type).toMatchObject({ category: 'data', tools: expect.arrayContaining(['gmail_read']) });
  });

  it('connect --integration gmail --auth-method oauth prints the Google consent link', async () => {
    const r = await cli('integrations', 'connect', '--integration', 'gmail', '--auth-method', 'oauth');
    expect(r.code).toBe(0);
    const link = /(http\S+\/o\/oauth2\/v2\/auth\?\S+)/.exec(r.stdout)![1];
    expect(new URL(link).searchParams.get('code_challenge_method')).toBe('S256');
    expect(r.stdout).toContain('Open this link to install Gmail');
  });

  it('triggers create takes an email.received interval and list shows it as virtual', async () => {
    expect((await connectGmail(h, key)).status).toBe(200);
    const id = (await gmailRows(h.t, key))[0].id;
    const bad = await cli('triggers', 'create', '--connection', id, '--event', 'email.received', '--interval', '7');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('1, 5, 15, 30, 60');
    const made = await cli('triggers', 'create', '--connection', id, '--event', 'email.received', '--interval', '15');
    expect(made.code).toBe(0);
    expect(made.stdout).toContain('polled every 15 min');
    const list = await cli('triggers', 'list');
    expect(list.stdout).toMatch(/email\.received \[virtual, 15 min interval\] \(agent/);
  });
});
