import express, { Router } from 'express';
import { UnauthorizedError } from '../errors.ts';
import type { HubContext } from '../hub.ts';
import { authenticate, principal } from '../http/auth.ts';
import { mcpErrorHandler } from './errors.ts';

/** The MCP SDK and our tools, imported on the first `/mcp` request (the SDK costs ~15 MB and ~0.3 s to load). */
let sdk: Promise<[typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js'), typeof import('./tools.ts')]> | undefined;
function loadSdk() {
  sdk ??= Promise.all([import('@modelcontextprotocol/sdk/server/streamableHttp.js'), import('./tools.ts')]);
  sdk.catch(() => (sdk = undefined));
  return sdk;
}

/** Largest MCP request body: 1 MiB. */
const MAX_MCP_BODY = '1mb';

/**
 * `POST /mcp`: MCP over Streamable HTTP, stateless. Each request is authenticated by a profile
 * token and answered by a fresh server + transport built from the profile's grants at that moment.
 * GET and DELETE (streams, sessions) answer 405. Errors before the transport (auth, malformed
 * JSON, size) answer JSON-RPC error objects; see {@link mcpErrorHandler}. The SDK is loaded on the
 * first request, so a hub no agent talks MCP to never pays for it.
 */
export function mcpRoutes(hub: HubContext): Router {
  const r = Router();
  const notAllowed = (_req: express.Request, res: express.Response) => {
    res.status(405).set('allow', 'POST').json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this MCP server is stateless; use POST' }, id: null });
  };
  r.get('/mcp', notAllowed);
  r.delete('/mcp', notAllowed);
  r.post('/mcp', authenticate(hub.store), express.json({ limit: MAX_MCP_BODY, strict: true }), async (req, res) => {
    const p = principal(res);
    if (p.kind !== 'profile') throw new UnauthorizedError('MCP needs an agent profile token (sbp_…), not a user API key');
    const [{ StreamableHTTPServerTransport }, { buildMcpServer }] = await loadSdk();
    const granted = await hub.store.grants.integrationsOf(p.profile.id);
    const server = buildMcpServer(hub, p.profile, granted);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  r.use('/mcp', mcpErrorHandler(hub.log));
  return r;
}
