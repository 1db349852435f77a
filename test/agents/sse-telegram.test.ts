import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_UNREACHABLE_REPLY } from '../../src/bus/turn.ts';
import { newWebhookSecret } from '../../src/crypto/standard-webhooks.ts';
import { startFakeAgent, type FakeAgent, type SseStep } from '../fakes/agent-server.ts';
import type { FakeBot } from '../fakes/telegram-api.ts';
import { claim, connectBot, dm, newBot, newUser, postUpdate, startTgEnv, waitSent, type TgEnv } from '../telegram/env.ts';

/** An external HTTP agent that streams, answering a linked person's Telegram DM. */
describe('a streaming HTTP agent in a Telegram DM', () => {
  let env: TgEnv;
  let agent: FakeAgent;
  let bot: FakeBot;
  let tgUser: number;
  let integration: { id: string; secret: string };
  let base = 0;
  const secret = newWebhookSecret();

  beforeAll(async () => {
    agent = await startFakeAgent(secret);
    env = await startTgEnv({ env: { SWITCHBOARD_ALLOW_PRIVATE_URLS: '127.0.0.1' } });
    const user = await newUser(env.t, 'sse-tg@example.com');
    const patched = await env.t.api('PATCH', `/v1/profiles/${user.profileId}`, { agent: { kind: 'http', url: agent.url, secret } }, user.key);
    expect(patched.status).toBe(200);
    bot = newBot(env.fake);
    const c = await connectBot(env, user.key, bot, user.profileId);
    integration = { id: c.id, secret: c.secret };
    tgUser = 600_000 + Math.floor(Math.random() * 1e6);
    await claim(env, bot, c.id, c.secret, c.code, tgUser);
    base = env.fake.sentBy(bot.token, tgUser).length;
  });
  afterAll(async () => {
    await env?.close();
    await agent?.close();
  });

  const say = async (text: string) => expect((await postUpdate(env, integration.id, integration.secret, dm(tgUser, text))).status).toBe(200);
  const replies = async (n: number) => (await waitSent(env, bot.token, tgUser, base + n, 8000)).slice(base);
  const deltas = (words: string[]): SseStep[] => words.map((w) => ({ event: 'delta', data: { text: w }, delayMs: 100 }));

  it('shows the deltas as drafts, then sends the whole text exactly once', async () => {
    const words = ['The ', 'agent ', 'writes ', 'this ', 'answer ', 'word ', 'by ', 'word.'];
    const full = words.join('');
    agent.answer = () => ({ sse: [...deltas(words), { event: 'done', data: { reply: { text: full } } }] });
    await say('stream to me');
    const [reply] = await replies(1);
    expect(reply.text).toBe(full);

    const drafts = env.fake.drafts.filter((d) => d.chat_id === tgUser);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(drafts.map((d) => d.draft_id)).size).toBe(1);
    for (const d of drafts) expect(full.startsWith(d.text)).toBe(true);
    expect(drafts.at(-1)!.at).toBeLessThanOrEqual(reply.at);
    expect(agent.calls.at(-1)!.verified).toBe(true);

    // Nothing more arrives for that turn: the next message's answer is the second message.
    agent.answer = (c) => ({ status: 200, body: { reply: { text: `json: ${c.body.message.text}` } } });
    await say('and in JSON?');
    expect((await replies(2)).map((m) => m.text)).toEqual([full, 'json: and in JSON?']);
    base += 2;
  });

  it('event: error after some text: the person gets the apology and never the partial text', async () => {
    const draftsBefore = env.fake.drafts.length;
    agent.answer = () => ({ sse: [...deltas(['Half ', 'of ', 'an ', 'answer']), { event: 'error', data: { message: 'upstream model failed' }, delayMs: 350 }] });
    await say('this will fail');
    const [reply] = await replies(1);
    expect(reply.text).toBe(AGENT_UNREACHABLE_REPLY);
    // The partial text was only ever a draft.
    expect(env.fake.drafts.slice(draftsBefore).some((d) => d.text.startsWith('Half'))).toBe(true);

    agent.answer = () => ({ status: 200, body: { reply: { text: 'back to normal' } } });
    await say('again');
    expect((await replies(2)).map((m) => m.text)).toEqual([AGENT_UNREACHABLE_REPLY, 'back to normal']);
  });
});
