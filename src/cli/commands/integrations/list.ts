import type { Command } from 'commander';
import type { ApiClient } from '../../client.ts';
import { day, integrationIcon, printJson, printTable } from '../../output.ts';
import { listIntegrations, listTriggers, mcpOn, profileGrants } from './data.ts';

/** `integrations list`: every connection with its state, profiles, MCP tools and connected date. */
export function registerList(ints: Command, client: () => ApiClient): void {
  ints
    .command('list')
    .description('your connected integrations: 🟢 active, 🟡 needs attention, 🔴 unhealthy, ⏸️ triggers paused')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => listCommand(client(), !!o.json));
}

/** Prints the list (shared with the interactive menu). */
export async function listCommand(api: ApiClient, json: boolean): Promise<void> {
  const [integrations, grants, triggers] = await Promise.all([listIntegrations(api), profileGrants(api), listTriggers(api, true)]);
  const rows = integrations.map((i) => {
    const own = triggers.filter((t) => t.integration_id === i.id);
    const paused = own.length > 0 && own.every((t) => t.status === 'paused');
    const profiles = grants.byIntegration.get(i.id) ?? [];
    return {
      icon: integrationIcon(i, paused),
      state: i.status === 'unhealthy' ? 'unhealthy' : i.needs_attention ? 'needs attention' : paused ? 'paused' : 'active',
      id: i.id,
      type: i.type,
      name: `${i.name}${i.is_default ? ' *' : ''}`,
      profiles: profiles.join(',') || '-',
      mcp: mcpOn(i) ? 'on' : 'off',
      triggers: own.length,
      connected: day(i.created_at),
      note: i.status === 'unhealthy' ? (i.status_reason ?? '') : (i.needs_attention ?? ''),
      ...(json ? { granted_to: profiles } : {}),
    };
  });
  if (json) return printJson({ integrations: integrations.map((i, n) => ({ ...i, state: rows[n].state, granted_to: rows[n].granted_to, mcp_tools: mcpOn(i) })), total: integrations.length });
  printTable(rows, ['icon', 'state', 'id', 'type', 'name', 'profiles', 'mcp', 'triggers', 'connected'], false);
  for (const r of rows) if (r.note) console.log(`${r.icon} ${r.id}: ${r.note}`);
  console.log(`Total: ${rows.length} connection${rows.length === 1 ? '' : 's'} (* the default of its type)`);
}
