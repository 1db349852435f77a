import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AdapterTool, ChannelAdapter, IntegrationInfo, Logger } from '../channel/index.ts';

/** A hub tool as the registry builds it (the shape of `HubTool`, repeated to keep this file free of cycles). */
export interface MergedTool {
  name: string;
  title: string;
  description: string;
  inputSchema?: z.ZodRawShape;
  run(args: Record<string, any>): Promise<CallToolResult>;
}

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

/**
 * The data-source tools of a profile's granted integrations (adapters with a `tools` capability),
 * for integrations whose `mcp_tools` setting is not false. One tool per name: with one integration of
 * the type it is implied; with several, the tool takes `integration_id` (required then). An id that
 * is not one of them (not granted, tools off, another user's) is refused as a `not_granted` tool error.
 */
export function adapterTools(adapters: ReadonlyMap<string, ChannelAdapter>, granted: IntegrationInfo[], log: Logger): MergedTool[] {
  const byType = new Map<string, IntegrationInfo[]>();
  for (const i of granted) {
    if (i.config.mcp_tools === false || !adapters.get(i.type)?.tools) continue;
    byType.set(i.type, [...(byType.get(i.type) ?? []), i]);
  }
  const out: MergedTool[] = [];
  for (const [type, rows] of byType) {
    const adapter = adapters.get(type)!;
    const perName = new Map<string, { first: AdapterTool; by: Map<string, AdapterTool> }>();
    for (const row of rows) {
      for (const tool of adapter.tools!(row)) {
        const entry = perName.get(tool.name) ?? { first: tool, by: new Map<string, AdapterTool>() };
        entry.by.set(row.id, tool);
        perName.set(tool.name, entry);
      }
    }
    const several = rows.length > 1;
    const granting = rows.map((r) => `${r.id} (${r.name})`).join(', ');
    for (const [name, { first, by }] of perName) {
      out.push({
        name,
        title: first.title,
        description: several ? `${first.description} Several are granted: pass integration_id, one of ${granting}.` : first.description,
        inputSchema: {
          ...first.inputSchema,
          integration_id: z.string().min(1).max(100).optional().describe(several ? `Which integration: one of ${[...by.keys()].join(', ')}` : 'Optional: the one granted is implied'),
        },
        async run(args) {
          const { integration_id: wanted, ...rest } = args;
          const id = wanted ?? (by.size === 1 ? [...by.keys()][0] : undefined);
          if (!id) return text(`integration_required: several ${type} integrations are granted; pass integration_id, one of ${[...by.keys()].join(', ')}`, true);
          const tool = by.get(id);
          if (!tool) return text(`not_granted: integration ${id} is not a ${type} integration granted to this agent with its tools on`, true);
          try {
            const r = await tool.run(rest);
            return text(r.text, r.isError === true);
          } catch (e) {
            log.error({ err: e, tool: name, integration: id }, 'data-source tool failed');
            return text('internal_error: the hub could not complete this call', true);
          }
        },
      });
    }
  }
  return out;
}
