import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_UNREACHABLE_REPLY } from '../../src/bus/turn.ts';
import type { SseStep } from '../fakes/agent-server.ts';
import { startAgentTgEnv, type AgentTgEnv } from './env.ts';

/** An external HTTP agent that streams, answering a linked person's Telegram DM. */
describe('a streaming HTTP agent in a Telegram DM', () => {
  let h: AgentTgEnv;
  beforeAll(async () => {
    h = await startAgentTgEnv();
  });
  afterAll(async () => h?.close());

  const deltas = (words: string[]): SseStep[] => words.map((w) => ({ event: 'delta', data: { text: w }, delayMs: 100 }));

  it('shows the deltas as drafts, then sends the whole text exactly once', async () => {
    const words = ['The ', 'agent ', 'writes ', 'this ', 'answer ', 'word ', 'by ', 'word.'];
    const full = words.join('');
    h.agent.answer = () => ({ sse: [...deltas(words), { event: 'done', data: { reply: { text: full } } }] });
    await h.say('stream to me');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe(full);

    const drafts = h.env.fake.drafts.filter((d) => d.chat_id === h.tgUser);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(drafts.map((d) => d.draft_id)).size).toBe(1);
    for (const d of drafts) expect(full.startsWith(d.text)).toBe(true);
    expect(drafts.at(-1)!.at).toBeLessThanOrEqual(reply.at);
    expect(h.agent.calls.at(-1)!.verified).toBe(true);

    // Nothing more arrives for that turn: the next message's answer is the second message.
    h.agent.answer = (c) => ({ status: 200, body: { reply: { text: `json: ${c.body.message.text}` } } });
    await h.say('and in JSON?');
    expect((await h.replies(2)).map((m) => m.text)).toEqual([full, 'json: and in JSON?']);
  });

  it('event: error after some text: the person gets the apology and never the partial text', async () => {
    const draftsBefore = h.env.fake.drafts.length;
    h.agent.answer = () => ({ sse: [...deltas(['Half ', 'of ', 'an ', 'answer']), { event: 'error', data: { message: 'upstream model failed' }, delayMs: 350 }] });
    await h.say('this will fail');
    const [, , reply] = await h.replies(3);
    expect(reply.text).toBe(AGENT_UNREACHABLE_REPLY);
    // The partial text was only ever a draft.
    expect(h.env.fake.drafts.slice(draftsBefore).some((d) => d.text.startsWith('Half'))).toBe(true);

    h.agent.answer = () => ({ status: 200, body: { reply: { text: 'back to normal' } } });
    await h.say('again');
    expect((await h.replies(4)).map((m) => m.text).slice(2)).toEqual([AGENT_UNREACHABLE_REPLY, 'back to normal']);
  });
});
