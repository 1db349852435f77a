import type { Command } from 'commander';
import { AuthMethodError, guideOf, resolveAuthMethod } from '../../catalog.ts';
import { CliError, UsageError, type ApiClient } from '../../client.ts';
import { printJson } from '../../output.ts';
import { isInteractive, prompts } from '../../tty.ts';
import { createTriggers, type TriggerPlan } from '../triggers.ts';
import { eventsOf } from './catalog.ts';
import { credentialBody, printShown, type CredentialFlags } from './credentials.ts';
import { availableType, availableTypes } from './data.ts';

const CMD = 'switchboard integrations connect';

/** Flags of `integrations connect`. */
export interface ConnectFlags extends CredentialFlags {
  integration?: string;
  authMethod?: string;
  name?: string;
  profile?: string;
  triggers?: string;
  customWebhook?: boolean;
  hookUrl?: string;
  hideSensitive?: boolean;
  json?: boolean;
}

/** `integrations connect`: flags, or a wizard on a terminal when they are missing. */
export function registerConnect(ints: Command, client: () => ApiClient): void {
  ints
    .command('connect')
    .description('connect a channel; with no flags on a terminal, a wizard (type → auth method → credentials → triggers)')
    .option('--integration <type>', 'the type: telegram | slack | email | webhook | … (see `integrations available`)')
    .option('--auth-method <method>', 'how: token (bot token, API key, URL), oauth (Slack), shared (the hub\'s Telegram bot); hook: standard | github | bearer')
    .option('--token <token>', 'bot token (telegram)')
    .option('--api-key <key>', 'Resend API key (email)')
    .option('--from <address>', 'sender address (email)')
    .option('--to <address>', 'recipient address (email; default your email)')
    .option('--url <url>', 'endpoint (webhook)')
    .option('--secret [whsec]', 'sign webhook deliveries (generated when no value is given)')
    .option('--name <name>', 'a name for the integration')
    .option('-p, --profile <profile>', 'grant it to this profile (and wake it on --triggers)')
    .option('--triggers <events>', 'comma-separated trigger events to create, or "all"')
    .option('--custom-webhook', 'deliver the --triggers to --hook-url instead of waking the agent')
    .option('--hook-url <url>', 'your URL for --custom-webhook triggers')
    .option('--hide-sensitive [bool]', 'mask the secrets shown once (webhook secret) in the output', (v) => v !== 'false')
    .option('--json', 'print JSON')
    .action(async (o: ConnectFlags) => connectCommand(client(), o));
}

/** Runs a connect from flags, asking on a terminal for what is missing. */
export async function connectCommand(api: ApiClient, o: ConnectFlags): Promise<void> {
  if (o.customWebhook && !o.hookUrl) throw new UsageError('--custom-webhook needs --hook-url <url>', CMD);
  const wizard = isInteractive();
  let typeName = o.integration;
  if (!typeName) {
    if (!wizard) throw new UsageError('connect needs --integration <type> and its credentials (--token, --api-key and --from, or --url); on a terminal it asks', CMD);
    const types = await availableTypes(api);
    typeName = await (await prompts()).select({
      message: 'Which integration?',
      choices: types.map((t) => ({ name: `${t.auth_methods.includes('oauth') ? '🔐' : '🔑'} ${guideOf(t.type).label} (${t.type})`, value: t.type, description: guideOf(t.type).description })),
    });
  }
  const type = await availableType(api, typeName);
  let method: string;
  try {
    if (!o.authMethod && wizard && type.auth_methods.length > 1) {
      method = await (await prompts()).select({ message: 'Auth method?', choices: type.auth_methods.map((m) => ({ name: m === 'shared' ? 'shared (pair with the hub\'s bot, one tap)' : m, value: m })) });
    } else method = resolveAuthMethod(type.type, type.auth_methods, o.authMethod);
  } catch (e) {
    if (e instanceof AuthMethodError) throw new CliError(e.message, 2);
    throw e;
  }

  if (method === 'oauth') {
    const r = await api.request<{ url: string }>('GET', `/v1/integrations/${encodeURIComponent(type.type)}/install`);
    if (o.json) return printJson(r);
    console.log(`Open this link to install ${guideOf(type.type).label}:\n\n  ${r.url}\n`);
    if (o.triggers) console.log('Triggers need the connection: after the install, run `switchboard triggers create --connection <id> --event <event>`.');
    return;
  }
  if (method === 'shared') {
    const p = await api.request<{ deep_link: string; expires_at: string }>('POST', `/v1/integrations/${encodeURIComponent(type.type)}/pair`, {});
    if (o.json) return printJson(p);
    return void console.log(`Open this link in Telegram and press Start (once, before ${p.expires_at}):\n\n  ${p.deep_link}\n`);
  }

  const body = { type: type.type, ...(o.name ? { name: o.name } : {}), ...(await credentialBody(type.type, o, CMD, false, method)) };
  const plan = await triggerPlan(api, type.type, o, wizard && !o.integration);
  const r = await api.request<{ integration: { id: string; type: string; name: string } } & Record<string, unknown>>('POST', '/v1/integrations', body);
  const id = r.integration.id;
  const profile = o.profile ?? plan?.profile;
  if (profile) await api.request('PUT', `/v1/profiles/${encodeURIComponent(profile)}/grants/${encodeURIComponent(id)}`);
  const events = plan?.events.includes('all') ? (await eventsOf(api, `integration_id=${encodeURIComponent(id)}`, false)).filter((e) => e.available !== false).map((e) => e.event) : (plan?.events ?? []);
  const made = plan ? await createTriggers(api, events.map((event) => ({ ...plan, event, integrationId: id, profile }))) : [];
  if (o.json) return printJson({ ...r, ...(profile ? { granted_to: profile } : {}), triggers: made });
  console.log(`Connected ${r.integration.type} ${r.integration.name} (${id}).`);
  if (profile) console.log(`Granted to profile ${profile}.`);
  printShown(r, !!o.hideSensitive);
  for (const t of made) console.log(`Trigger ${t.trigger.event} created (${t.trigger.id}).${t.secret ? ` Its signing secret (shown once): ${o.hideSensitive ? `${t.secret.slice(0, 6)}… (hidden by --hide-sensitive)` : t.secret}` : ''}`);
}

/** The triggers to create after connecting: from --triggers, or asked in the wizard (opt-in). */
async function triggerPlan(api: ApiClient, type: string, o: ConnectFlags, ask: boolean): Promise<(Omit<TriggerPlan, 'event' | 'integrationId'> & { events: string[] }) | undefined> {
  if (o.triggers) {
    const events = o.triggers.split(',').map((e) => e.trim()).filter(Boolean);
    if (events.length === 0) throw new UsageError('--triggers needs event names (comma-separated) or "all"', CMD);
    return { events, hookUrl: o.hookUrl, profile: o.profile };
  }
  if (!ask) return undefined;
  const p = await prompts();
  const profiles = (await api.request<{ profiles: { id: string; name: string }[] }>('GET', '/v1/profiles')).profiles;
  const profile = await p.select({ message: 'Grant it to which profile?', choices: [...profiles.map((x) => ({ name: x.name, value: x.name })), { name: '(none for now)', value: '' }] });
  const available = (await eventsOf(api, `type=${encodeURIComponent(type)}`, true)).filter((e) => e.available !== false);
  if (available.length === 0 || !(await p.confirm({ message: 'Do you want to configure triggers now?', default: false }))) return profile ? { events: [], profile } : undefined;
  const events = await p.checkbox({ message: 'Which events?', choices: available.map((e) => ({ name: `${e.event}${e.description ? ` — ${e.description}` : ''}`, value: e.event })) });
  const mode = await p.select({ message: 'When one happens:', choices: [{ name: 'wake the agent', value: 'agent' }, { name: 'POST it to a URL of mine', value: 'url' }] });
  const hookUrl = mode === 'url' ? await p.input({ message: 'Your URL (https):' }) : undefined;
  return { events, hookUrl, profile: profile || undefined };
}
