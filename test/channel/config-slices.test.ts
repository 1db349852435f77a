import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { adapterRegistry } from '../../adapters/index.ts';
import { defineAdapterConfig, type AdapterDeps, type AdapterRegistration, type ChannelAdapter } from '../../src/channel/index.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { createHub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { eventually, startTestHub, TEST_MASTER_KEY, type TestHub } from '../helpers/hub.ts';

/** Every string reachable from a value: own properties (enumerable or not, symbols too), array items, map entries. */
function reachableStrings(root: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const visit = (v: unknown): void => {
    if (typeof v === 'string') return void out.push(v);
    if ((typeof v !== 'object' && typeof v !== 'function') || v === null || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) for (const [k, x] of v) (visit(k), visit(x));
    if (v instanceof Set) for (const x of v) visit(x);
    for (const key of Reflect.ownKeys(v)) {
      if (typeof key === 'string') out.push(key);
      const d = Object.getOwnPropertyDescriptor(v, key);
      if (d && 'value' in d) visit(d.value);
    }
  };
  visit(root);
  return out;
}

/** A channel that exists only in this test: its settings come from its own schema, not from src/config.ts. */
const pagerConfig = defineAdapterConfig({
  schema: z
    .object({
      PAGER_API_URL: z.url(),
      PAGER_PRIORITY: z.enum(['low', 'high']).default('low'),
    })
    .transform((e) => ({ apiUrl: e.PAGER_API_URL, priority: e.PAGER_PRIORITY })),
});

interface PagerSend {
  text: string;
  apiUrl: string;
  priority: string;
}

function pagerRegistration(sent: PagerSend[]): AdapterRegistration {
  return {
    config: pagerConfig,
    create: ({ services }): ChannelAdapter => ({
      name: 'pager',
      capabilities: { category: 'notification', inbound: false, maxTextLength: 1000, threads: false, multiRow: false, authMethods: ['none'] },
      async send(message) {
        const own = pagerConfig.of(services);
        sent.push({ text: message.text, apiUrl: own.apiUrl, priority: own.priority });
        return { messageIds: [`page-${sent.length}`] };
      },
      async connect() {
        return { name: 'pager', config: {}, secrets: {} };
      },
    }),
  };
}

describe('adapter config slices', () => {
  let t: TestHub | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('gives no adapter the master key, the admin key, the database URL or another channel\'s secrets', async () => {
    const given = new Map<string, AdapterDeps>();
    const spied = Object.fromEntries(
      Object.entries(adapterRegistry).map(([name, row]: [string, AdapterRegistration]) => [
        name,
        { ...row, create: (deps: AdapterDeps) => (given.set(name, deps), row.create(deps)) },
      ]),
    );
    const slackSecret = 'slack-signing-secret-4f1d9c';
    const slackClientSecret = 'slack-client-secret-77ab20';
    t = await startTestHub({ env: { SLACK_SIGNING_SECRET: slackSecret, SLACK_CLIENT_ID: '123.456', SLACK_CLIENT_SECRET: slackClientSecret }, extraAdapters: spied });

    expect([...given.keys()].sort()).toEqual(Object.keys(adapterRegistry).sort());
    const forbidden = { masterKey: TEST_MASTER_KEY, adminKey: t.adminKey, databaseUrl: t.config.databaseUrl, dataDir: t.dataDir };
    for (const [name, deps] of given) {
      const strings = reachableStrings(deps);
      const text = strings.join('\n');
      for (const [what, value] of Object.entries(forbidden)) {
        expect(text.includes(value), `${name} adapter can see the ${what}`).toBe(false);
      }
      // Each channel sees its own secrets and nobody else's.
      expect(text.includes(slackSecret), `${name} adapter and the Slack signing secret`).toBe(name === 'slack');
      expect(text.includes(slackClientSecret), `${name} adapter and the Slack client secret`).toBe(name === 'slack');
      // The hub-wide, non-secret values are there for everyone.
      expect(deps.services.config.publicUrl).toBe(t.config.publicUrl);
    }
  });

  it('refuses to start on a bad TELEGRAM_MODE, naming the variable and the allowed values, before touching the database', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-slices-'));
    try {
      const config = loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, TELEGRAM_MODE: 'push' });
      const started = createHub(config, { logger: createLogger('silent') });
      await expect(started).rejects.toBeInstanceOf(ConfigError);
      const message = await started.catch((e: Error) => e.message);
      expect(message).toMatch(/TELEGRAM_MODE/);
      expect(message).toMatch(/webhook/);
      expect(message).toMatch(/polling/);
      expect(fs.readdirSync(dataDir)).toEqual([]);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('runs a new channel on its own declared settings, with no edit to the hub config', async () => {
    const sent: PagerSend[] = [];
    t = await startTestHub({ env: { PAGER_API_URL: 'https://pager.example/v2', PAGER_PRIORITY: 'high' }, extraAdapters: { pager: pagerRegistration(sent) } });
    const created = await t.api('POST', '/v1/integrations', { type: 'pager' });
    expect(created.status).toBe(201);
    expect((await t.api('PUT', `/v1/profiles/default/grants/${created.body.integration.id}`)).status).toBe(200);
    const r = await t.api('POST', '/v1/notify', { profile_id: 'default', channel: 'pager', message: 'disk full' });
    expect(r.status).toBe(202);
    await eventually(() => sent.length === 1);
    expect(sent[0]).toEqual({ text: 'disk full', apiUrl: 'https://pager.example/v2', priority: 'high' });
  });

  it('fails start-up naming a new channel\'s missing and bad variables', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchboard-slices-'));
    try {
      const config = loadConfig({ DATA_DIR: dataDir, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, PAGER_PRIORITY: 'urgent' });
      const message = await createHub(config, { logger: createLogger('silent'), extraAdapters: { pager: pagerRegistration([]) } }).then(
        () => 'started',
        (e: Error) => e.message,
      );
      expect(message).toMatch(/PAGER_API_URL/);
      expect(message).toMatch(/PAGER_PRIORITY: .*low.*high/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
