import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { printTable } from '../output.ts';

/**
 * `switchboard keys list | create | revoke`: the caller's API keys over REST. They join the `keys`
 * command that `keys rotate` (master keys, local) already made, if it exists.
 */
export function registerKeyCommands(program: Command, client: () => ApiClient): void {
  const keys = program.commands.find((c) => c.name() === 'keys') ?? program.command('keys');
  keys.description('API keys (list, create, revoke) and master key rotation (rotate)');
  keys
    .command('list')
    .description('your API keys: id, name, hint (first characters), when created and last used')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await client().request('GET', '/v1/keys');
      const rows = r.keys.map((k: any) => ({ ...k, name: k.current ? `${k.name} (this key)` : k.name }));
      printTable(rows, ['id', 'name', 'hint', 'created_at', 'last_used_at'], !!o.json, r);
    });
  keys
    .command('create')
    .description('create an API key; prints it once')
    .option('--name <name>', 'a label to recognise it by')
    .option('--json', 'print JSON')
    .action(async (o: { name?: string; json?: boolean }) => {
      const r = await client().request('POST', '/v1/keys', o.name ? { name: o.name } : {});
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`Created API key ${r.key.name} (${r.key.id}).`);
      console.log(`API key (shown once): ${r.api_key}`);
    });
  keys
    .command('revoke <id>')
    .description('revoke one of your API keys; it stops working at once')
    .action(async (id: string) => {
      await client().request('DELETE', `/v1/keys/${encodeURIComponent(id)}`);
      console.log(`Revoked API key ${id}.`);
    });
}
