import type { Logger } from '../../channel/index.ts';
import type { BusTuning } from '../../config.ts';
import type { ProfileRow, ProfilesRepo } from '../../store/profiles.ts';
import { echoRuntime } from './echo.ts';
import { httpRuntime } from './http.ts';
import { llmSettings } from '../../llm/settings.ts';
import type { LlmRuntimeDeps } from './llm.ts';
import type { AgentRuntime } from './types.ts';

/** Agent kinds a profile may name. */
export const AGENT_KINDS = ['echo', 'http', 'llm'] as const;

/** Builds the runtime that answers for a profile. */
export function runtimeFactory(profiles: ProfilesRepo, tuning: BusTuning, log: Logger, allowPrivateUrls: readonly string[] = [], llm?: LlmRuntimeDeps) {
  return (profile: ProfileRow, onAttemptFailed: (attempt: number, reason: string) => void): AgentRuntime => {
    // Hook: the built-in model agent (src/bus/runtimes/llm.ts).
    if (profile.agent_kind === 'llm' && llm) return lazyLlmRuntime(llm, profile);
    if (profile.agent_kind === 'http' && profile.agent_url) {
      return httpRuntime({
        url: profile.agent_url,
        secret: profiles.agentSecret(profile) ?? '',
        timeoutMs: tuning.agentTimeoutMs,
        retryDelayMs: Math.min(500, tuning.retryBaseMs),
        log,
        allowPrivateUrls,
        onAttemptFailed,
      });
    }
    return echoRuntime;
  };
}

/**
 * The built-in model agent, its module (the OpenAI client, the MCP client SDK) imported on its first
 * turn: a hub without `llm` profiles never loads them. The flags the bus reads before a turn come
 * from the profile's settings, as `llmRuntime` sets them.
 */
function lazyLlmRuntime(deps: LlmRuntimeDeps, profile: ProfileRow): AgentRuntime {
  const s = llmSettings(profile);
  let real: Promise<AgentRuntime> | undefined;
  return {
    resumable: true,
    streams: s.stream,
    historyLimit: s.maxHistory,
    async run(turn) {
      real ??= import('./llm.ts').then((m) => m.llmRuntime(deps, profile));
      return (await real).run(turn);
    },
  };
}

export type { AgentRuntime, AgentTurn, AgentResult } from './types.ts';
