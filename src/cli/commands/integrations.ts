import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { CliError } from '../client.ts';
import { printObject, printTable, statusIcon } from '../output.ts';

const enc = encodeURIComponent;

/** `switchboard integrations …`: what can be connected, what is, and connecting/disconnecting. */
export function registerIntegrationCommands(program: Command, client: () => ApiClient): void {
  const ints = program.command('integrations').description('connect and manage channels');
  ints
    .command('available')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await client().request('GET', '/v1/integrations/available');
      const rows = r.integrations.map((i: any) => ({ type: i.type, category: i.category, auth: i.auth_methods.join(','), inbound: i.inbound ? 'yes' : 'no', multi: i.multi_row ? 'yes' : 'no' }));
      printTable(rows, ['type', 'category', 'auth', 'inbound', 'multi'], !!o.json, r);
    });
  ints
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await client().request('GET', '/v1/integrations');
      const rows = r.integrations.map((i: any) => ({
        status: `${statusIcon(i.status)} ${i.status}`,
        id: i.id,
        type: i.type,
        name: i.name,
        default: i.is_default ? '*' : '',
        reason: i.status_reason ?? '',
      }));
      printTable(rows, ['status', 'id', 'type', 'name', 'default', 'reason'], !!o.json, r);
    });
  ints
    .command('info <id>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await client().request('GET', `/v1/integrations/${enc(id)}`);
      printObject(o.json ? r : r.integration, !!o.json);
    });
  ints
    .command('connect')
    .description('connect a channel, e.g. --integration telegram --auth-method token --token 123:ABC')
    .requiredOption('--integration <type>', 'telegram | email | webhook | …')
    .option('--auth-method <method>', 'token | api_key | url | oauth | shared (telegram: pair with the shared bot)')
    .option('--token <token>', 'bot token (telegram)')
    .option('--api-key <key>', 'API key (email)')
    .option('--from <address>', 'sender address (email)')
    .option('--to <address>', 'recipient address (email; default your email)')
    .option('--url <url>', 'endpoint (webhook)')
    .option('--secret [whsec]', 'sign webhook deliveries (generated when no value is given)')
    .option('--name <name>', 'a name for the integration')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const body: Record<string, unknown> = { type: o.integration };
      if (o.name) body.name = o.name;
      if (o.token) body.token = o.token;
      if (o.apiKey) body.api_key = o.apiKey;
      if (o.from) body.from = o.from;
      if (o.to) body.to = o.to;
      if (o.url) body.url = o.url;
      if (o.secret !== undefined) body.secret = o.secret === true ? true : o.secret;
      if (o.integration === 'slack' || o.authMethod === 'oauth') {
        const r = await client().request('GET', '/v1/integrations/slack/install');
        return void console.log(`Open this link to add the app to Slack:\n\n  ${r.url}\n`);
      }
      if (o.integration === 'telegram' && o.authMethod === 'shared') {
        const p = await client().request('POST', '/v1/integrations/telegram/pair', {});
        if (o.json) return void console.log(JSON.stringify(p, null, 2));
        return void console.log(`Open this link in Telegram and press Start (once, before ${p.expires_at}):\n\n  ${p.deep_link}\n`);
      }
      const r = await client().request('POST', '/v1/integrations', body);
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`Connected ${r.integration.type} ${r.integration.name} (${r.integration.id}).`);
      for (const [k, v] of Object.entries(r)) if (k !== 'integration') console.log(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
    });
  ints
    .command('update <id>')
    .option('--name <name>', 'rename')
    .option('--default', 'make it the default of its type')
    .option('--set <key=value...>', 'a setting, e.g. dm_policy=open (JSON values allowed)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { name?: string; default?: boolean; set?: string[]; json?: boolean }) => {
      const body: Record<string, unknown> = {};
      if (o.name) body.name = o.name;
      if (o.default) body.is_default = true;
      for (const kv of o.set ?? []) {
        const at = kv.indexOf('=');
        if (at < 1) throw new CliError(`--set expects key=value, got ${kv}`);
        const raw = kv.slice(at + 1);
        let value: unknown = raw;
        try {
          value = JSON.parse(raw);
        } catch {
          /* a plain string */
        }
        body[kv.slice(0, at)] = value;
      }
      const r = await client().request('PATCH', `/v1/integrations/${enc(id)}`, body);
      printObject(o.json ? r : r.integration, !!o.json);
    });
  ints
    .command('link-code <id>')
    .description('a fresh one-time /link code for a Telegram bot (valid one hour)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await client().request('POST', `/v1/integrations/${enc(id)}/link-code`, {});
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`${r.link.instructions}\nExpires at ${r.link.expires_at}.`);
    });
  ints
    .command('test <id>')
    .description('send a test event through an integration (webhook)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await client().request('POST', `/v1/integrations/${enc(id)}/test`, {});
      printObject(r, !!o.json);
    });
  ints
    .command('disconnect <id>')
    .description('disconnect: revokes downstream access and deletes the secrets')
    .action(async (id: string) => {
      await client().request('DELETE', `/v1/integrations/${enc(id)}`);
      console.log(`Disconnected ${id}.`);
    });
}
