import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBot, newUser, startTgEnv, type TgEnv } from './env.ts';

const run = promisify(execFile);

describe('switchboard CLI with Telegram', () => {
  let env: TgEnv;
  let key: string;
  const cli = (...args: string[]) =>
    run('node', ['src/cli/switchboard.mjs', ...args], { env: { ...process.env, SWITCHBOARD_URL: env.t.url, SWITCHBOARD_API_KEY: key }, timeout: 20_000 });

  beforeAll(async () => {
    env = await startTgEnv({ shared: true });
    key = (await newUser(env.t, 'cli@example.com')).key;
  });
  afterAll(() => env.close());

  it('connects a bot with a token, prints the /link code, issues a fresh one, and pairs with the shared bot', async () => {
    const bot = newBot(env.fake);
    const out = (await cli('integrations', 'connect', '--integration', 'telegram', '--auth-method', 'token', '--token', bot.token)).stdout;
    expect(out).toMatch(/Connected telegram @/);
    expect(out).toMatch(/\/link [A-Z2-9]{10}/);
    expect(out).not.toContain(bot.token);
    const id = /\((int_[^)]+)\)/.exec(out)![1];
    expect((await cli('integrations', 'link-code', id)).stdout).toMatch(/\/link [A-Z2-9]{10}/);
    expect((await cli('integrations', 'connect', '--integration', 'telegram', '--auth-method', 'shared')).stdout).toMatch(/https:\/\/t\.me\/switchboard_shared_bot\?start=/);
  });
});
