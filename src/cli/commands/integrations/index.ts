import type { Command } from 'commander';
import type { ApiClient } from '../../client.ts';
import { isInteractive, prompts } from '../../tty.ts';
import { availableCommand, infoCommand, registerCatalog } from './catalog.ts';
import { connectCommand, registerConnect } from './connect.ts';
import { listCommand, registerList } from './list.ts';
import { disconnectCommand, registerManage, updateCommand } from './manage.ts';
import { registerMcp } from './mcp.ts';

/**
 * `switchboard integrations …`: available, info, connect, list, update, disconnect, link-code, test,
 * mcp (and `webhooks`, added by the caller). Alone on a terminal: an interactive menu; otherwise help.
 * Returns the command so `webhooks` can join it.
 */
export function registerIntegrationCommands(program: Command, client: () => ApiClient): Command {
  const ints = program.command('integrations').description('connect and manage channels; alone on a terminal, a menu');
  registerCatalog(ints, client);
  registerConnect(ints, client);
  registerList(ints, client);
  registerManage(ints, client);
  registerMcp(ints, client);
  ints.action(async () => {
    if (!isInteractive()) return ints.help();
    await menu(client());
  });
  return ints;
}

/** The interactive menu of `switchboard integrations`. */
async function menu(api: ApiClient): Promise<void> {
  const p = await prompts();
  const what = await p.select({
    message: 'What do you want to do?',
    choices: [
      { name: 'List my connections', value: 'list' },
      { name: 'Connect a new integration', value: 'connect' },
      { name: 'See what can be connected', value: 'available' },
      { name: 'Details of a type or connection', value: 'info' },
      { name: 'Update a connection\'s credentials', value: 'update' },
      { name: 'Disconnect a connection', value: 'disconnect' },
      { name: 'Exit', value: 'exit' },
    ],
  });
  if (what === 'list') return listCommand(api, false);
  if (what === 'connect') return connectCommand(api, {});
  if (what === 'available') return availableCommand(api, false);
  if (what === 'info') return infoCommand(api, await p.input({ message: 'A type (telegram…) or a connection id:' }), false);
  if (what === 'update') return updateCommand(api, undefined, {});
  if (what === 'disconnect') return disconnectCommand(api, undefined, false);
}
