import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dm, eventually, fixture, newBot, newUser, startTgEnv, waitSent, type TgEnv } from './env.ts';

describe('Telegram payloads in polling mode', () => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ env: { TELEGRAM_MODE: 'polling' } });
    alice = await newUser(env.t, 'poll-payloads@example.com');
  });
  afterAll(() => env.close());

  it('wrongly typed updates from getUpdates are skipped with a reason: nothing stored, the offset moves past them, the chat keeps answering', async () => {
    const bot = newBot(env.fake);
    const res = await env.t.api('POST', '/v1/integrations', { type: 'telegram', token: bot.token }, alice.key);
    const id = res.body.integration.id as string;
    await env.t.api('PUT', `/v1/profiles/${alice.profileId}/grants/${id}`, undefined, alice.key);
    const me = 5550001;
    env.fake.pushUpdate(bot.token, dm(me, `/link ${res.body.link.code}`));
    expect((await waitSent(env, bot.token, me, 1))[0].text).toMatch(/Linked/);
    const base = fixture('private_text');
    const garbage = [
      { ...base, update_id: 990001, message: { ...base.message, text: 5 } },
      { ...base, update_id: 990002, message: { ...base.message, entities: {} } },
      { ...base, update_id: 990003, message: { ...base.message, chat: null } },
      { ...base, update_id: 990004, message: { ...base.message, from: 'x' } },
    ];
    for (const u of garbage) env.fake.pushUpdate(bot.token, u);
    env.fake.pushUpdate(bot.token, { ...dm(me, 'polled after garbage'), update_id: 990005 });
    expect((await waitSent(env, bot.token, me, 2))[1].text).toBe('echo: polled after garbage');
    const rows = await env.t.hub.db.kysely.selectFrom('inbox').select(['external_event_id', 'status']).where('source', '=', id).orderBy('id').execute();
    expect(rows.map((r) => r.status)).toEqual(['done', 'done']);
    expect(rows.map((r) => r.external_event_id).includes('990001')).toBe(false);
    // The next long poll asks for what comes after the last update, garbage included: no redelivery loop.
    await eventually(() => env.fake.callsOf('getUpdates', bot.token).some((c) => c.body.offset === 990006));
  });
});
