import type { Command } from 'commander';
import { UsageError, type ApiClient } from '../../client.ts';
import { printJson, RULE } from '../../output.ts';
import { isInteractive, prompts } from '../../tty.ts';
import { listIntegrations, mcpOn, profileGrants } from './data.ts';

/** Chat types whose integrations offer a `<type>_send_message` MCP tool. */
const TOOLS: Record<string, string[]> = { telegram: ['telegram_send_message'], slack: ['slack_send_message'], gmail: ['gmail_search', 'gmail_read', 'gmail_draft', 'gmail_send', 'gmail_labels'] };

/** `integrations mcp list | activate | deactivate`: whether a connection's tools are offered on /mcp. */
export function registerMcp(ints: Command, client: () => ApiClient): void {
  const mcp = ints.command('mcp').description('whether a connection\'s tools are offered on /mcp to the profiles it is granted to');
  mcp
    .command('list')
    .description('each connection, its MCP tools and whether they are offered')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const api = client();
      const [all, grants] = await Promise.all([listIntegrations(api), profileGrants(api)]);
      const rows = all.map((i) => ({ connection: i.id, integration: `${i.type} ${i.name}`, tools: TOOLS[i.type] ?? [], active: mcpOn(i), profiles: grants.byIntegration.get(i.id) ?? [] }));
      if (o.json) return printJson({ connections: rows, total: rows.length });
      console.log(RULE);
      console.log('🔌 MCP tools of your connections (notify_user and list_channels are always offered)');
      console.log(RULE);
      for (const r of rows) {
        console.log(`\n  Connection: ${r.connection}\n  Integration: ${r.integration}\n  Tools: ${r.tools.join(', ') || '(none of its own: reached through notify_user)'}`);
        console.log(`  Profiles: ${r.profiles.join(', ') || '(not granted)'}\n  Status: ${r.active ? '✅ active' : '⏸️ inactive'}`);
      }
      console.log(`${rows.length ? '\n' : ''}${RULE}\nTotal: ${rows.length} connection${rows.length === 1 ? '' : 's'}`);
    });
  for (const verb of ['activate', 'deactivate'] as const) {
    mcp
      .command(verb)
      .description(verb === 'activate' ? 'offer a connection\'s tools on /mcp' : 'hide a connection\'s tools from /mcp (the connection stays)')
      .option('--connection <id>', 'the integration id')
      .option('--connection-id <id>', 'same as --connection')
      .option('--json', 'print JSON')
      .action(async (o: { connection?: string; connectionId?: string; json?: boolean }) => {
        const api = client();
        let id = o.connection ?? o.connectionId;
        if (!id) {
          if (!isInteractive()) throw new UsageError(`${verb} needs --connection <id>`, 'switchboard integrations mcp');
          const all = await listIntegrations(api);
          id = await (await prompts()).select({ message: `Which connection to ${verb}?`, choices: all.map((i) => ({ name: `${i.type} ${i.name} (${i.id})`, value: i.id })) });
        }
        const r = await api.request('PATCH', `/v1/integrations/${encodeURIComponent(id)}`, { mcp_tools: verb === 'activate' });
        if (o.json) return printJson(r);
        console.log(`${verb === 'activate' ? '✅ Activated' : '⏸️ Deactivated'} the MCP tools of ${r.integration.type} ${r.integration.name} (${id}).`);
      });
  }
}
