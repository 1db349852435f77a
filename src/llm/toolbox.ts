import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { hubTools, type HubTool, type ToolDeps } from '../mcp/tool-registry.ts';
import type { ProfileRow } from '../store/profiles.ts';
import { callRemoteTool, connectRemoteServers, contentText, type RemoteTool, type ToolAnswer } from './mcp-remote.ts';
import type { LlmSecrets, LlmSettings } from './settings.ts';

/** Longest tool answer handed back to the model, in characters. */
const MAX_TOOL_ANSWER = 16_000;

/** The tools of one turn: their definitions for the model, and how to call one. */
export interface ToolBox {
  definitions: ChatCompletionTool[];
  call(name: string, args: Record<string, unknown>): Promise<ToolAnswer>;
  /** Problems met while gathering tools (an unreachable MCP server), for the log. */
  failures: string[];
  close(): Promise<void>;
}

/**
 * Gathers a profile's tools for one turn: its hub tools (the set `/mcp` offers it, narrowed by the
 * profile's `tools` setting) and the tools of its remote MCP servers. Calling a name outside that
 * set answers a `not_granted` tool error; bad arguments answer `invalid_arguments`.
 */
export async function openToolBox(d: ToolDeps & { allowPrivateUrls: readonly string[] }, profile: ProfileRow, s: LlmSettings, secrets: LlmSecrets, timeoutMs: number): Promise<ToolBox> {
  const granted = await d.store.grants.integrationsOf(profile.id);
  const hub = hubTools(d, profile, granted).filter((t) => !s.tools || s.tools.includes(t.name));
  const taken = new Set(hub.map((t) => t.name));
  const servers = s.mcpServers.map((m, i) => ({ url: m.url, headers: secrets.mcpHeaders[i] ?? {} }));
  const remote = servers.length ? await connectRemoteServers(servers, d.allowPrivateUrls, taken, d.log, timeoutMs) : { tools: [] as RemoteTool[], failures: [], close: async () => {} };
  const byName = new Map<string, HubTool | RemoteTool>([...hub.map((t) => [t.name, t] as const), ...remote.tools.map((t) => [t.name, t] as const)]);

  const definitions: ChatCompletionTool[] = [
    ...hub.map((t) => fn(t.name, t.description, z.toJSONSchema(z.object(t.inputSchema ?? {})) as Record<string, unknown>)),
    ...remote.tools.map((t) => fn(t.name, t.description, t.parameters)),
  ];

  return {
    definitions,
    failures: remote.failures,
    close: remote.close,
    async call(name, args) {
      const tool = byName.get(name);
      if (!tool) return { text: `not_granted: ${name} is not a tool this agent may use`, isError: true };
      const answer = 'run' in tool ? await runHubTool(tool, args) : await callRemoteTool(tool, args, timeoutMs);
      return { ...answer, text: answer.text.length > MAX_TOOL_ANSWER ? `${answer.text.slice(0, MAX_TOOL_ANSWER)}… [cut]` : answer.text };
    },
  };
}

async function runHubTool(tool: HubTool, args: Record<string, unknown>): Promise<ToolAnswer> {
  const parsed = z.object(tool.inputSchema ?? {}).safeParse(args);
  if (!parsed.success) return { text: `invalid_arguments: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ')}`, isError: true };
  const r = await tool.run(parsed.data);
  return { text: contentText(r.content), isError: r.isError === true };
}

function fn(name: string, description: string, parameters: Record<string, unknown>): ChatCompletionTool {
  const { $schema: _s, ...rest } = parameters;
  return { type: 'function', function: { name, description, parameters: rest } };
}
