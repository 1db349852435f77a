import type { z } from 'zod';
import type { IntegrationInfo } from './services.ts';

/** What a data-source tool answers: text the model reads; `isError` for a failure it should see as one. */
export interface ToolOutcome {
  text: string;
  isError?: boolean;
}

/** Who calls a data-source tool, and through which of their granted integrations. */
export interface ToolCall {
  /** The granted integration the call is for (the one granted, or the one `integration_id` named). */
  integration: IntegrationInfo;
  /** The agent profile calling. */
  profileId: string;
}

/**
 * One tool a data-source adapter contributes ({@link ChannelAdapter.tools}). The hub offers it on
 * `/mcp` and to the built-in LLM runtime to every profile granted an integration of the adapter's
 * type whose `mcp_tools` setting is not false. The hub adds an `integration_id` argument (required
 * when several such integrations are granted, implied with one), refuses ids not granted, and turns
 * a throw into a tool error; `run` gets arguments that passed `inputSchema`.
 */
export interface DataSourceTool {
  /** Unique across the hub, e.g. `gmail_search`. */
  name: string;
  title: string;
  description: string;
  /** A zod raw shape (field name → schema), as MCP servers take it. Must not use `integration_id`. */
  inputSchema: z.ZodRawShape;
  run(args: Record<string, any>, call: ToolCall): Promise<ToolOutcome>;
}
