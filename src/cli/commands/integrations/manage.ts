import type { Command } from 'commander';
import { CliError, UsageError, type ApiClient } from '../../client.ts';
import { printJson, printObject } from '../../output.ts';
import { confirmOrForce, isInteractive, prompts } from '../../tty.ts';
import { credentialBody, printShown, type CredentialFlags } from './credentials.ts';
import { listIntegrations, type Integration } from './data.ts';

const enc = encodeURIComponent;

interface UpdateFlags extends CredentialFlags {
  name?: string;
  default?: boolean;
  set?: string[];
  hideSensitive?: boolean;
  json?: boolean;
}

/** `integrations update`, `disconnect`, `link-code`, `test`. */
export function registerManage(ints: Command, client: () => ApiClient): void {
  ints
    .command('update [id]')
    .description('replace credentials in place (new bot token, Resend key, webhook URL or secret; Slack: a re-install link), keeping grants, triggers and history; or change settings')
    .option('--connection-id <id>', 'the integration (instead of the argument)')
    .option('--token <token>', 'a new bot token (telegram)')
    .option('--api-key <key>', 'a new Resend API key (email)')
    .option('--from <address>', 'a new sender (email)')
    .option('--to <address>', 'a new recipient (email)')
    .option('--url <url>', 'a new endpoint (webhook)')
    .option('--secret [whsec]', 'a new signing secret (webhook; generated when no value is given)')
    .option('--name <name>', 'rename')
    .option('--default', 'make it the default of its type')
    .option('--set <key=value...>', 'a setting, e.g. dm_policy=open or mcp_tools=false (JSON values allowed)')
    .option('--hide-sensitive [bool]', 'mask the secrets shown once', (v) => v !== 'false')
    .option('--json', 'print JSON')
    .action(async (arg: string | undefined, o: UpdateFlags & { connectionId?: string }) => updateCommand(client(), arg ?? o.connectionId, o));
  ints
    .command('disconnect [id]')
    .description('disconnect: revokes downstream access and deletes the secrets; asks on a terminal, --force otherwise')
    .option('--connection-id <id>', 'the integration (instead of the argument)')
    .option('--force', 'do not ask')
    .action(async (arg: string | undefined, o: { connectionId?: string; force?: boolean }) => disconnectCommand(client(), arg ?? o.connectionId, !!o.force));
  ints
    .command('link-code <id>')
    .description('a fresh one-time /link code for a Telegram bot (valid one hour)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await client().request('POST', `/v1/integrations/${enc(id)}/link-code`, {});
      if (o.json) return printJson(r);
      console.log(`${r.link.instructions}\nExpires at ${r.link.expires_at}.`);
    });
  ints
    .command('test <id>')
    .description('send a test event through an integration (webhook)')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => printObject(await client().request('POST', `/v1/integrations/${enc(id)}/test`, {}), !!o.json));
}

/** Picks an integration on a terminal, or names the missing flag. */
export async function pickIntegration(api: ApiClient, verb: string, command: string): Promise<Integration> {
  if (!isInteractive()) throw new UsageError(`${verb} needs an integration id (argument or --connection-id <id>)`, command);
  const all = await listIntegrations(api);
  if (all.length === 0) throw new CliError('You have no integrations; connect one with `switchboard integrations connect`');
  const id = await (await prompts()).select({ message: `Which integration to ${verb}?`, choices: all.map((i) => ({ name: `${i.type} ${i.name} (${i.id})`, value: i.id })) });
  return all.find((i) => i.id === id)!;
}

async function getIntegration(api: ApiClient, id: string): Promise<Integration> {
  return (await api.request<{ integration: Integration }>('GET', `/v1/integrations/${enc(id)}`)).integration;
}

/** Settings and/or credentials of one integration. */
export async function updateCommand(api: ApiClient, id: string | undefined, o: UpdateFlags): Promise<void> {
  const cmd = 'switchboard integrations update';
  const row = id ? await getIntegration(api, id) : await pickIntegration(api, 'update', cmd);
  const patch: Record<string, unknown> = {};
  if (o.default) patch.is_default = true;
  for (const kv of o.set ?? []) {
    const at = kv.indexOf('=');
    if (at < 1) throw new UsageError(`--set expects key=value, got ${kv}`, cmd);
    const raw = kv.slice(at + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      /* a plain string */
    }
    patch[kv.slice(0, at)] = value;
  }
  const creds = [o.token, o.apiKey, o.from, o.to, o.url, o.secret].some((v) => v !== undefined);
  const settingsOnly = !creds && (Object.keys(patch).length > 0 || o.name !== undefined);
  if (row.type === 'slack' && !settingsOnly) {
    const r = await api.request<{ url: string }>('GET', '/v1/integrations/slack/install');
    if (o.json) return printJson(r);
    return void console.log(`Slack credentials are renewed by installing the app again (grants, triggers and history stay):\n\n  ${r.url}\n`);
  }
  let answer: Record<string, unknown> | undefined;
  if (!settingsOnly) {
    const body = await credentialBody(row.type, o, cmd, true, row.config.verify as string | undefined);
    if (o.name) body.name = o.name;
    answer = await api.request('PUT', `/v1/integrations/${enc(row.id)}/credentials`, body);
  }
  if (Object.keys(patch).length > 0 || (settingsOnly && o.name)) {
    answer = { ...answer, ...(await api.request('PATCH', `/v1/integrations/${enc(row.id)}`, { ...patch, ...(o.name && settingsOnly ? { name: o.name } : {}) })) };
  }
  if (o.json) return printJson(answer);
  const i = answer!.integration as Integration;
  console.log(`Updated ${i.type} ${i.name} (${i.id})${creds ? ': new credentials in place; grants, triggers and history kept' : ''}.`);
  printShown(answer!, !!o.hideSensitive);
}

/** Disconnects one integration after confirmation (a terminal) or with --force. */
export async function disconnectCommand(api: ApiClient, id: string | undefined, force: boolean): Promise<void> {
  const cmd = 'switchboard integrations disconnect';
  const row = id ? await getIntegration(api, id) : await pickIntegration(api, 'disconnect', cmd);
  if (!(await confirmOrForce(`Disconnect ${row.type} ${row.name} (${row.id})? Its secrets are deleted and its triggers stop.`, force, cmd))) {
    return void console.log('Nothing changed.');
  }
  await api.request('DELETE', `/v1/integrations/${enc(row.id)}`);
  console.log(`Disconnected ${row.id}.`);
}
