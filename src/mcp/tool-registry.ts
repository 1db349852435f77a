import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Bus } from '../bus/index.ts';
import type { ChannelAdapter, IntegrationInfo, Logger } from '../channel/index.ts';
import type { BusTuning } from '../config.ts';
import { HubError } from '../errors.ts';
import { notificationView } from '../http/routes/notify.ts';
import { notify, type NotifyInput } from '../notify/service.ts';
import type { Store } from '../store/index.ts';
import type { ProfileRow } from '../store/profiles.ts';

/** Chat channel types that get a `<type>_send_message` tool when one of their integrations is granted. */
export const CHAT_SEND_TOOLS = ['telegram', 'slack'] as const;

/** What the hub's tools need. */
export interface ToolDeps {
  store: Store;
  bus: Bus;
  tuning: BusTuning;
  log: Logger;
}

/**
 * One hub tool: its name, description and input shape (a zod raw shape, as MCP servers take it),
 * and what it does. The same definitions serve `/mcp` and the built-in `llm` agent.
 */
export interface HubTool {
  name: string;
  title: string;
  description: string;
  inputSchema?: z.ZodRawShape;
  /** Runs the tool with arguments that already passed `inputSchema`. Never throws: failures are tool errors. */
  run(args: Record<string, any>): Promise<CallToolResult>;
}

/** A tool answer with one text part. */
export const toolText = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

/**
 * The tools a profile may use, computed from its grants at that moment: `notify_user`,
 * `list_channels`, `<type>_send_message` for each granted chat type, and the tools of granted data
 * sources (their adapters' `tools`). Scope checks are the
 * notify service's: a channel the profile was not granted is a tool error.
 */
export function hubTools(d: ToolDeps, profile: ProfileRow, granted: IntegrationInfo[]): HubTool[] {
  /** Runs a notify and answers with the notification, or a tool error with the hub's message. */
  const run = async (input: NotifyInput): Promise<CallToolResult> => {
    try {
      const r = await notify(d.store, d.bus, d.tuning, profile, input);
      return toolText(JSON.stringify({ notification: notificationView(r.notification, r.deliveries), duplicate: !r.created }, null, 2));
    } catch (e) {
      if (e instanceof HubError) return toolText(`${e.code}: ${e.message}`, true);
      d.log.error({ err: e, profile: profile.id }, 'MCP tool failed');
      return toolText('internal_error: the hub could not complete this call', true);
    }
  };

  const tools: HubTool[] = [
    {
      name: 'notify_user',
      title: 'Notify the user',
      description:
        'Send a notification to your user. channel is a type (telegram, slack, email, webhook: the user\'s default of that type) or type:<integration_id>; ' +
        'channels fans out to several. The same idempotency_key never sends twice. claim (chat channels, a named bot) routes replies back to you.',
      inputSchema: {
        channel: z.string().min(1).max(200).optional(),
        channels: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
        message: z.string().min(1).max(256 * 1024).describe('The message, in Markdown'),
        subject: z.string().min(1).max(500).optional().describe('Subject (email)'),
        claim: z.boolean().optional(),
        idempotency_key: z.string().min(1).max(200).optional(),
      },
      run: (args) => run(args as NotifyInput),
    },
    {
      name: 'list_channels',
      title: 'List channels',
      description: 'The channels this agent may notify through (its granted integrations), with the channel string to use.',
      async run() {
        const channels = granted.map((i) => ({
          channel: i.isDefault ? i.type : `${i.type}:${i.id}`,
          type: i.type,
          integration_id: i.id,
          name: i.name,
          status: i.status,
          category: d.bus.adapters.get(i.type)?.capabilities.category ?? 'unknown',
        }));
        return toolText(JSON.stringify({ channels }, null, 2));
      },
    },
  ];

  for (const type of CHAT_SEND_TOOLS) {
    // An integration whose mcp_tools setting is false (`switchboard integrations mcp deactivate`) offers no tools.
    const mine = granted.filter((i) => i.type === type && i.config.mcp_tools !== false);
    if (mine.length === 0) continue;
    const ids = mine.map((i) => i.id) as [string, ...string[]];
    tools.push({
      name: `${type}_send_message`,
      title: `Send a ${type} message`,
      description: `Send a message to your user on ${type}, in the chat linked to the integration (the owner's DM). Granted: ${mine.map((i) => `${i.id} (${i.name})`).join(', ')}.`,
      inputSchema: {
        text: z.string().min(1).max(256 * 1024).describe('The message, in Markdown'),
        integration_id: z.enum(ids).optional().describe('Which integration; needed when several are granted'),
        idempotency_key: z.string().min(1).max(200).optional(),
      },
      async run(args) {
        const id = args.integration_id ?? (ids.length === 1 ? ids[0] : undefined);
        if (!id) return toolText(`integration_required: several ${type} integrations are granted; name one of ${ids.join(', ')}`, true);
        return run({ channel: `${type}:${id}`, message: args.text, idempotency_key: args.idempotency_key });
      },
    });
  }
  for (const adapter of d.bus.adapters.values()) tools.push(...dataSourceTools(d, adapter, profile, granted));
  return tools;
}

/**
 * The tools a data-source adapter contributes ({@link ChannelAdapter.tools}) for the profile's
 * granted integrations of its type whose `mcp_tools` is not false. Each gets `integration_id`
 * (implied when one is granted); an id not granted, or a missing one among several, is a tool error.
 */
function dataSourceTools(d: ToolDeps, adapter: ChannelAdapter, profile: ProfileRow, granted: IntegrationInfo[]): HubTool[] {
  const mine = granted.filter((i) => i.type === adapter.name && i.config.mcp_tools !== false);
  if (!adapter.tools?.length || mine.length === 0) return [];
  const list = mine.map((i) => `${i.id} (${i.name})`).join(', ');
  return adapter.tools.map((tool) => ({
    name: tool.name,
    title: tool.title,
    description: `${tool.description} Granted: ${list}.`,
    inputSchema: {
      ...tool.inputSchema,
      integration_id: z.string().max(100).optional().describe(mine.length > 1 ? `Which integration: one of ${mine.map((i) => i.id).join(', ')} (required: several are granted)` : 'Which integration (optional: one is granted)'),
    },
    async run(args) {
      const { integration_id: id, ...rest } = args;
      const integration = id === undefined ? (mine.length === 1 ? mine[0] : undefined) : mine.find((i) => i.id === id);
      if (id === undefined && !integration) return toolText(`integration_required: several ${adapter.name} integrations are granted; name one with integration_id: ${list}`, true);
      if (!integration) return toolText(`not_granted: ${String(id)} is not a ${adapter.name} integration granted to this agent with its tools on; granted: ${list}`, true);
      try {
        const out = await tool.run(rest, { integration, profileId: profile.id });
        return toolText(out.text, out.isError === true);
      } catch (e) {
        if (e instanceof HubError) return toolText(`${e.code}: ${e.message}`, true);
        d.log.error({ err: e, profile: profile.id, tool: tool.name }, 'data-source tool failed');
        return toolText('internal_error: the hub could not complete this call', true);
      }
    },
  }));
}
