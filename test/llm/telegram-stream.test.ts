import { afterEach, describe, expect, it } from 'vitest';
import { startLlmTgEnv, type LlmTgEnv } from './env.ts';

describe('llm agent in a Telegram DM', () => {
  let h: LlmTgEnv;
  afterEach(async () => h?.close());

  it('streams the answer as drafts, at least 300 ms apart, then sends the whole text once', async () => {
    h = await startLlmTgEnv();
    const chunks = ['The ', 'quick ', 'brown ', 'fox ', 'jumps ', 'over ', 'the ', 'lazy ', 'dog.'];
    h.model.script({ kind: 'text', chunks, delayMs: 100 });
    await h.say('tell me about the fox');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe(chunks.join(''));

    const drafts = h.env.fake.drafts.filter((d) => d.chat_id === h.tgUser);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(drafts.map((d) => d.draft_id)).size).toBe(1);
    for (const d of drafts) expect(chunks.join('').startsWith(d.text)).toBe(true);
    // Drafts leave the hub at least 300 ms apart; arrival times carry network jitter, so bound the
    // count over the whole span (allowing 150 ms of jitter) rather than each gap.
    const span = drafts.at(-1)!.at - drafts[0].at;
    expect(drafts.length - 1).toBeLessThanOrEqual(Math.floor((span + 150) / 300));
    // Every draft came before the final message.
    expect(drafts.at(-1)!.at).toBeLessThanOrEqual(reply.at);

    // The model saw the person's message and the key from OPENAI_API_KEY.
    const req = h.model.requests[0];
    expect(req.body.stream).toBe(true);
    expect(req.body.messages.at(-1)).toEqual({ role: 'user', content: 'tell me about the fox' });
    expect(req.authorization).toBe('Bearer sk-env-default-key');

    // Nothing more arrives for the first message: the next one's answer is the second message.
    h.model.script({ kind: 'text', chunks: ['second answer'] });
    await h.say('and now?');
    const both = await h.replies(2);
    expect(both.map((m) => m.text)).toEqual([chunks.join(''), 'second answer']);
    // The second turn's history holds the first exchange.
    expect(h.model.requests[1].body.messages.map((m: any) => m.content)).toEqual(['tell me about the fox', chunks.join(''), 'and now?']);
  });

  it('does not stream when the profile turns streaming off', async () => {
    h = await startLlmTgEnv({ stream: false, system: 'You are terse.' });
    h.model.script({ kind: 'text', chunks: ['a', 'b', 'c'], delayMs: 150 });
    await h.say('hi');
    const [reply] = await h.replies(1);
    expect(reply.text).toBe('abc');
    expect(h.env.fake.drafts).toHaveLength(0);
    expect(h.model.requests[0].body.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
  });
});
