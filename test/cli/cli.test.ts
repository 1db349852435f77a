import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { BIN } from './run.ts';

const run = promisify(execFile);

describe.each(DIALECTS)('the switchboard CLI against a running hub on %s', (dialect) => {
  let server: ChildProcess;
  let env: NodeJS.ProcessEnv;
  let drop: () => Promise<void>;
  let banner = '';

  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, [BIN, ...args], { env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e: any) {
      return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
    }
  };

  beforeAll(async () => {
    const db = await freshDatabase(dialect);
    drop = db.drop;
    const port = String(20000 + Math.floor(Math.random() * 20000));
    env = { ...process.env, DATA_DIR: db.dataDir, PORT: port, LOG_LEVEL: 'warn', SWITCHBOARD_MASTER_KEY: '', SWITCHBOARD_ADMIN_KEY: '', SWITCHBOARD_API_KEY: '', DATABASE_URL: dialect === 'sqlite' ? '' : db.url };
    server = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d) => {
        banner += d;
        if (banner.includes('listening')) resolve();
      });
      server.once('exit', (c) => reject(new Error(`serve exited with ${c}`)));
    });
  });
  afterAll(async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await drop();
  });

  it('prints the first admin key once on first start', () => {
    expect(banner).toMatch(/API key is shown only this once:\s+sb_\w+/);
  });

  it('chats with the default echo agent: chat -m "hello" → echo: hello', async () => {
    const r = await cli('chat', '-m', 'hello');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('echo: hello');
  });

  it('chats interactively on a terminal (a pseudo-terminal made by script(1))', async () => {
    const child = spawn('script', ['-qec', `${process.execPath} ${BIN} chat`, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stdin!.write('hello there\n');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no reply; output so far: ${out}`)), 15_000);
      const check = setInterval(() => {
        if (out.includes('agent> echo: hello there')) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 50);
    });
    child.stdin!.write('/exit\n');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(0);
    expect(out).toContain('Chatting with default');
  });

  it('isolates a conversation with --thread and clears one', async () => {
    const a = JSON.parse((await cli('chat', '-m', 'one', '--json')).stdout);
    const b = JSON.parse((await cli('chat', '-m', 'two', '-t', 'work', '--json')).stdout);
    expect(a.thread.id).not.toBe(b.thread.id);
    expect(b.thread.key).toBe('work');
    const cleared = await cli('chat', 'clear', '-t', 'work', '--force');
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toContain('Cleared conversation work');
  });

  it('manages profiles and shows them as tables or JSON', async () => {
    const created = await cli('profiles', 'create', 'helper');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Token \(shown once\): sbp_/);
    const list = JSON.parse((await cli('profiles', 'list', '--json')).stdout);
    expect(list.profiles.map((p: any) => p.name).sort()).toEqual(['default', 'helper']);
    const table = await cli('profiles', 'list');
    expect(table.stdout).toMatch(/^ID\s+NAME\s+AGENT\s+GRANTS/);
    expect((await cli('chat', '-p', 'helper', '-m', 'hi helper')).stdout.trim()).toBe('echo: hi helper');
    expect((await cli('profiles', 'delete', 'helper')).code).toBe(0);
    const gone = await cli('profiles', 'show', 'helper');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/error: Profile not found \(not_found, HTTP 404\)/);
  });

  it('shows the log filtered by type', async () => {
    const r = JSON.parse((await cli('logs', '--type', 'user_message', '--limit', '50', '--json')).stdout);
    expect(r.messages.map((m: any) => m.text)).toContain('hello');
    expect(r.messages.every((m: any) => m.type === 'user_message')).toBe(true);
    const bad = await cli('logs', '--type', 'nonsense');
    expect(bad.code).not.toBe(0);
  });

  it('creates users as the admin, and a user cannot', async () => {
    const r = await cli('users', 'create', '--email', 'carol@example.com', '--json');
    const key = JSON.parse(r.stdout).api_key;
    expect(key).toMatch(/^sb_/);
    const denied = await cli('--api-key', key, 'users', 'create', '--email', 'dave@example.com');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('Only an admin may do this');
  });

  it('never takes a command\'s own --url or --api-key for the hub\'s', async () => {
    const received: string[] = [];
    const http = await import('node:http');
    const trap = http.createServer((req, res) => {
      received.push(String(req.headers.authorization));
      res.end('{}');
    });
    await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
    const port = (trap.address() as { port: number }).port;
    const r = await cli('integrations', 'connect', '--integration', 'webhook', '--url', `http://127.0.0.1:${port}/hook`, '--api-key', 're_not_the_hub_key');
    trap.close();
    expect(received).toEqual([]);
    expect(r.stderr).not.toContain('Cannot reach');
  });

  it('answers a usage error with one line that points at the help, exit code 2', async () => {
    const unknown = await cli('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown command 'frobnicate'; see `switchboard --help`\n");
    const missing = await cli('profiles', 'grant', 'default');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("error: missing required argument 'integrationId'; see `switchboard profiles grant --help`\n");
    const help = await cli('integrations', 'webhooks', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/list \[options\][\s\S]*events[\s\S]*create[\s\S]*delete[\s\S]*pause[\s\S]*resume/);
  });

  it('fails with a clear message and a non-zero exit when the hub is unreachable or the key is wrong', async () => {
    const down = await cli('--url', 'http://127.0.0.1:9', 'profiles', 'list');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/Cannot reach the hub/);
    const wrong = await cli('--api-key', 'sb_nope', 'profiles', 'list');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Invalid API key/);
  });
});
