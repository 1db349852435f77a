import { z } from 'zod';
import type { AgentSpec, ProfileRow } from '../store/profiles.ts';

/** Steps of the tool loop (model calls) one turn may take. Default 8. */
export const DEFAULT_MAX_STEPS = 8;
/** Earlier messages of the thread the model sees. Default 20. */
export const DEFAULT_MAX_HISTORY = 20;
/** Time one turn may take in all (every model call, tool call and retry), in ms. Default 60 000. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** Rough budget of the history, in tokens (≈ 4 characters each). Default 6 000. */
export const DEFAULT_HISTORY_TOKENS = 6000;

const headerName = z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'an HTTP header name');

/** A remote MCP server (Streamable HTTP) whose tools the model may use. Header values are secrets. */
const McpServerInput = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(headerName, z.string().min(1).max(8192)).optional(),
});

/** The `agent` object of a profile whose agent is a model behind an OpenAI-compatible chat-completions API. */
export const LlmAgentInput = z.strictObject({
  kind: z.literal('llm'),
  /** The model name the server knows (`gpt-4o-mini`, `llama3.2`…). */
  model: z.string().min(1).max(200),
  /** The server's base URL (…/v1); default OPENAI_BASE_URL, else https://api.openai.com/v1. */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
  /** Sent as `Authorization: Bearer`; default OPENAI_API_KEY. Sealed, never shown. */
  api_key: z.string().min(1).max(4096).optional(),
  system: z.string().max(32_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Earlier messages of the thread given to the model (0–200). Default 20. */
  max_history: z.int().min(0).max(200).optional(),
  /** Hub tools offered to the model (names); default every tool `/mcp` offers the profile. `[]` offers none. */
  tools: z.array(z.string().min(1).max(100)).max(100).optional(),
  mcp_servers: z.array(McpServerInput).max(10).optional(),
  /** Stream the answer into the chat while the model writes. Default true. */
  stream: z.boolean().optional(),
  /** Budget of one turn in ms (1 000–600 000). Default 60 000. */
  timeout_ms: z.int().min(1000).max(600_000).optional(),
  /** Most tokens the model may write per call. Default: the server's. */
  max_tokens: z.int().min(1).max(1_000_000).optional(),
  /** Model calls per turn (1–50). Default 8. */
  max_steps: z.int().min(1).max(50).optional(),
});
export type LlmAgentInput = z.infer<typeof LlmAgentInput>;

/** The settings of an `llm` agent as the runtime reads them. */
export interface LlmSettings {
  model: string;
  baseUrl?: string;
  system?: string;
  temperature?: number;
  maxHistory: number;
  tools?: string[];
  mcpServers: { url: string; headerNames: string[] }[];
  stream: boolean;
  timeoutMs: number;
  maxTokens?: number;
  maxSteps: number;
}

/** The secrets of an `llm` agent: its API key and each MCP server's headers (by server index). */
export interface LlmSecrets {
  apiKey?: string;
  mcpHeaders: Record<string, string>[];
}

const Stored = z.object({
  model: z.string(),
  base_url: z.string().optional(),
  system: z.string().optional(),
  temperature: z.number().optional(),
  max_history: z.number().optional(),
  tools: z.array(z.string()).optional(),
  mcp_servers: z.array(z.object({ url: z.string(), header_names: z.array(z.string()).default([]) })).default([]),
  stream: z.boolean().optional(),
  timeout_ms: z.number().optional(),
  max_tokens: z.number().optional(),
  max_steps: z.number().optional(),
});
const StoredSecrets = z.object({ api_key: z.string().optional(), mcp_headers: z.array(z.record(z.string(), z.string())).default([]) });

/** Turns the REST input into what the profiles store keeps: settings as JSON, secrets as one string to seal. */
export function llmAgentSpec(input: LlmAgentInput): AgentSpec {
  const { kind: _kind, api_key, mcp_servers, ...rest } = input;
  const servers = mcp_servers ?? [];
  const config = { ...rest, mcp_servers: servers.map((s) => ({ url: s.url, header_names: Object.keys(s.headers ?? {}) })) };
  const hasSecret = api_key !== undefined || servers.some((s) => s.headers && Object.keys(s.headers).length);
  const secret = hasSecret ? JSON.stringify({ api_key, mcp_headers: servers.map((s) => s.headers ?? {}) }) : undefined;
  return { kind: 'llm', config, secret };
}

/** The settings of an `llm` profile, with defaults filled in. Throws when the stored JSON is not an llm agent's. */
export function llmSettings(profile: Pick<ProfileRow, 'agent_config'>): LlmSettings {
  const s = Stored.parse(JSON.parse(profile.agent_config ?? 'null'));
  return {
    model: s.model,
    baseUrl: s.base_url,
    system: s.system,
    temperature: s.temperature,
    maxHistory: s.max_history ?? DEFAULT_MAX_HISTORY,
    tools: s.tools,
    mcpServers: s.mcp_servers.map((m) => ({ url: m.url, headerNames: m.header_names })),
    stream: s.stream ?? true,
    timeoutMs: s.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    maxTokens: s.max_tokens,
    maxSteps: s.max_steps ?? DEFAULT_MAX_STEPS,
  };
}

/** Parses the opened secret string of an `llm` profile. */
export function llmSecrets(opened: string | undefined): LlmSecrets {
  if (!opened) return { mcpHeaders: [] };
  const s = StoredSecrets.parse(JSON.parse(opened));
  return { apiKey: s.api_key, mcpHeaders: s.mcp_headers };
}

/** The JSON view of an `llm` agent: every setting, header names but never a value, `has_api_key` instead of the key. */
export function llmAgentView(profile: Pick<ProfileRow, 'agent_config' | 'agent_secret'>): Record<string, unknown> {
  const s = llmSettings(profile);
  return {
    kind: 'llm',
    model: s.model,
    base_url: s.baseUrl ?? null,
    system: s.system ?? null,
    temperature: s.temperature ?? null,
    max_history: s.maxHistory,
    tools: s.tools ?? null,
    mcp_servers: s.mcpServers.map((m) => ({ url: m.url, header_names: m.headerNames })),
    stream: s.stream,
    timeout_ms: s.timeoutMs,
    max_tokens: s.maxTokens ?? null,
    max_steps: s.maxSteps,
    has_secret: profile.agent_secret !== null,
  };
}
