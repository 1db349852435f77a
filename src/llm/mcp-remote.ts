import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Logger } from '../channel/index.ts';
import { guardedWebFetch } from './guarded-fetch.ts';

/** A tool of a remote MCP server as the model sees it. */
export interface RemoteTool {
  /** The name offered to the model (the server's, prefixed `s<n>_` when it would clash). */
  name: string;
  remoteName: string;
  description: string;
  /** JSON Schema of the arguments, as the server gave it. */
  parameters: Record<string, unknown>;
  client: Client;
}

/** What a tool call answered, as text for the model. */
export interface ToolAnswer {
  text: string;
  isError: boolean;
}

/**
 * Connects to a profile's remote MCP servers (Streamable HTTP, through the URL guard, with the
 * profile's headers) and lists their tools. A server that cannot be reached is skipped with a
 * warning: its tools are simply not offered this turn. `taken` are names already in use.
 */
export async function connectRemoteServers(
  servers: { url: string; headers: Record<string, string> }[],
  allowPrivateUrls: readonly string[],
  taken: Set<string>,
  log: Logger,
  timeoutMs: number,
): Promise<{ tools: RemoteTool[]; close(): Promise<void>; failures: string[] }> {
  const clients: Client[] = [];
  const tools: RemoteTool[] = [];
  const failures: string[] = [];
  for (const [i, s] of servers.entries()) {
    const client = new Client({ name: 'switchboard', version: '0.1.0' });
    const transport = new StreamableHTTPClientTransport(new URL(s.url), { requestInit: { headers: s.headers }, fetch: guardedWebFetch(allowPrivateUrls) });
    try {
      await client.connect(transport, { timeout: timeoutMs });
      clients.push(client);
      const listed = await client.listTools(undefined, { timeout: timeoutMs });
      for (const t of listed.tools) {
        const name = taken.has(t.name) || !/^[A-Za-z0-9_-]{1,64}$/.test(t.name) ? `s${i + 1}_${t.name.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64) : t.name;
        taken.add(name);
        tools.push({ name, remoteName: t.name, description: t.description ?? t.title ?? t.name, parameters: t.inputSchema as Record<string, unknown>, client });
      }
    } catch (e) {
      const host = new URL(s.url).host;
      failures.push(`MCP server ${host} could not be used: ${(e as Error).message}`.slice(0, 300));
      log.warn({ server: host, err: (e as Error).message }, 'remote MCP server skipped for this turn');
      await client.close().catch(() => undefined);
    }
  }
  return {
    tools,
    failures,
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    },
  };
}

/** Calls a remote tool; a protocol failure is a tool error the model reads. */
export async function callRemoteTool(tool: RemoteTool, args: Record<string, unknown>, timeoutMs: number): Promise<ToolAnswer> {
  try {
    const r = await tool.client.callTool({ name: tool.remoteName, arguments: args }, undefined, { timeout: timeoutMs });
    return { text: contentText(r.content), isError: r.isError === true };
  } catch (e) {
    return { text: `tool_failed: ${(e as Error).message}`.slice(0, 1000), isError: true };
  }
}

/** The text parts of an MCP tool result, joined; other parts are named. */
export function contentText(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content.map((p: { type?: string; text?: string }) => (p?.type === 'text' ? String(p.text ?? '') : `[${p?.type ?? 'part'}]`)).join('\n');
}
