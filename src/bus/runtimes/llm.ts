import type { ProfileRow } from '../../store/profiles.ts';
import type { Store } from '../../store/index.ts';
import { parseJson } from '../../store/json.ts';
import type { ToolDeps } from '../../mcp/tool-registry.ts';
import { buildContext } from '../../llm/context.ts';
import type { LlmEnv } from '../../llm/env.ts';
import { runToolLoop, StepLimitError } from '../../llm/loop.ts';
import type { ToolAnswer } from '../../llm/mcp-remote.ts';
import { MalformedOutputError, ModelClient, ModelError, type ToolCall } from '../../llm/model.ts';
import { llmSecrets, llmSettings } from '../../llm/settings.ts';
import { openToolBox } from '../../llm/toolbox.ts';
import { AgentError, type AgentResult, type AgentRuntime, type AgentTurn } from './types.ts';

/** What the person reads when the model failed or timed out; the detail is in the log. */
export const MODEL_APOLOGY = 'Sorry, I could not answer just now. Please try again in a moment.';
/** What the person reads when the model's output could not be acted on. */
export const MALFORMED_APOLOGY = 'Sorry, something went wrong while I was working on this, so I stopped. Please try again.';

/** What the `llm` runtime needs: the hub's tools, the URL guard's exemptions, the OPENAI_* defaults. */
export interface LlmRuntimeDeps extends ToolDeps {
  allowPrivateUrls: readonly string[];
  env: LlmEnv;
}

/** Longest tool call or answer kept in the message log, in characters. */
const MAX_LOGGED = 4000;

/**
 * The built-in agent: a model behind an OpenAI-compatible chat-completions server, with the
 * profile's hub tools and remote MCP tools, in a tool loop with a step limit, streaming its text
 * into the turn's preview. Each tool call and answer is logged in the thread (`tool_call`,
 * `tool_result`) as it happens; a turn run again after a crash replays those answers instead of
 * calling the tools twice. Failures end the turn with a short apology; the reason goes to the log.
 */
export function llmRuntime(d: LlmRuntimeDeps, profile: ProfileRow): AgentRuntime {
  const s = llmSettings(profile);
  return {
    resumable: true,
    streams: s.stream,
    historyLimit: s.maxHistory,
    async run(turn: AgentTurn): Promise<AgentResult> {
      const deadline = Date.now() + s.timeoutMs;
      const secrets = llmSecrets(d.store.profiles.agentSecret(profile));
      const inboxId = Number(turn.message.id);
      const model = new ModelClient({
        baseUrl: s.baseUrl ?? d.env.baseUrl,
        apiKey: secrets.apiKey ?? d.env.apiKey,
        model: s.model,
        temperature: s.temperature,
        maxTokens: s.maxTokens,
        allowPrivateUrls: d.allowPrivateUrls,
        log: d.log,
      });
      const tools = await openToolBox(d, profile, s, secrets, Math.max(1000, deadline - Date.now()));
      const log = logger(d.store, profile, turn, inboxId);
      for (const f of tools.failures) await log('error', f, {});
      const replay = Number.isFinite(inboxId) ? await earlierAnswers(d.store, inboxId) : new Map<string, ToolAnswer>();
      try {
        const text = await runToolLoop({
          model,
          tools,
          messages: buildContext(s, turn),
          maxSteps: s.maxSteps,
          deadline,
          onText: (t) => turn.stream?.update(t),
          async callTool(call: ToolCall, step: number) {
            const key = callKey(call.name, call.args);
            const earlier = replay.get(key);
            if (earlier) {
              replay.delete(key);
              return earlier;
            }
            await log('tool_call', `${call.name} ${call.arguments}`, { tool: call.name, call_id: call.id, arguments: call.args, step });
            const answer = await tools.call(call.name, call.args);
            await log('tool_result', answer.text, { tool: call.name, call_id: call.id, is_error: answer.isError, step, key });
            return answer;
          },
        });
        return text.trim() ? { kind: 'reply', text } : { kind: 'none' };
      } catch (e) {
        if (e instanceof MalformedOutputError || e instanceof StepLimitError) throw new AgentError(e.message, 1, MALFORMED_APOLOGY);
        if (e instanceof ModelError) throw new AgentError(e.message, 1, MODEL_APOLOGY);
        throw e;
      } finally {
        await tools.close();
      }
    },
  };
}

/** Writes one entry of the turn into the thread's log, committed at once (so a restart sees it). */
function logger(store: Store, profile: ProfileRow, turn: AgentTurn, inboxId: number) {
  return async (type: 'tool_call' | 'tool_result' | 'error', text: string, meta: Record<string, unknown>) => {
    await store.messages.add({
      userId: profile.user_id,
      threadId: turn.thread.id,
      profileId: profile.id,
      type,
      direction: type === 'tool_call' ? 'out' : 'system',
      text: text.length > MAX_LOGGED ? `${text.slice(0, MAX_LOGGED)}…` : text,
      meta: { ...meta, inbox_id: inboxId },
      inboxId: Number.isFinite(inboxId) ? inboxId : null,
    });
  };
}

/** Tool answers an earlier run of this turn got (before a crash), by call. */
async function earlierAnswers(store: Store, inboxId: number): Promise<Map<string, ToolAnswer>> {
  const out = new Map<string, ToolAnswer>();
  for (const row of await store.messages.ofInbox(inboxId, ['tool_result'])) {
    const meta = parseJson<{ key?: string; is_error?: boolean }>(row.meta, {});
    if (meta.key) out.set(meta.key, { text: row.text, isError: meta.is_error === true });
  }
  return out;
}

/** A call's identity: its tool and its arguments with keys sorted. */
function callKey(name: string, args: unknown): string {
  const sorted = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sorted) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sorted(x)])) : v;
  return `${name}:${JSON.stringify(sorted(args))}`;
}
