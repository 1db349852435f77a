import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/db.ts';
import { claim, connectBot, dm, eventually, fixture, groupMsg, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

describe.each(DIALECTS)('Telegram routing on %s', (dialect) => {
  let env: TgEnv;
  let alice: Awaited<ReturnType<typeof newUser>>;

  beforeAll(async () => {
    env = await startTgEnv({ dialect });
    alice = await newUser(env.t, `alice-r-${dialect}@example.com`);
  });
  afterAll(() => env.close());

  it('two bots granted to two profiles each answer through their own bot', async () => {
    const second = (await env.t.api('POST', '/v1/profiles', { name: 'second' }, alice.key)).body.profile.id;
    const botA = newBot(env.fake);
    const botB = newBot(env.fake);
    const a = await connectBot(env, alice.key, botA, alice.profileId);
    const b = await connectBot(env, alice.key, botB, second);
    const me = 5100001;
    await claim(env, botA, a.id, a.secret, a.code, me);
    await claim(env, botB, b.id, b.secret, b.code, me);
    await postUpdate(env, a.id, a.secret, dm(me, 'to A'));
    await postUpdate(env, b.id, b.secret, dm(me, 'to B'));
    const viaA = await waitSent(env, botA.token, me, 2);
    const viaB = await waitSent(env, botB.token, me, 2);
    expect(viaA.map((s) => s.text)).toEqual([expect.stringMatching(/Linked/), 'echo: to A']);
    expect(viaB.map((s) => s.text)).toEqual([expect.stringMatching(/Linked/), 'echo: to B']);
    // "typing…" was shown through each bot while its agent worked.
    expect(env.fake.callsOf('sendChatAction', botA.token).some((c) => c.body.chat_id === me && c.body.action === 'typing')).toBe(true);
    expect(env.fake.callsOf('sendChatAction', botB.token).length).toBeGreaterThan(0);
    const log = (await env.t.api('GET', '/v1/messages?type=user_message', undefined, alice.key)).body.messages;
    expect(log.find((m: any) => m.text === 'to A').profile_id).toBe(alice.profileId);
    expect(log.find((m: any) => m.text === 'to B').profile_id).toBe(second);
  });

  it('posting the same update_id three times gives one reply', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5100002;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const u = dm(me, 'only once');
    const answers = await Promise.all([1, 2, 3].map(() => postUpdate(env, c.id, c.secret, u)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === false).length).toBe(1);
    await postUpdate(env, c.id, c.secret, u);
    await waitSent(env, bot.token, me, 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(env.fake.sentBy(bot.token, me).filter((s) => s.text === 'echo: only once').length).toBe(1);
  });

  it('in groups answers only when mentioned or replied to; forum topics are their own threads', async () => {
    const bot = newBot(env.fake, 'switchboard_test_bot');
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5100003;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const group = -100555;
    await postUpdate(env, c.id, c.secret, groupMsg(group, me, 'just chatting'));
    await postUpdate(env, c.id, c.secret, groupMsg(group, me, '@switchboard_test_bot status?', { entities: [{ type: 'mention', offset: 0, length: 21 }] }));
    const first = await waitSent(env, bot.token, group, 1);
    expect(first[0].text).toBe('echo: status?');
    const botMsg = first[0].message_id;
    await postUpdate(env, c.id, c.secret, groupMsg(group, me, 'and now?', { reply_to_message: { message_id: botMsg, from: { id: bot.id, is_bot: true, first_name: 'b' }, chat: { id: group, type: 'supergroup' }, date: 1, text: 'echo: status?' } }));
    expect((await waitSent(env, bot.token, group, 2))[1].text).toBe('echo: and now?');
    await new Promise((r) => setTimeout(r, 200));
    expect(env.fake.sentBy(bot.token, group).length).toBe(2);
    // Forum topic (a real update shape, sender switched to the linked owner).
    const topic = fixture('forum_topic');
    topic.update_id = 99001;
    topic.message.from.id = me;
    await postUpdate(env, c.id, c.secret, topic);
    const inTopic = await waitSent(env, bot.token, topic.message.chat.id, 1);
    expect(inTopic[0].message_thread_id).toBe(400);
    expect(inTopic[0].text).toBe('echo: deploy log please');
    const threads = await env.t.hub.db.kysely.selectFrom('threads').select(['external_key', 'integration_id']).where('integration_id', '=', c.id).execute();
    expect(threads.map((t) => t.external_key).sort()).toEqual([`${group}`, `${topic.message.chat.id}:400`].sort());
  });

  it('normalizes photos, documents, replies and edits; ignores unsupported updates; /new starts a fresh thread', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5550001; // the fixtures' sender
    await claim(env, bot, c.id, c.secret, c.code, me);
    for (const [i, name] of ['photo_caption', 'document', 'edited', 'callback_query', 'my_chat_member'].entries()) {
      const u = fixture(name);
      u.update_id = 77000 + i;
      expect((await postUpdate(env, c.id, c.secret, u)).status).toBe(200);
    }
    await waitSent(env, bot.token, me, 4);
    const log = await eventually(async () => {
      const l = (await env.t.api('GET', '/v1/messages?type=user_message&limit=50', undefined, alice.key)).body.messages;
      return l.filter((m: any) => m.meta?.channel === 'telegram' && m.thread_id).length >= 3 ? l : undefined;
    });
    const photo = log.find((m: any) => m.text === 'look at this');
    expect(photo.meta.attachments).toEqual([{ kind: 'photo', id: 'AgACAgQAAxkBAAIBPhot-large', size: 52000 }]);
    const doc = log.find((m: any) => m.meta.attachments?.[0]?.kind === 'document');
    expect(doc.meta.attachments[0]).toMatchObject({ id: 'BQACAgQAAxkBAAIBDoc', name: 'report.pdf', mimeType: 'application/pdf' });
    expect(log.find((m: any) => m.text === 'hello there, edited').meta.edited).toBe(true);
    const inbox = await env.t.hub.db.kysely.selectFrom('inbox').select(['status', 'last_error']).where('source', '=', c.id).where('external_event_id', 'in', ['77003', '77004']).execute();
    expect(inbox.map((r) => r.status)).toEqual(['ignored', 'ignored']);
    expect(inbox.map((r) => r.last_error).join()).toMatch(/unsupported update type callback_query/);
    // /new: a new thread for the same chat.
    const threadOf = async () => (await env.t.hub.db.kysely.selectFrom('threads').select(['id', 'external_key']).where('integration_id', '=', c.id).orderBy('created_at', 'desc').execute());
    const before = await threadOf();
    await postUpdate(env, c.id, c.secret, dm(me, '/new'));
    expect((await waitSent(env, bot.token, me, 5))[4].text).toMatch(/new conversation/);
    await postUpdate(env, c.id, c.secret, dm(me, 'fresh start'));
    await waitSent(env, bot.token, me, 6);
    const after = await threadOf();
    expect(after.length).toBe(before.length + 1);
    expect(after[0].external_key).toBe(`${me}#1`);
  });
});
