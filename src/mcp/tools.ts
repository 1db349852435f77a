import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { IntegrationInfo } from '../channel/index.ts';
import type { HubContext } from '../hub.ts';
import type { ProfileRow } from '../store/profiles.ts';
import { hubTools } from './tool-registry.ts';

export { CHAT_SEND_TOOLS } from './tool-registry.ts';

/**
 * Builds the MCP server one request is answered with, for one profile. Tools are computed from the
 * profile's grants at that moment, so a revoked grant removes its tool on the very next request.
 * The definitions live in ./tool-registry.ts, shared with the built-in `llm` agent.
 */
export function buildMcpServer(hub: HubContext, profile: ProfileRow, granted: IntegrationInfo[]): McpServer {
  const server = new McpServer({ name: 'switchboard', version: '0.1.0' });
  for (const tool of hubTools({ store: hub.store, bus: hub.bus, tuning: hub.config.bus, log: hub.log }, profile, granted)) {
    const meta = { title: tool.title, description: tool.description };
    if (tool.inputSchema) server.registerTool(tool.name, { ...meta, inputSchema: tool.inputSchema }, async (args) => tool.run(args));
    else server.registerTool(tool.name, meta, async () => tool.run({}));
  }
  // registerTool advertises tools.listChanged, but a stateless server has no stream to send it on.
  server.server.registerCapabilities({ tools: { listChanged: false } });
  return server;
}
