import type { Command } from 'commander';
import { CliError, type ApiClient } from '../../client.ts';
import { CATEGORY_LABELS, COMMON_SETTINGS, guideOf } from '../../catalog.ts';
import { day, integrationIcon, printJson, RULE, triggerIcon } from '../../output.ts';
import { availableTypes, listTriggers, mcpOn, type AvailableType, type Integration, type TriggerEvent } from './data.ts';

/** Headings of categories that read better spelled out (the API's key otherwise). */

const authIcon = (methods: string[]) => (methods.includes('oauth') ? '🔐' : '') + (methods.some((m) => m !== 'oauth') ? '🔑' : '');

/** `integrations available` and `integrations info <type|id>`. */
export function registerCatalog(ints: Command, client: () => ApiClient): void {
  ints
    .command('available')
    .description('what can be connected, by category: 🔐 OAuth, 🔑 token / API key / URL')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => availableCommand(client(), !!o.json));
  ints
    .command('info <typeOrId>')
    .description('a type\'s auth methods, scopes, trigger events and settings; for an integration id also its state')
    .option('--json', 'print JSON')
    .action(async (arg: string, o: { json?: boolean }) => infoCommand(client(), arg, !!o.json));
}

/** Prints the available types grouped by category. */
export async function availableCommand(api: ApiClient, json: boolean): Promise<void> {
  const types = await availableTypes(api);
  if (json) return printJson({ integrations: types.map((t) => ({ ...t, label: guideOf(t.type).label })), total: types.length });
  const categories = [...new Set(types.map((t) => t.category))];
  for (const c of categories) {
    console.log(`${CATEGORY_LABELS[c] ?? c}`);
    for (const t of types.filter((x) => x.category === c)) {
      const traits = [t.category === 'data' ? 'read by tools' : t.inbound ? 'inbound' : 'outbound', t.multi_row ? 'several per user' : 'one per user'].join(', ');
      console.log(`  ${authIcon(t.auth_methods).padEnd(4)} ${t.type.padEnd(10)} ${guideOf(t.type).label} (${t.auth_methods.join(', ')}; ${traits})`);
    }
  }
  console.log(`Total: ${types.length} types. 🔐 OAuth  🔑 token, API key or URL`);
}

/** The trigger events of a type, an integration, or (empty query) the hub; [] on a hub without the triggers API. */
export async function eventsOf(api: ApiClient, query: string, optional: boolean): Promise<TriggerEvent[]> {
  try {
    return (await api.feature<{ events: TriggerEvent[] }>('triggers', 'GET', `/v1/triggers/events${query ? `?${query}` : ''}`)).events ?? [];
  } catch (e) {
    if (optional && e instanceof CliError && e.status === 404 && e.code !== 'not_found') return [];
    throw e;
  }
}

/** The bracket after an event's name: `[virtual, 5 min interval: 1 | 5 | 15 | 30 | 60]`, `[every 60 | 120 … min]`, or none. */
const intervalTag = (e: TriggerEvent) => {
  if (!e.intervals) return '';
  if (e.virtual) return ` [virtual, ${e.default_interval ?? e.intervals[0]} min interval: ${e.intervals.join(' | ')}]`;
  return ` [every ${e.intervals.join(' | ')} min]`;
};

/** One event as a line: name, [not available yet], its intervals, and its description below. */
export const eventLine = (e: TriggerEvent, indent: string) =>
  `${indent}• ${e.event}${e.available === false ? ' [not available yet]' : ''}${intervalTag(e)}${e.description ? `\n${indent}  ${e.description}` : ''}`;

/** Prints what a type offers, and for an integration id its state too. */
export async function infoCommand(api: ApiClient, arg: string, json: boolean): Promise<void> {
  const types = await availableTypes(api);
  let type = types.find((t) => t.type === arg);
  let integration: Integration | undefined;
  if (!type) {
    try {
      integration = (await api.request<{ integration: Integration }>('GET', `/v1/integrations/${encodeURIComponent(arg)}`)).integration;
    } catch (e) {
      if (e instanceof CliError && e.status === 404) throw new CliError(`${arg} is neither an available type (${types.map((t) => t.type).join(', ')}) nor one of your integrations`);
      throw e;
    }
    type = types.find((t) => t.type === integration!.type) ?? ({ type: integration.type, category: '?', auth_methods: [], inbound: false, multi_row: false } satisfies AvailableType);
  }
  const guide = guideOf(type.type);
  const events = await eventsOf(api, integration ? `integration_id=${encodeURIComponent(integration.id)}` : `type=${encodeURIComponent(type.type)}`, true);
  const settings = { ...guide.settings, ...COMMON_SETTINGS };
  const triggers = integration ? (await listTriggers(api, true)).filter((t) => t.integration_id === integration!.id) : [];
  if (json) return printJson({ type: { ...type, label: guide.label, description: guide.description, scopes: type.scopes ?? guide.scopes ?? [], settings }, events, ...(integration ? { integration: { ...integration, mcp_tools: mcpOn(integration) }, triggers } : {}) });

  console.log(RULE);
  console.log(`📋 ${guide.label}${integration ? `: ${integration.name} (${integration.id})` : ` (${type.type})`}`);
  console.log(RULE);
  if (guide.description) console.log(guide.description);
  console.log(`Category: ${type.category}; ${type.inbound ? 'inbound and outbound' : 'outbound only'}; ${type.multi_row ? 'several per user' : 'one per user'}`);
  console.log(`\n🔑 Auth methods: ${type.auth_methods.join(', ') || '-'}`);
  const scopes = type.scopes ?? guide.scopes;
  if (scopes) {
    console.log('   OAuth scopes:');
    for (const s of scopes) console.log(`   ✓ ${s}`);
  }
  if (type.tools?.length) console.log(`\n🔌 Tools (for the profiles it is granted to): ${type.tools.join(', ')}`);
  console.log('\n⚡ Trigger events:');
  if (events.length === 0) console.log('   (none on this hub)');
  for (const e of events) console.log(eventLine(e, '   '));
  console.log('\n⚙️  Settings (integrations update <id> --set key=value):');
  for (const [k, v] of Object.entries(settings)) console.log(`   ${k}: ${v}`);
  if (integration) {
    console.log(`\n${integrationIcon(integration)} State: ${integration.status}${integration.status_reason ? ` (${integration.status_reason})` : ''}`);
    if (integration.needs_attention) console.log(`   Needs attention: ${integration.needs_attention}`);
    console.log(`   Default of its type: ${integration.is_default ? 'yes' : 'no'}`);
    console.log(`   Granted to: ${(integration.granted_to ?? []).join(', ') || '(no profile)'}`);
    console.log(`   MCP tools: ${mcpOn(integration) ? '✅ on' : '⏸️ off'}`);
    console.log(`   Connected: ${day(integration.created_at)}`);
    console.log(`   Config: ${JSON.stringify(integration.config)}`);
    console.log(`   Triggers: ${triggers.length ? triggers.map((t) => `${triggerIcon(t.status)} ${t.event} (${t.id})`).join(', ') : 'none'}`);
  }
  console.log(RULE);
}
