import { createTelegramAdapter, NO_PACING } from '../adapters/telegram/index.ts';
import { startAgentTgEnv } from '../test/agents/env.ts';
import type { BenchResult } from './run.ts';
import { percentile } from './stats.ts';

const TURNS = Number(process.env.BENCH_HTTP_AGENT_TURNS ?? 40);

/**
 * An external HTTP agent in a Telegram DM against the local fake agent (which answers at once),
 * once answering JSON and once streaming Server-Sent Events: the whole turn from the webhook POST
 * to the final sendMessage (the hub's overhead per turn), and for the stream the time to the first
 * draft. SQLite, one process, Telegram pacing off.
 */
export async function bench(): Promise<BenchResult[]> {
  const h = await startAgentTgEnv({ extraAdapters: { telegram: (deps) => createTelegramAdapter(deps, { pacing: NO_PACING }) } });
  try {
    let sent = 0;
    const turn = async (i: number) => {
      const t0 = Date.now();
      await h.say(`question ${i}`);
      const [last] = (await h.replies(++sent, 10_000)).slice(-1);
      return { t0, ms: last.at - t0 };
    };
    const json: number[] = [];
    h.agent.answer = (c) => ({ status: 200, body: { reply: { text: `JSON answer to ${c.body.message.text}.` } } });
    for (let i = 0; i < TURNS; i++) json.push((await turn(i)).ms);
    const streamed: number[] = [];
    const firstDraft: number[] = [];
    h.agent.answer = (c) => ({ sse: ['Streaming ', 'answer ', `to ${c.body.message.text}.`].map((text) => ({ event: 'delta', data: { text } })) });
    for (let i = 0; i < TURNS; i++) {
      const drafts = h.env.fake.drafts.length;
      const { t0, ms } = await turn(i);
      streamed.push(ms);
      const d = h.env.fake.drafts.slice(drafts)[0];
      if (d) firstDraft.push(d.at - t0);
    }
    return [
      { name: 'http agent, JSON: hub overhead per turn p50', value: percentile(json, 50), unit: 'ms' },
      { name: 'http agent, JSON: hub overhead per turn p95', value: percentile(json, 95), unit: 'ms' },
      { name: 'http agent, SSE: time to first draft p50', value: percentile(firstDraft, 50), unit: 'ms' },
      { name: 'http agent, SSE: time to first draft p95', value: percentile(firstDraft, 95), unit: 'ms' },
      { name: 'http agent, SSE: hub overhead per turn p50', value: percentile(streamed, 50), unit: 'ms' },
      { name: 'http agent, SSE: hub overhead per turn p95', value: percentile(streamed, 95), unit: 'ms' },
    ];
  } finally {
    await h.close();
  }
}
