import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { FakeOpenAI } from '../fakes/openai-api.ts';
import { FakeTelegram } from '../fakes/telegram-api.ts';
import { DIALECTS, freshDatabase } from '../helpers/db.ts';
import { startReplica as startChild } from '../replicas/replica.ts';
import { eventually, type TestHub } from '../helpers/hub.ts';
import { claim, connectBot, dm, newBot, postUpdate, waitSent, type TgEnv } from '../telegram/env.ts';

const ADMIN = 'sb_llm_crash_admin_key_000000000';


/** The few TestHub parts the Telegram helpers use, for a hub in a child process. */
function remoteHub(url: string): TestHub {
  return {
    url,
    adminKey: ADMIN,
    async api(method: string, path: string, body?: unknown, key = ADMIN) {
      const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
  } as TestHub;
}

describe.each(DIALECTS)('llm turn interrupted by a crash on %s', (dialect) => {
  let env: Record<string, string>;
  let drop: () => Promise<void>;
  let model: FakeOpenAI;
  let telegram: FakeTelegram;

  beforeAll(async () => {
    const db = await freshDatabase(dialect);
    drop = db.drop;
    model = await new FakeOpenAI().start();
    telegram = await new FakeTelegram().start();
    env = {
      DATA_DIR: db.dataDir,
      DATABASE_URL: db.url,
      SWITCHBOARD_MASTER_KEY: generateMasterKey(),
      SWITCHBOARD_ADMIN_KEY: ADMIN,
      SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1',
      TELEGRAM_API_ROOT: telegram.url,
      PUBLIC_URL: 'http://127.0.0.1:9',
      OPENAI_BASE_URL: model.baseUrl,
      LEASE_MS: '800',
    };
  });
  afterAll(async () => {
    await model.close();
    await telegram.close();
    await drop();
  });

  it('a hub killed with SIGKILL while the model streams still sends the whole answer exactly once after restart', async () => {
    let { child, url } = await startChild(env);
    try {
      let tg: TgEnv = { t: remoteHub(url), fake: telegram, close: async () => {} };
      const user = await tg.t.api('POST', '/v1/users', { email: 'crash@example.com' });
      const key = user.body.api_key as string;
      const profileId = (await tg.t.api('GET', '/v1/profiles', undefined, key)).body.profiles[0].id as string;
      expect((await tg.t.api('PATCH', `/v1/profiles/${profileId}`, { agent: { kind: 'llm', model: 'test-model' } }, key)).status).toBe(200);
      const bot = newBot(telegram);
      const c = await connectBot(tg, key, bot, profileId);
      const person = 4242;
      await claim(tg, bot, c.id, c.secret, c.code, person);
      const base = telegram.sentBy(bot.token, person).length;

      // The first run streams one chunk, then the model holds: the hub dies mid-stream.
      model.script({ kind: 'text', chunks: ['Half of ', 'an answer'], holdAfter: 1 }, { kind: 'text', chunks: ['The whole ', 'answer.'] });
      expect((await postUpdate(tg, c.id, c.secret, dm(person, 'explain it'))).status).toBe(200);
      await eventually(() => telegram.drafts.some((d) => d.chat_id === person && d.text === 'Half of '));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      expect(telegram.sentBy(bot.token, person)).toHaveLength(base);

      ({ child, url } = await startChild(env));
      tg = { t: remoteHub(url), fake: telegram, close: async () => {} };
      const [answer] = (await waitSent(tg, bot.token, person, base + 1, 10_000)).slice(base);
      expect(answer.text).toBe('The whole answer.');
      expect(model.requests).toHaveLength(2);

      // Nothing more arrives for it: the next message's answer is the next one sent.
      model.script({ kind: 'text', chunks: ['next answer'] });
      await postUpdate(tg, c.id, c.secret, dm(person, 'and then?'));
      const after = (await waitSent(tg, bot.token, person, base + 2, 10_000)).slice(base);
      expect(after.map((m) => m.text)).toEqual(['The whole answer.', 'next answer']);
      // The log says what happened: one user message, one answer, no "interrupted" apology.
      const log = await tg.t.api('GET', '/v1/messages?limit=50', undefined, key);
      const texts = log.body.messages.map((m: any) => `${m.type}:${m.text}`);
      expect(texts.filter((t: string) => t === 'user_message:explain it')).toHaveLength(1);
      expect(texts.some((t: string) => t.includes('interrupted'))).toBe(false);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
  }, 40_000);
});
