import { Command, CommanderError } from 'commander';
import { ApiClient, CliError } from './client.ts';
import { registerChatCommand } from './commands/chat.ts';
import { registerIntegrationCommands } from './commands/integrations/index.ts';
import { registerKeyCommands } from './commands/keys.ts';
import { registerLocalCommands } from './commands/local.ts';
import { registerLogsCommand } from './commands/logs.ts';
import { registerNotifyCommand } from './commands/notify.ts';
import { registerProfileCommands } from './commands/profiles.ts';
import { registerTriggerCommands } from './commands/triggers.ts';

/** Exit code of a usage error (unknown command or option, a missing flag). */
export const USAGE_EXIT = 2;

/**
 * Builds the `switchboard` program. Only commander and the REST client load here: the hub, the
 * store and the prompt library are imported by the commands that need them.
 */
export function buildProgram(): Command {
  const program = new Command('switchboard')
    .description('Switchboard: a hub that connects AI agents to Slack, Telegram, email and webhooks')
    .option('--url <url>', 'hub URL (default $SWITCHBOARD_URL or http://localhost:$PORT)')
    .option('--api-key <key>', 'API key (default $SWITCHBOARD_API_KEY, or the local admin key in DATA_DIR)')
    // Global options go before the command, so a command's own --url/--api-key (webhook URL, Resend
    // key) is never mistaken for the hub's — and the hub key is never sent to that URL.
    .enablePositionalOptions()
    // A usage error is one line that points at the help (commander's own wording, then "see --help").
    .configureOutput({ outputError: () => undefined })
    .exitOverride();
  const client = () => new ApiClient(program.opts<{ url?: string; apiKey?: string }>());
  registerLocalCommands(program);
  registerKeyCommands(program, client);
  registerChatCommand(program, client);
  registerLogsCommand(program, client);
  registerProfileCommands(program, client);
  const integrations = registerIntegrationCommands(program, client);
  registerTriggerCommands(integrations.command('webhooks').description('triggers (webhook subscriptions) of your integrations; `switchboard triggers` is the same'), client);
  registerTriggerCommands(program.command('triggers').description('triggers: events that wake an agent or call your URL (alias of `integrations webhooks`)'), client);
  registerNotifyCommand(program, client);
  return program;
}

/** Runs the CLI; prints one line and exits non-zero on any error (2 for usage errors). */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) process.exit(0);
      console.error(`${e.message.split('\n')[0]}; see \`${commandOf(argv)} --help\``);
      process.exit(USAGE_EXIT);
    }
    const message = e instanceof Error && e.name === 'ConfigError' ? e.message : ((e as Error).message ?? String(e));
    console.error(`error: ${message.replace(/\s*\n\s*/g, '; ').replace(/:;/g, ':')}`);
    process.exit(e instanceof CliError ? e.exitCode : 1);
  }
}

/** The deepest command named on the command line, e.g. `switchboard integrations list`, for "see --help". */
function commandOf(argv: string[]): string {
  let cmd: Command = buildProgram();
  const words = ['switchboard'];
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--url' || a === '--api-key') i++;
    if (a.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === a || c.aliases().includes(a));
    if (!sub) break;
    cmd = sub;
    words.push(a);
  }
  return words.join(' ');
}
