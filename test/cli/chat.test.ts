import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { runCli, runOnPty, KEY } from './run.ts';

const SECRET = `whsec_${Buffer.from('cli-chat-test-secret-0123456789ab').toString('base64')}`;

describe('switchboard chat and logs against a running hub', () => {
  let t: TestHub;
  let agent: FakeAgent;
  let key: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(env, args);

  beforeAll(async () => {
    agent = await startFakeAgent(SECRET);
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' }, bus: { maxAttempts: 1 } });
    key = (await t.api('POST', '/v1/users', { email: 'cli-chat@example.com' })).body.api_key;
    env = { ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '' };
    await t.api('POST', '/v1/profiles', { name: 'remote', agent: { kind: 'http', url: agent.url, secret: SECRET } }, key);
  });
  afterAll(async () => {
    await t.close();
    await agent.close();
  });

  it('chat -t without a value prints the new thread id, with -m and with --json', async () => {
    const plain = await cli('chat', '-t', '-m', 'hello thread');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe('echo: hello thread\n');
    const name = /^Thread: (t-[0-9a-f]{8}) \(continue it with -t \1\)$/m.exec(plain.stderr)![1];
    const again = JSON.parse((await cli('chat', '-t', name, '-m', 'same thread', '--json')).stdout);
    expect(again.thread.key).toBe(name);
    const json = await cli('chat', '-t', '-m', 'json mode', '--json');
    const key2 = /^Thread: (t-[0-9a-f]{8})/m.exec(json.stderr)![1];
    expect(JSON.parse(json.stdout).thread.key).toBe(key2);
    expect(key2).not.toBe(name);
  });

  it('chat -t on a terminal names the new thread in its banner', async () => {
    const pty = runOnPty(env, ['chat', '-t']);
    await pty.waitFor(/Chatting with default \(thread t-[0-9a-f]{8}\)/);
    pty.send(`/exit${KEY.enter}`);
    expect(await pty.exit).toBe(0);
    expect(pty.output()).toMatch(/Thread: (t-[0-9a-f]{8}) \(continue it with -t \1\)/);
  });

  it('chat exits 1 with one error line when the agent failed, 0 when it answered', async () => {
    agent.answer = () => ({ status: 500, body: { error: 'boom' } });
    const failed = await cli('chat', '-p', 'remote', '-m', 'are you there?');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^Sorry, the agent could not be reached/);
    expect(failed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: the agent failed .*switchboard logs --type error/)]);
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `agent: ${c.body.message.text}` } } });
    const ok = await cli('chat', '-p', 'remote', '-m', 'now?');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('agent: now?\n');
  });

  it('--clear (and --clear-thread) clears the thread after the reply: the next turn has no history', async () => {
    await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'first');
    const cleared = await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'second', '--clear');
    expect(cleared.stdout).toBe('agent: second\n');
    expect(cleared.stderr).toContain('Cleared conversation memo.');
    const seen = agent.calls.at(-1)!.body.history.map((h: any) => h.text);
    expect(seen).toContain('first');
    await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'third', '--clear-thread');
    expect(agent.calls.at(-1)!.body.history).toEqual([]);
    await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'fourth');
    expect(agent.calls.at(-1)!.body.history).toEqual([]);
  });

  it('chat clear asks on a terminal and needs --force without one', async () => {
    const refused = await cli('chat', 'clear', '-t', 'memo', '-p', 'remote');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('error: this asks for confirmation: pass --force to run it without a terminal; see `switchboard chat clear --help`\n');
    await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'fifth');
    const forced = await cli('chat', 'clear', '--force', '-t', 'memo', '-p', 'remote');
    expect(forced.code).toBe(0);
    expect(forced.stderr).toBe('Cleared conversation memo.\n');
    await cli('chat', '-p', 'remote', '-t', 'memo', '-m', 'sixth');
    expect(agent.calls.at(-1)!.body.history).toEqual([]);
    const pty = runOnPty(env, ['chat', 'clear', '-t', 'memo', '-p', 'remote']);
    await pty.waitFor('Clear conversation memo of remote?');
    pty.send(`y${KEY.enter}`);
    await pty.waitFor('Cleared conversation memo.');
    expect(await pty.exit).toBe(0);
  });

  it('logs --thread <name> --profile <p> --type all: one conversation of one profile', async () => {
    await cli('chat', '-t', 'shared-name', '-m', 'to default');
    await cli('chat', '-p', 'remote', '-t', 'shared-name', '-m', 'to remote');
    const ambiguous = await cli('logs', '--thread', 'shared-name');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toBe('error: 2 conversations are named shared-name (one per profile); add --profile <profile>\n');
    const r = JSON.parse((await cli('logs', '--thread', 'shared-name', '--profile', 'remote', '--type', 'all', '--json')).stdout);
    expect(r.messages.map((m: any) => m.text).sort()).toEqual(['agent: to remote', 'to remote']);
    const byId = JSON.parse((await cli('logs', '--thread', r.messages[0].thread_id, '--json')).stdout);
    expect(byId.messages).toHaveLength(2);
    const onlyRemote = JSON.parse((await cli('logs', '--profile', 'remote', '--type', 'user_message', '--limit', '100', '--json')).stdout);
    expect(onlyRemote.messages.map((m: any) => m.text)).toContain('to remote');
    expect(onlyRemote.messages.map((m: any) => m.text)).not.toContain('to default');
    const table = await cli('logs', '--thread', 'shared-name', '-p', 'default');
    expect(table.stdout).toMatch(/^AT\s+TYPE\s+THREAD\s+TEXT/);
    expect(table.stdout).toContain('echo: to default');
    const unknown = await cli('logs', '--thread', 'no-such-thread');
    expect(unknown.stderr).toMatch(/^error: No conversation no-such-thread;/);
    const badType = await cli('logs', '--type', 'nonsense');
    expect(badType.code).toBe(2);
    expect(badType.stderr.trim().split('\n')).toHaveLength(1);
  });
});
