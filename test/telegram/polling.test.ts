import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dm, eventually, newBot, newUser, startTgEnv, waitSent, type TgEnv } from './env.ts';

describe('Telegram polling mode', () => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ env: { TELEGRAM_MODE: 'polling' } });
    alice = await newUser(env.t, 'poller@example.com');
  });
  afterAll(() => env.close());

  async function connect() {
    const bot = newBot(env.fake);
    const res = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, alice.key);
    expect(res.status).toBe(201);
    await env.t.api('PUT', `/v1/profiles/${alice.profileId}/grants/${res.body.integration.id}`, undefined, alice.key);
    return { bot, id: res.body.integration.id as string, code: res.body.link.code as string };
  }

  it('polls getUpdates per bot, through the same inbox, with no webhook', async () => {
    const { bot, id, code } = await connect();
    expect(env.fake.callsOf('deleteWebhook', bot.token).length).toBe(1);
    expect(env.fake.callsOf('setWebhook', bot.token).length).toBe(0);
    env.fake.pushUpdate(bot.token, dm(5400001, `/link ${code}`));
    expect((await waitSent(env, bot.token, 5400001, 1))[0].text).toMatch(/Linked/);
    env.fake.pushUpdate(bot.token, dm(5400001, 'polled hello'));
    expect((await waitSent(env, bot.token, 5400001, 2))[1].text).toBe('echo: polled hello');
    const rows = await env.t.hub.db.kysely.selectFrom('inbox').select('source').where('source', '=', id).execute();
    expect(rows.length).toBe(2);
    // Its webhook route refuses updates: this bot polls.
    expect((await fetch(`${env.t.url}/api/telegram/${id}/webhook`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('stops on a 409 conflict instead of looping, and marks the bot unhealthy', async () => {
    const { bot, id } = await connect();
    await eventually(() => env.fake.callsOf('getUpdates', bot.token).length > 0);
    env.fake.webhooks.set(bot.token, { url: 'https://elsewhere.example/hook' });
    const row = await eventually(async () => {
      const list = (await env.t.api('GET', '/v1/integrations', undefined, alice.key)).body.integrations;
      return list.find((i: any) => i.id === id && i.status === 'unhealthy');
    }, 5000);
    expect(row.status_reason).toMatch(/409/);
    const calls = env.fake.callsOf('getUpdates', bot.token).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(env.fake.callsOf('getUpdates', bot.token).length).toBe(calls);
  });
});
