import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, NO_PACING } from '../../adapters/telegram/index.ts';
import { DIALECTS } from '../helpers/db.ts';
import { claim, connectBot, dm, eventually, fixture, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

/** The group of the migration fixtures and the supergroup it becomes. */
const OLD = -4012345678;
const NEW = -1002012345678;

describe.each(DIALECTS)('Telegram group → supergroup migration on %s', (dialect) => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ dialect, extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) } });
    alice = await newUser(env.t, `alice-migrate-${dialect}@example.com`);
  });
  afterAll(() => env.close());

  /** A message from `from` in a chat (a basic group unless told). */
  const inChat = (chatId: number, from: number, text: string, extra: Record<string, unknown> = {}) => {
    const u = dm(from, text, extra);
    u.message.chat = { id: chatId, title: 'Ops', type: chatId === OLD ? 'group' : 'supergroup' };
    return u;
  };
  const logged = (text: string) =>
    eventually(async () => (await env.t.api('GET', '/v1/messages?type=user_message&limit=100', undefined, alice.key)).body.messages.find((m: any) => m.text === text));

  it('the conversation, its /new generation and its claims follow the group to its supergroup id', async () => {
    const bot = newBot(env.fake, `migr_${dialect}_bot`);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5550001;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const at = `@${bot.username}`;
    await postUpdate(env, c.id, c.secret, inChat(OLD, me, `${at} hello group`));
    expect((await waitSent(env, bot.token, OLD, 1))[0].text).toBe('echo: hello group');
    await postUpdate(env, c.id, c.secret, inChat(OLD, me, `/new@${bot.username}`));
    expect((await waitSent(env, bot.token, OLD, 2))[1].text).toMatch(/new conversation \(#1\)/);
    await postUpdate(env, c.id, c.secret, inChat(OLD, me, `${at} first of #1`));
    const botMessage = (await waitSent(env, bot.token, OLD, 3))[2];
    // Another group whose id merely starts with the same digits stays where it is.
    const NEIGHBOUR = Number(`${OLD}9`);
    await postUpdate(env, c.id, c.secret, inChat(NEIGHBOUR, me, `${at} next door`));
    await waitSent(env, bot.token, NEIGHBOUR, 1);
    // A claimed notification posted in the group by another profile.
    const claimer = await env.t.api('POST', '/v1/profiles', { name: `claimer-${dialect}` }, alice.key);
    await env.t.api('PUT', `/v1/profiles/${claimer.body.profile.id}/grants/${c.id}`, undefined, alice.key);
    const n = await env.t.api('POST', '/v1/notify', { channel: `telegram:${c.id}`, message: 'Deploy 7 is waiting. Go?', claim: true }, claimer.body.token);
    expect(n.status).toBe(202);
    await env.t.hub.store.claims.record(c.id, [`${OLD}:${botMessage.message_id}`], { notificationId: n.body.notification.id, profileId: claimer.body.profile.id, userId: alice.id });

    const to = fixture('migrate_to_chat_id');
    const from = fixture('migrate_from_chat_id');
    expect((await postUpdate(env, c.id, c.secret, to)).status).toBe(200);
    expect((await postUpdate(env, c.id, c.secret, from)).status).toBe(200);
    await postUpdate(env, c.id, c.secret, inChat(NEW, me, `${at} still the same thread?`));
    expect((await waitSent(env, bot.token, NEW, 1))[0].text).toBe('echo: still the same thread?');
    expect((await logged('still the same thread?')).thread_id).toBe((await logged(`${at} first of #1`.replace(`${at} `, ''))).thread_id);
    const threads = await env.t.hub.db.kysely.selectFrom('threads').select('external_key').where('integration_id', '=', c.id).where('external_key', 'like', '-%').execute();
    expect(threads.map((t) => t.external_key).sort()).toEqual([`${NEW}`, `${NEW}#1`, `${NEIGHBOUR}`].sort());

    // A reply in the supergroup to the claimed message goes to the profile that sent the notification.
    const reply = inChat(NEW, me, 'go ahead', { reply_to_message: { message_id: botMessage.message_id, from: { id: bot.id, is_bot: true, first_name: 'b' }, chat: { id: NEW, type: 'supergroup' }, date: 1, text: botMessage.text } });
    await postUpdate(env, c.id, c.secret, reply);
    await waitSent(env, bot.token, NEW, 2);
    const answered = await logged('go ahead');
    expect(answered.profile_id).toBe(claimer.body.profile.id);
    expect(answered.meta.claim).toBe(n.body.notification.id);
    const rows = await eventually(async () => {
      const r = await env.t.hub.db.kysely.selectFrom('inbox').select(['status', 'last_error']).where('source', '=', c.id).where('external_event_id', 'in', [String(to.update_id), String(from.update_id)]).execute();
      return r.length === 2 && r.every((x) => x.status !== 'pending' && x.status !== 'processing') ? r : undefined;
    });
    expect(rows!.map((r) => r.status)).toEqual(['done', 'done']);
    expect(rows!.map((r) => r.last_error).join(' ')).toMatch(new RegExp(`${OLD} became supergroup ${NEW}`));
  });
});
