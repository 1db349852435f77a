import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, NO_PACING } from '../../adapters/telegram/index.ts';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent } from '../fakes/agent-server.ts';
import { DIALECTS } from '../helpers/db.ts';
import { claim, connectBot, dm, eventually, fixture, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from './env.ts';

let seq = 880_000;
/** A fixture with a fresh update_id (each test posts its own copy). */
const fresh = (name: string, patch: (u: any) => void = () => {}) => {
  const u = fixture(name);
  u.update_id = ++seq;
  patch(u);
  return u;
};

describe.each(DIALECTS)('Telegram payloads on %s', (dialect) => {
  let env: TgEnv;
  let agent: FakeAgent;
  let alice: Awaited<ReturnType<typeof newUser>>;
  const agentSecret = newWebhookSecret();

  beforeAll(async () => {
    agent = await startFakeAgent(agentSecret);
    env = await startTgEnv({
      dialect,
      env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' },
      extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) },
    });
    alice = await newUser(env.t, `alice-payloads-${dialect}@example.com`);
  });
  afterAll(async () => {
    await env.close();
    await agent.close();
  });

  const inboxOf = (source: string) =>
    env.t.hub.db.kysely.selectFrom('inbox').select(['external_event_id', 'status', 'last_error']).where('source', '=', source).orderBy('id').execute();

  it('voice, audio, video, video notes, stickers, GIFs, places and contacts reach the agent as attachments and parts with a readable text; service messages are ignored with a reason', async () => {
    const remote = await env.t.api('POST', '/v1/profiles', { name: `remote-${dialect}`, agent: { kind: 'http', url: agent.url, secret: agentSecret } }, alice.key);
    expect(remote.status).toBe(201);
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, remote.body.profile.id);
    const me = 5550001; // the fixtures' sender and DM chat
    await claim(env, bot, c.id, c.secret, c.code, me);
    const content = ['voice', 'audio', 'video', 'video_note', 'sticker', 'animation', 'location', 'venue', 'contact'];
    const service = ['pinned_message', 'auto_delete_timer', 'new_chat_title', 'forum_topic_created'];
    const ids: Record<string, string> = {};
    for (const name of [...content, ...service]) {
      const u = fresh(name);
      ids[name] = String(u.update_id);
      expect((await postUpdate(env, c.id, c.secret, u)).status).toBe(200);
    }
    // A live location keeps arriving as edits of the first message while it runs: those are not turns.
    const live = fresh('location', (u) => {
      u.edited_message = { ...u.message, edit_date: u.message.date + 30, location: { latitude: 52.5201, longitude: 13.405, live_period: 900, horizontal_accuracy: 12.5 } };
      delete u.message;
    });
    ids.live = String(live.update_id);
    await postUpdate(env, c.id, c.secret, live);
    await postUpdate(env, c.id, c.secret, dm(me, 'after the service messages'));
    await waitSent(env, bot.token, me, 1 + content.length + 1);
    const calls = agent.calls.filter((call) => call.body.message.integrationId === c.id);
    expect(calls.map((call) => call.body.message.text)).toEqual([
      '[voice message, 3 s]',
      '[audio standup.mp3, 184 s]',
      '[video demo.mp4, 12 s]',
      '[video message, 7 s]',
      '[sticker 👍]',
      '[GIF party.mp4]',
      '[location 52.520008, 13.404954]',
      '[venue Brandenburger Tor, Pariser Platz, 10117 Berlin (52.516275, 13.377704)]',
      '[contact Grace Hopper, +4915112345678]',
      'after the service messages',
    ]);
    const msg = (i: number) => calls[i].body.message;
    expect(msg(0).attachments).toEqual([{ kind: 'voice', id: 'AwACAgQAAxkBAAIBVoice', mimeType: 'audio/ogg', size: 11520, durationSeconds: 3 }]);
    expect(msg(1).attachments).toEqual([{ kind: 'audio', id: 'CQACAgQAAxkBAAIBAudio', name: 'standup.mp3', mimeType: 'audio/mpeg', size: 2949120, durationSeconds: 184 }]);
    expect(msg(2).attachments).toEqual([{ kind: 'video', id: 'BAACAgQAAxkBAAIBVideo', name: 'demo.mp4', mimeType: 'video/mp4', size: 1843200, durationSeconds: 12 }]);
    expect(msg(3).attachments).toEqual([{ kind: 'video_note', id: 'DQACAgQAAxkBAAIBNote', size: 412000, durationSeconds: 7 }]);
    expect(msg(4).attachments).toEqual([{ kind: 'sticker', id: 'CAACAgIAAxkBAAIBSticker', size: 22476, emoji: '👍' }]);
    // A GIF also carries a `document` copy for old clients: one attachment, not two.
    expect(msg(5).attachments).toEqual([{ kind: 'animation', id: 'CgACAgQAAxkBAAIBAnim', name: 'party.mp4', mimeType: 'video/mp4', size: 98304, durationSeconds: 3 }]);
    expect(msg(6).parts).toEqual([{ kind: 'location', latitude: 52.520008, longitude: 13.404954 }]);
    expect(msg(7).parts).toEqual([{ kind: 'venue', latitude: 52.516275, longitude: 13.377704, title: 'Brandenburger Tor', address: 'Pariser Platz, 10117 Berlin' }]);
    expect(msg(8).parts).toEqual([{ kind: 'contact', phoneNumber: '+4915112345678', firstName: 'Grace', lastName: 'Hopper', userId: '5550002' }]);
    expect(msg(9).parts).toBeUndefined();
    // Never a blank turn: no agent call and no reply without text.
    expect(env.fake.sentBy(bot.token, me).every((s) => s.text.trim() !== 'agent:')).toBe(true);
    const rows = await inboxOf(c.id);
    const reasonOf = (name: string) => rows.find((r) => r.external_event_id === ids[name]);
    expect(reasonOf('pinned_message')).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/service message \(pinned_message\)/) });
    expect(reasonOf('auto_delete_timer')).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/service message \(message_auto_delete_timer_changed\)/) });
    expect(reasonOf('new_chat_title')).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/service message \(new_chat_title\)/) });
    expect(reasonOf('live')).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/live location update/) });
    expect(reasonOf('forum_topic_created')).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/service message \(forum_topic_created\)/) });
  });

  it('authenticated garbage is ignored with a reason on the first try: 200, nothing stored, and the chat keeps answering', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5550001;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const stored = async () => (await inboxOf(c.id)).length;
    const before = await stored();
    const garbage: [string, unknown][] = [
      ['text: 5', fresh('private_text', (u) => (u.message.text = 5))],
      ['entities: {}', fresh('private_command', (u) => (u.message.entities = {}))],
      ['photo: [null]', fresh('photo_caption', (u) => (u.message.photo = [null]))],
      ['from: "x"', fresh('private_text', (u) => (u.message.from = 'x'))],
      ['chat: null', fresh('private_text', (u) => (u.message.chat = null))],
      ['no update_id', fresh('private_text', (u) => delete u.update_id)],
      ['update_id: "12"', fresh('private_text', (u) => (u.update_id = '12'))],
      ['message: "hi"', { update_id: ++seq, message: 'hi' }],
      ['no message_id', fresh('private_text', (u) => delete u.message.message_id)],
      ['reply_to_message.message_id: "x"', fresh('reply', (u) => (u.message.reply_to_message.message_id = 'x'))],
      ['caption_entities without offset', fresh('photo_caption', (u) => (u.message.caption_entities = [{ type: 'mention', length: 3 }]))],
      ['document: []', fresh('document', (u) => (u.message.document = []))],
      ['location: "here"', fresh('location', (u) => (u.message.location = 'here'))],
      ['an array', [1, 2, 3]],
    ];
    for (const [what, body] of garbage) {
      const r = await postUpdate(env, c.id, c.secret, body);
      expect([what, r.status]).toEqual([what, 200]);
      expect([what, typeof r.body.ignored]).toEqual([what, 'string']);
    }
    expect(await stored()).toBe(before);
    // A good message in the same chat is answered at once: nothing queued behind the garbage.
    await postUpdate(env, c.id, c.secret, dm(me, 'still answered'));
    const sent = await waitSent(env, bot.token, me, 2);
    expect(sent.map((s) => s.text)).toEqual([expect.stringMatching(/Linked/), 'echo: still answered']);
    expect((await inboxOf(c.id)).map((r) => r.status)).toEqual(['done', 'done']);
  });

  it('a wrongly typed update already in the inbox (an older hub committed it) is ignored with its reason, never retried', async () => {
    const bot = newBot(env.fake);
    const c = await connectBot(env, alice.key, bot, alice.profileId);
    const me = 5550001;
    await claim(env, bot, c.id, c.secret, c.code, me);
    const bad = fresh('private_text', (u) => (u.message.entities = {}));
    await env.t.hub.bus.appendInbound([{ channel: 'telegram', source: c.id, externalEventId: String(bad.update_id), orderingKey: `telegram|${c.id}|${me}`, payload: bad }]);
    await postUpdate(env, c.id, c.secret, dm(me, 'after the old row'));
    expect((await waitSent(env, bot.token, me, 2))[1].text).toBe('echo: after the old row');
    const row = (await inboxOf(c.id)).find((r) => r.external_event_id === String(bad.update_id));
    expect(row).toMatchObject({ status: 'ignored', last_error: expect.stringMatching(/message\.entities/) });
  });
});
