import type { Command } from 'commander';
import { UsageError, type ApiClient } from '../client.ts';
import { printJson, RULE, triggerIcon } from '../output.ts';
import { isInteractive, prompts } from '../tty.ts';
import { eventLine, eventsOf } from './integrations/catalog.ts';
import { listIntegrations, listTriggers, type Trigger } from './integrations/data.ts';

const enc = encodeURIComponent;

/** What one trigger to create is made of. */
export interface TriggerPlan {
  event: string;
  /** The integration it listens to; none for hub events (schedule.tick, delivery.failed…). */
  integrationId?: string;
  /** Deliver to this URL (mode `url`) instead of waking the agent (mode `agent`, the default). */
  hookUrl?: string;
  profile?: string;
  /** Minutes between schedule ticks: 60, 120, 240, 480, 720, 1440 or 2880. */
  interval?: number;
  replyChannel?: string;
}

/** Creates triggers one by one; resolves with what the hub answered (a url trigger's secret once). */
export async function createTriggers(api: ApiClient, plans: TriggerPlan[]): Promise<{ trigger: Trigger; secret?: string }[]> {
  const made: { trigger: Trigger; secret?: string }[] = [];
  for (const p of plans) {
    const body = {
      ...(p.integrationId ? { integration_id: p.integrationId } : {}),
      event: p.event,
      mode: p.hookUrl ? 'url' : 'agent',
      ...(p.hookUrl ? { url: p.hookUrl } : {}),
      ...(p.profile ? { profile_id: p.profile } : {}),
      ...(p.interval !== undefined ? { interval: p.interval } : {}),
      ...(p.replyChannel ? { reply_channel: p.replyChannel } : {}),
    };
    made.push(await api.feature<{ trigger: Trigger; secret?: string }>('triggers', 'POST', '/v1/triggers', body));
  }
  return made;
}

interface TriggerFlags {
  connection?: string;
  connectionId?: string;
  integration?: string;
  event?: string;
  profile?: string;
  hookUrl?: string;
  interval?: string;
  replyChannel?: string;
  reason?: string;
  webhookId?: string;
  triggerId?: string;
  json?: boolean;
}

/**
 * `list | events | create | delete | pause | resume` under `parent` (`integrations webhooks` and its
 * alias `triggers`); alone on a terminal, a menu of them.
 */
export function registerTriggerCommands(parent: Command, client: () => ApiClient): void {
  const name = parent.parent?.name() === 'integrations' ? 'switchboard integrations webhooks' : 'switchboard triggers';
  const conn = (c: Command) => c.option('--connection <id>', 'an integration id').option('--connection-id <id>', 'same as --connection');
  const target = (c: Command) => c.option('--webhook-id <id>', 'the trigger id').option('--trigger-id <id>', 'same as --webhook-id');
  const connectionOf = (o: TriggerFlags) => o.connection ?? o.connectionId;

  parent.action(async () => {
    if (!isInteractive()) return parent.help();
    const p = await prompts();
    const what = await p.select({ message: 'Triggers:', choices: ['list', 'create', 'pause', 'resume', 'delete'].map((v) => ({ name: v, value: v })) });
    const api = client();
    if (what === 'list') return listCmd(api, {});
    const chosen = what === 'create' ? undefined : await pickTrigger(api, what);
    if (what === 'create') return createCmd(api, {}, name);
    return actOn(api, what as 'pause' | 'resume' | 'delete', { webhookId: chosen }, name);
  });
  conn(parent.command('list').description('your triggers: ✅ active, ⏸️ paused, 🔴 unhealthy').option('--json', 'print JSON')).action(async (o: TriggerFlags) => listCmd(client(), o));
  conn(parent.command('events').description('the events an integration type (or a connection) can trigger on'))
    .option('--integration <type>', 'an integration type, before connecting')
    .option('--json', 'print JSON')
    .action(async (o: TriggerFlags) => {
      const c = connectionOf(o);
      if (!c && !o.integration) throw new UsageError('events needs --integration <type> or --connection <id>', name);
      const events = await eventsOf(client(), c ? `integration_id=${enc(c)}` : `type=${enc(o.integration!)}`, false);
      if (o.json) return printJson({ events, total: events.length });
      console.log(`⚡ Trigger events for ${c ?? o.integration}`);
      console.log(RULE);
      for (const e of events) console.log(eventLine(e, '  '));
      if (events.length === 0) console.log('  (none)');
      console.log(RULE);
    });
  conn(parent.command('create').description('create a trigger: wakes the agent, or POSTs to --hook-url'))
    .option('--event <event>', 'the event, e.g. message.received, hook.received, schedule.tick')
    .option('-p, --profile <profile>', 'the profile to wake (mode agent)')
    .option('--hook-url <url>', 'deliver to this URL instead (mode url)')
    .option('--interval <minutes>', 'schedule.tick: 60, 120, 240, 480, 720, 1440 or 2880; email.received (polled): 1, 5, 15, 30 or 60 (default 5)')
    .option('--reply-channel <channel>', 'where the agent\'s answer is sent, e.g. telegram or slack')
    .option('--json', 'print JSON')
    .action(async (o: TriggerFlags) => createCmd(client(), o, name));
  target(parent.command('delete').description('delete a trigger')).option('--json', 'print JSON').action(async (o: TriggerFlags) => actOn(client(), 'delete', o, name));
  for (const verb of ['pause', 'resume'] as const) {
    const c = conn(target(parent.command(verb).description(`${verb} one trigger (--webhook-id) or every trigger of a connection (--connection-id)`)));
    if (verb === 'pause') c.option('--reason <text>', 'why (shown in the list)');
    c.option('--json', 'print JSON').action(async (o: TriggerFlags) => actOn(client(), verb, { ...o, connectionId: connectionOf(o) }, name));
  }
}

async function listCmd(api: ApiClient, o: TriggerFlags): Promise<void> {
  const c = o.connection ?? o.connectionId;
  const [all, integrations] = await Promise.all([listTriggers(api), listIntegrations(api)]);
  const triggers = c ? all.filter((t) => t.integration_id === c) : all;
  if (o.json) return printJson({ triggers, total: triggers.length });
  console.log(RULE);
  console.log('⚡ Triggers');
  console.log(RULE);
  const groups = new Map<string, Trigger[]>();
  for (const t of triggers) groups.set(t.integration_id ?? '', [...(groups.get(t.integration_id ?? '') ?? []), t]);
  for (const [integrationId, ts] of groups) {
    const i = integrations.find((x) => x.id === integrationId);
    console.log(`\n📦 ${i ? `${i.type} ${i.name} (${i.id})` : integrationId || 'hub events'}`);
    for (const t of ts) {
      const how = t.mode === 'url' ? `url ${t.url ?? ''}` : `agent${t.profile_id ? ` ${t.profile_id}` : ''}`;
      const state = t.status === 'paused' ? ` (paused by you${t.status_reason ? `: ${t.status_reason}` : ''})` : t.status === 'unhealthy' ? ` (unhealthy${t.status_reason ? `: ${t.status_reason}` : ''})` : '';
      const every = t.virtual && t.interval ? ` [virtual, ${t.interval} min interval]` : '';
      console.log(`   ${triggerIcon(t.status)} ${t.event}${every}${state} (${how}${t.interval && !t.virtual ? `, every ${t.interval} min` : ''})`);
      console.log(`      ID: ${t.id}`);
    }
  }
  if (triggers.length) console.log();
  console.log(RULE);
  console.log(`Total: ${triggers.length} trigger${triggers.length === 1 ? '' : 's'}`);
}

async function createCmd(api: ApiClient, o: TriggerFlags, name: string): Promise<void> {
  let connection = o.connection ?? o.connectionId;
  let event = o.event;
  if (!event) {
    if (!isInteractive()) throw new UsageError('create needs --event <event> (and --connection <id> for an integration\'s events)', name);
    const p = await prompts();
    const integrations = await listIntegrations(api);
    connection ??= (await p.select({ message: 'Which connection?', choices: [...integrations.map((i) => ({ name: `${i.type} ${i.name} (${i.id})`, value: i.id })), { name: '(the hub: schedule, delivery failures)', value: '' }] })) || undefined;
    const events = (await eventsOf(api, connection ? `integration_id=${enc(connection)}` : '', true)).filter((e) => e.available !== false);
    event = events.length ? await p.select({ message: 'Which event?', choices: events.map((e) => ({ name: e.event, value: e.event, description: e.description })) }) : await p.input({ message: 'Event:' });
  }
  const interval = o.interval === undefined ? undefined : Number(o.interval);
  if (interval !== undefined && !Number.isInteger(interval)) throw new UsageError(`--interval must be whole minutes (schedule.tick: 60, 120, 240, 480, 720, 1440 or 2880; email.received: 1, 5, 15, 30 or 60), got ${o.interval}`, name);
  const [made] = await createTriggers(api, [{ event, integrationId: connection, hookUrl: o.hookUrl, profile: o.profile, interval, replyChannel: o.replyChannel }]);
  if (o.json) return printJson(made);
  const t = made.trigger;
  console.log(`${triggerIcon(t.status)} Created trigger ${t.event} (${t.id}), ${t.mode === 'url' ? `delivered to ${t.url}` : `waking profile ${t.profile_id}`}${t.interval ? `, ${t.virtual ? 'polled ' : ''}every ${t.interval} min` : ''}.`);
  if (made.secret) console.log(`Signing secret (shown once; verify deliveries with it): ${made.secret}`);
}

async function pickTrigger(api: ApiClient, verb: string): Promise<string> {
  const all = await listTriggers(api);
  const candidates = all.filter((t) => (verb === 'resume' ? t.status === 'paused' : verb === 'pause' ? t.status !== 'paused' : true));
  if (candidates.length === 0) throw new UsageError(`no trigger to ${verb}`, 'switchboard triggers');
  return (await prompts()).select({ message: `Which trigger to ${verb}?`, choices: candidates.map((t) => ({ name: `${triggerIcon(t.status)} ${t.event} (${t.id})`, value: t.id })) });
}

async function actOn(api: ApiClient, verb: 'pause' | 'resume' | 'delete', o: TriggerFlags, name: string): Promise<void> {
  const id = o.webhookId ?? o.triggerId;
  const connection = o.connectionId ?? o.connection;
  if (!id && !(connection && verb !== 'delete')) {
    if (!isInteractive()) throw new UsageError(`${verb} needs --webhook-id <id>${verb === 'delete' ? '' : ' or --connection-id <id>'}`, name);
    return actOn(api, verb, { ...o, webhookId: await pickTrigger(api, verb) }, name);
  }
  const body = verb === 'pause' && o.reason ? { reason: o.reason } : {};
  if (verb === 'delete') {
    await api.feature('triggers', 'DELETE', `/v1/triggers/${enc(id!)}`);
    return o.json ? printJson({ deleted: id }) : void console.log(`Deleted trigger ${id}.`);
  }
  const done = verb === 'pause' ? 'paused' : 'resumed';
  if (id) {
    const r = await api.feature<{ trigger: Trigger; changed: boolean }>('triggers', 'POST', `/v1/triggers/${enc(id)}/${verb}`, body);
    if (o.json) return printJson(r);
    return void console.log(`${triggerIcon(r.trigger.status)} Trigger ${id} ${r.changed ? done : `was already ${done === 'paused' ? 'paused' : 'active'}; unchanged`}.`);
  }
  const r = await api.feature<{ changed: number; total: number }>('triggers', 'POST', `/v1/integrations/${enc(connection!)}/triggers/${verb}`, body);
  if (o.json) return printJson(r);
  console.log(`${done === 'paused' ? 'Paused' : 'Resumed'} ${r.changed} of ${r.total} trigger${r.total === 1 ? '' : 's'} of ${connection}.`);
}
