import type { Command } from 'commander';
import type { ApiClient } from '../client.ts';
import { printObject, printTable } from '../output.ts';

const enc = encodeURIComponent;

/** `switchboard profiles …` and `switchboard users create`. */
export function registerProfileCommands(program: Command, client: () => ApiClient): void {
  const profiles = program.command('profiles').description('manage agent profiles');
  profiles
    .command('create <name>')
    .description('create a profile (echo agent unless --agent-url is given); prints its token once')
    .option('--agent-url <url>', 'an HTTP agent: the hub POSTs signed messages here')
    .option('--agent-secret <whsec>', 'the whsec_ secret to sign with (generated when absent)')
    .option('--llm', 'the built-in model agent (an OpenAI-compatible chat-completions server); needs --model')
    .option('--model <model>', 'with --llm: the model name, e.g. gpt-4o-mini or llama3.2')
    .option('--base-url <url>', 'with --llm: the server (default OPENAI_BASE_URL of the hub)')
    .option('--system <prompt>', 'with --llm: the system prompt')
    .option('--api-key <key>', 'with --llm: the server key (default OPENAI_API_KEY of the hub); stored sealed')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { agentUrl?: string; agentSecret?: string; llm?: boolean; model?: string; baseUrl?: string; system?: string; apiKey?: string; json?: boolean }) => {
      if (o.llm && !o.model) throw new Error('--llm needs --model <model>');
      const llm = { kind: 'llm', model: o.model, ...(o.baseUrl ? { base_url: o.baseUrl } : {}), ...(o.system ? { system: o.system } : {}), ...(o.apiKey ? { api_key: o.apiKey } : {}) };
      const agent = o.llm ? llm : o.agentUrl ? { kind: 'http', url: o.agentUrl, ...(o.agentSecret ? { secret: o.agentSecret } : {}) } : { kind: 'echo' };
      const r = await client().request('POST', '/v1/profiles', { name, agent });
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`Created profile ${r.profile.name} (${r.profile.id}).`);
      console.log(`Token (shown once): ${r.token}`);
      if (r.agent_secret) console.log(`Agent signing secret (shown once): ${r.agent_secret}`);
    });
  profiles
    .command('list')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const r = await client().request('GET', '/v1/profiles');
      const rows = r.profiles.map((p: any) => ({ id: p.id, name: p.name, agent: p.agent.kind === 'http' ? p.agent.url : p.agent.kind === 'llm' ? `llm:${p.agent.model}` : p.agent.kind, grants: p.grants.length }));
      printTable(rows, ['id', 'name', 'agent', 'grants'], !!o.json, r);
    });
  profiles
    .command('show <profile>')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const r = await client().request('GET', `/v1/profiles/${enc(id)}`);
      printObject(o.json ? r : r.profile, !!o.json);
    });
  profiles
    .command('delete <profile>')
    .action(async (id: string) => {
      await client().request('DELETE', `/v1/profiles/${enc(id)}`);
      console.log(`Deleted profile ${id}.`);
    });
  profiles
    .command('grant <profile> <integrationId>')
    .description('let a profile use an integration (chat integrations route their messages to it)')
    .action(async (id: string, integrationId: string) => {
      await client().request('PUT', `/v1/profiles/${enc(id)}/grants/${enc(integrationId)}`);
      console.log(`Granted ${integrationId} to ${id}.`);
    });
  profiles
    .command('revoke <profile> <integrationId>')
    .action(async (id: string, integrationId: string) => {
      await client().request('DELETE', `/v1/profiles/${enc(id)}/grants/${enc(integrationId)}`);
      console.log(`Revoked ${integrationId} from ${id}.`);
    });

  const users = program.command('users').description('manage users (admin)');
  users
    .command('create')
    .requiredOption('--email <email>', 'the new user\'s email')
    .option('--name <name>', 'display name')
    .option('--admin', 'make the user an admin')
    .option('--json', 'print JSON')
    .action(async (o: { email: string; name?: string; admin?: boolean; json?: boolean }) => {
      const r = await client().request('POST', '/v1/users', { email: o.email, name: o.name, ...(o.admin ? { admin: true } : {}) });
      if (o.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`Created user ${r.user.email} (${r.user.id}).`);
      console.log(`API key (shown once): ${r.api_key}`);
    });
}
