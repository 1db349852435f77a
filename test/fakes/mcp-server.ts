import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** A tiny remote MCP server (Streamable HTTP, stateless) with one tool, `get_weather {city}`. */
export interface FakeMcpServer {
  url: string;
  /** Cities the tool was asked about, in order. */
  calls: string[];
  /** Authorization headers of the requests it got. */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** Starts it on 127.0.0.1 at a random port; with `token`, requests without `Bearer <token>` get 401. */
export async function startFakeMcpServer(token?: string): Promise<FakeMcpServer> {
  const calls: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const server = http.createServer(async (req, res) => {
    authorizations.push(req.headers.authorization);
    if (token && req.headers.authorization !== `Bearer ${token}`) return void res.writeHead(401).end();
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const mcp = new McpServer({ name: 'weather', version: '1.0.0' });
    mcp.registerTool('get_weather', { description: 'The weather in a city today', inputSchema: { city: z.string() } }, async ({ city }) => {
      calls.push(city);
      return { content: [{ type: 'text', text: `Sunny and 21 °C in ${city}` }] };
    });
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => void transport.close().then(() => mcp.close()));
    await mcp.connect(transport);
    await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`,
    calls,
    authorizations,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
