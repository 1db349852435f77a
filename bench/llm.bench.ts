import { createTelegramAdapter, NO_PACING } from '../adapters/telegram/index.ts';
import { startLlmTgEnv } from '../test/llm/env.ts';
import type { BenchResult } from './run.ts';
import { percentile } from './stats.ts';

const TURNS = Number(process.env.BENCH_LLM_TURNS ?? 40);

/**
 * The built-in llm agent in a Telegram DM against the local fake model (which answers at once):
 * time from the webhook POST to the first streamed draft (time to first token as the person sees
 * it), and the whole turn to the final sendMessage, which with an instant model is the hub's own
 * overhead per turn (inbox, routing, history, the model client, the outbox, the Bot API call).
 * SQLite, one process, Telegram pacing off so turns are not held to 1 message/s per chat.
 */
export async function bench(): Promise<BenchResult[]> {
  const h = await startLlmTgEnv({}, {}, { extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) } });
  try {
    const firstToken: number[] = [];
    const turn: number[] = [];
    for (let i = 0; i < TURNS; i++) {
      h.model.script({ kind: 'text', chunks: ['Streaming ', 'answer ', `number ${i}.`] });
      const drafts = h.env.fake.drafts.length;
      const t0 = Date.now();
      await h.say(`question ${i}`);
      const [last] = (await h.replies(i + 1, 10_000)).slice(-1);
      turn.push(last.at - t0);
      const d = h.env.fake.drafts.slice(drafts)[0];
      if (d) firstToken.push(d.at - t0);
    }
    return [
      { name: 'llm: time to first streamed draft p50', value: percentile(firstToken, 50), unit: 'ms' },
      { name: 'llm: time to first streamed draft p95', value: percentile(firstToken, 95), unit: 'ms' },
      { name: 'llm: hub overhead per turn (instant model) p50', value: percentile(turn, 50), unit: 'ms' },
      { name: 'llm: hub overhead per turn (instant model) p95', value: percentile(turn, 95), unit: 'ms' },
    ];
  } finally {
    await h.close();
  }
}
