import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { AgentTurn } from '../bus/runtimes/types.ts';
import { DEFAULT_HISTORY_TOKENS, type LlmSettings } from './settings.ts';

/** Characters per token, roughly, for the history budget. */
const CHARS_PER_TOKEN = 4;

/**
 * The messages a turn starts from: the profile's system prompt; the thread's recent history, newest
 * kept first, bounded by `max_history` and a rough token budget ({@link DEFAULT_HISTORY_TOKENS});
 * the notification the person answers (a claim) or the event that fired (trigger turns); then the
 * person's message.
 */
export function buildContext(s: LlmSettings, turn: AgentTurn, historyTokens = DEFAULT_HISTORY_TOKENS): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (s.system) out.push({ role: 'system', content: s.system });
  let history = turn.history;
  // A turn run again after a crash finds its own message already in the thread's history.
  const last = history.at(-1);
  if (last && last.role === 'user' && last.text === turn.message.text) history = history.slice(0, -1);
  history = history.slice(Math.max(0, history.length - s.maxHistory));
  const kept: ChatCompletionMessageParam[] = [];
  let budget = historyTokens * CHARS_PER_TOKEN;
  for (let i = history.length - 1; i >= 0; i--) {
    budget -= history[i].text.length;
    if (budget < 0) break;
    kept.unshift(history[i].role === 'user' ? { role: 'user', content: history[i].text } : { role: 'assistant', content: history[i].text });
  }
  out.push(...kept);
  if (turn.claim) {
    const subject = turn.claim.subject ? ` (subject: ${turn.claim.subject})` : '';
    out.push({ role: 'system', content: `The person is answering this notification you sent them${subject}:\n\n${turn.claim.message}` });
  }
  if (turn.event) {
    out.push({ role: 'system', content: `This turn was started by the event ${turn.event.type}. Its payload:\n\n${JSON.stringify(turn.event.payload, null, 2).slice(0, 32_000)}` });
  }
  out.push({ role: 'user', content: turn.message.text });
  return out;
}
