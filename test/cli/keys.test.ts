import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const run = promisify(execFile);
const BIN = 'src/cli/switchboard.mjs';

describe('switchboard keys list | create | revoke', () => {
  let t: TestHub;
  let key: string;

  const cli = async (...args: string[]) => {
    const env = { ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: key, SWITCHBOARD_ADMIN_KEY: '', DATA_DIR: t.dataDir };
    try {
      const r = await run(process.execPath, [BIN, ...args], { env });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e: any) {
      return { code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string };
    }
  };

  beforeAll(async () => {
    t = await startTestHub();
    key = (await t.api('POST', '/v1/users', { email: 'cli-keys@example.com' })).body.api_key;
  });
  afterAll(() => t.close());

  it('creates a named key and prints it once', async () => {
    const r = await cli('keys', 'create', '--name', 'deploy');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/API key \(shown once\): sb_\w+/);
    const made = /sb_\w+/.exec(r.stdout.split('shown once')[1])![0];
    expect((await t.api('GET', '/v1/me', undefined, made)).status).toBe(200);
  });

  it('lists keys as a table and as JSON, never a key', async () => {
    const table = await cli('keys', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/ID\s+NAME\s+HINT\s+CREATED_AT\s+LAST_USED_AT/);
    expect(table.stdout).toContain('deploy');
    expect(table.stdout).not.toContain(key);
    const json = JSON.parse((await cli('keys', 'list', '--json')).stdout);
    expect(json.keys.map((k: any) => k.name).sort()).toEqual(['default', 'deploy']);
    expect(json.keys.find((k: any) => k.current).name).toBe('default');
  });

  it('revokes a key by id; an unknown id is a clear error', async () => {
    const json = JSON.parse((await cli('keys', 'list', '--json')).stdout);
    const deploy = json.keys.find((k: any) => k.name === 'deploy');
    const r = await cli('keys', 'revoke', deploy.id);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Revoked API key ${deploy.id}`);
    const again = await cli('keys', 'revoke', deploy.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: API key not found \(not_found, HTTP 404\)/);
  });

  it('keeps `keys rotate` (master keys) beside the API key commands', async () => {
    const help = await cli('keys', '--help');
    for (const c of ['list', 'create', 'revoke', 'rotate']) expect(help.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });
});
