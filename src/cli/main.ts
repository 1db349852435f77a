import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.ts';
import { ApiClient, CliError } from './client.ts';
import { registerChatCommand } from './commands/chat.ts';
import { registerIntegrationCommands } from './commands/integrations.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerLocalCommands } from './commands/local.ts';
import { registerLogsCommand } from './commands/logs.ts';
import { registerNotifyCommand } from './commands/notify.ts';
import { registerProfileCommands } from './commands/profiles.ts';

/** Builds the `switchboard` program. */
export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: a hub that connects AI agents to Slack, Telegram, email and webhooks')
    .option('--url <url>', 'hub URL (default $SWITCHBOARD_URL or http://localhost:$PORT)')
    .option('--api-key <key>', 'API key (default $SWITCHBOARD_API_KEY, or the local admin key in DATA_DIR)')
    .showHelpAfterError()
    // Global options go before the command, so a command's own --url/--api-key (webhook URL, Resend
    // key) is never mistaken for the hub's — and the hub key is never sent to that URL.
    .enablePositionalOptions()
    .exitOverride();
  const client = () => new ApiClient(program.opts<{ url?: string; apiKey?: string }>());
  registerLocalCommands(program);
  registerKeyCommands(program, client);
  registerChatCommand(program, client);
  registerLogsCommand(program, client);
  registerProfileCommands(program, client);
  registerIntegrationCommands(program, client);
  registerNotifyCommand(program, client);
  return program;
}

/** Runs the CLI; prints one clear line and exits non-zero on any error. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    if (e instanceof CliError || e instanceof ConfigError) console.error(`error: ${e.message}`);
    else console.error(`error: ${(e as Error).message ?? e}`);
    process.exit(1);
  }
}
