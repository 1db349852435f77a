import { loadConfig, type BusTuning, type Config } from '../../src/config.ts';
import type { AdapterFactory, AdapterRegistration } from '../../src/channel/index.ts';
import { generateMasterKey } from '../../src/crypto/keyring.ts';
import { createHub, type Hub, type HubOptions } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabase } from './db.ts';

/** Bus timings compressed for tests. */
export const FAST_BUS: Partial<BusTuning> = { pollIntervalMs: 25, retryBaseMs: 20, retryMaxMs: 200, agentTimeoutMs: 2000, leaseMs: 5000, maxAttempts: 4, typingDelayMs: 0 };

/** A running hub on a fresh database, with an admin key, and helpers to call it. */
export interface TestHub {
  hub: Hub;
  config: Config;
  url: string;
  adminKey: string;
  dataDir: string;
  /** Calls the REST API; returns status and parsed JSON. */
  api(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Options of {@link startTestHub}. */
export interface TestHubOptions {
  dialect?: 'sqlite' | 'postgres';
  env?: Record<string, string>;
  bus?: Partial<BusTuning>;
  extraAdapters?: Record<string, AdapterFactory | AdapterRegistration>;
  /** Reuse an existing database instead of a fresh one (restart tests). */
  database?: { url: string; dataDir: string };
  chatWaitMs?: number;
  /** The schedule's clock and poll interval (trigger tests). */
  triggers?: HubOptions['triggers'];
}

/** Starts a hub on 127.0.0.1 with a random port. */
export async function startTestHub(o: TestHubOptions = {}): Promise<TestHub> {
  const db = o.database ? { ...o.database, drop: async () => {} } : await freshDatabase(o.dialect ?? 'sqlite');
  const adminKey = 'sb_test_admin_key_0123456789';
  const config = loadConfig(
    {
      PORT: '0',
      DATA_DIR: db.dataDir,
      DATABASE_URL: db.url,
      SWITCHBOARD_MASTER_KEY: o.env?.SWITCHBOARD_MASTER_KEY ?? TEST_MASTER_KEY,
      SWITCHBOARD_ADMIN_KEY: adminKey,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      ...o.env,
    },
    { ...FAST_BUS, ...o.bus },
  );
  const hub = await createHub(config, { logger: createLogger(config.logLevel), extraAdapters: o.extraAdapters, chatWaitMs: o.chatWaitMs ?? 10_000, triggers: o.triggers });
  const port = await hub.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    hub,
    config,
    url,
    adminKey,
    dataDir: db.dataDir,
    async api(method, path, body, key = adminKey) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await hub.close(2000);
      await db.drop();
    },
  };
}

/** A fixed master key for tests. */
export const TEST_MASTER_KEY = generateMasterKey();

/** Polls `fn` until it returns a truthy value or `ms` pass. */
export async function eventually<T>(fn: () => Promise<T> | T, ms = 5000, step = 20): Promise<T> {
  const until = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, step));
  }
}
