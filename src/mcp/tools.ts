import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { IntegrationInfo } from '../channel/index.ts';
import { HubError } from '../errors.ts';
import type { HubContext } from '../hub.ts';
import { notificationView } from '../http/routes/notify.ts';
import { notify, type NotifyInput } from '../notify/service.ts';
import type { ProfileRow } from '../store/profiles.ts';

/** Chat channel types that get a `<type>_send_message` tool when one of their integrations is granted. */
export const CHAT_SEND_TOOLS = ['telegram', 'slack'] as const;

const text = (t: string, isError = false): CallToolResult => ({ content: [{ type: 'text', text: t }], ...(isError ? { isError: true } : {}) });

/**
 * Builds the MCP server one request is answered with, for one profile. Tools are computed from the
 * profile's grants at that moment, so a revoked grant removes its tool on the very next request.
 */
export function buildMcpServer(hub: HubContext, profile: ProfileRow, granted: IntegrationInfo[]): McpServer {
  const server = new McpServer({ name: 'switchboard', version: '0.1.0' });

  /** Runs a notify and answers with the notification, or an MCP tool error with the hub's message. */
  const run = async (input: NotifyInput): Promise<CallToolResult> => {
    try {
      const r = await notify(hub.store, hub.bus, hub.config.bus, profile, input);
      return text(JSON.stringify({ notification: notificationView(r.notification, r.deliveries), duplicate: !r.created }, null, 2));
    } catch (e) {
      if (e instanceof HubError) return text(`${e.code}: ${e.message}`, true);
      hub.log.error({ err: e, profile: profile.id }, 'MCP tool failed');
      return text('internal_error: the hub could not complete this call', true);
    }
  };

  server.registerTool(
    'notify_user',
    {
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
    },
    async (args) => run(args),
  );

  server.registerTool(
    'list_channels',
    { title: 'List channels', description: 'The channels this agent may notify through (its granted integrations), with the channel string to use.' },
    async () => {
      const channels = granted.map((i) => ({
        channel: i.isDefault ? i.type : `${i.type}:${i.id}`,
        type: i.type,
        integration_id: i.id,
        name: i.name,
        status: i.status,
        category: hub.bus.adapters.get(i.type)?.capabilities.category ?? 'unknown',
      }));
      return text(JSON.stringify({ channels }, null, 2));
    },
  );

  for (const type of CHAT_SEND_TOOLS) {
    // An integration whose mcp_tools setting is false (`switchboard integrations mcp deactivate`) offers no tools.
    const mine = granted.filter((i) => i.type === type && i.config.mcp_tools !== false);
    if (mine.length === 0) continue;
    const ids = mine.map((i) => i.id) as [string, ...string[]];
    server.registerTool(
      `${type}_send_message`,
      {
        title: `Send a ${type} message`,
        description: `Send a message to your user on ${type}, in the chat linked to the integration (the owner's DM). Granted: ${mine.map((i) => `${i.id} (${i.name})`).join(', ')}.`,
        inputSchema: {
          text: z.string().min(1).max(256 * 1024).describe('The message, in Markdown'),
          integration_id: z.enum(ids).optional().describe('Which integration; needed when several are granted'),
          idempotency_key: z.string().min(1).max(200).optional(),
        },
      },
      async (args) => {
        const id = args.integration_id ?? (ids.length === 1 ? ids[0] : undefined);
        if (!id) return text(`integration_required: several ${type} integrations are granted; name one of ${ids.join(', ')}`, true);
        return run({ channel: `${type}:${id}`, message: args.text, idempotency_key: args.idempotency_key });
      },
    );
  }
  // registerTool advertises tools.listChanged, but a stateless server has no stream to send it on.
  server.server.registerCapabilities({ tools: { listChanged: false } });
  return server;
}
