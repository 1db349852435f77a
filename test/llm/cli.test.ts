import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOpenAI } from '../fakes/openai-api.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const run = promisify(execFile);

describe('switchboard profiles create --llm', () => {
  let t: TestHub;
  let model: FakeOpenAI;
  const cli = async (...args: string[]) => {
    const r = await run(process.execPath, ['src/cli/switchboard.mjs', ...args], { env: { ...process.env, SWITCHBOARD_URL: t.url, SWITCHBOARD_API_KEY: t.adminKey } });
    return r.stdout;
  };

  beforeAll(async () => {
    model = await new FakeOpenAI().start();
    t = await startTestHub({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
  });
  afterAll(async () => {
    await t.close();
    await model.close();
  });

  it('creates a model profile that answers `switchboard chat`, its key never printed', async () => {
    const out = await cli('profiles', 'create', 'helper', '--llm', '--model', 'llama3.2', '--base-url', model.baseUrl, '--system', 'Be brief.', '--api-key', 'sk-cli-secret-99', '--json');
    const created = JSON.parse(out);
    expect(created.profile.agent).toMatchObject({ kind: 'llm', model: 'llama3.2', base_url: model.baseUrl, system: 'Be brief.', has_secret: true });
    expect(out).not.toContain('sk-cli-secret-99');
    model.script({ kind: 'text', chunks: ['Hello ', 'from the model.'] });
    const chat = await cli('chat', '-p', 'helper', '-m', 'hi');
    expect(chat).toContain('Hello from the model.');
    expect(model.requests[0].authorization).toBe('Bearer sk-cli-secret-99');
    expect(model.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(await cli('profiles', 'list')).toContain('llm:llama3.2');
  });
});
