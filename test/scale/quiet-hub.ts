import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { createRequestListener } from '../../src/http/listener.ts';
import { createHub, type Hub } from '../../src/hub.ts';
import { createLogger } from '../../src/log.ts';
import { freshDatabase } from '../helpers/db.ts';
import { TEST_MASTER_KEY } from '../helpers/hub.ts';

/**
 * A hub whose HTTP API is served but whose workers never start: no poll, lease or schedule runs in
 * the background, so every statement the database sees while a request is handled is that request's.
 */
export interface QuietHub {
  hub: Hub;
  url: string;
  adminKey: string;
  api(method: string, path: string, body?: unknown, key?: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Starts a {@link QuietHub} on a fresh database of `dialect` with extra environment `env`. */
export async function startQuietHub(dialect: 'sqlite' | 'postgres', env: Record<string, string>): Promise<QuietHub> {
  const db = await freshDatabase(dialect);
  const adminKey = 'sb_test_admin_key_0123456789';
  const config = loadConfig({ PORT: '0', DATA_DIR: db.dataDir, DATABASE_URL: db.url, SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_ADMIN_KEY: adminKey, LOG_LEVEL: 'silent', ...env });
  const hub = await createHub(config, { logger: createLogger('silent') });
  const server = http.createServer(createRequestListener(hub, hub.log));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    hub,
    url,
    adminKey,
    async api(method, path, body, key = adminKey) {
      const res = await fetch(url + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await hub.db.close();
      await db.drop();
    },
  };
}

/**
 * Records the statements every Kysely instance of the process sends (transactions included: they
 * share the executor's prototype). `during(fn)` resolves with fn's result and, per statement, its SQL
 * and how many rows it returned (`<sql> → <n> rows`), so a scan of many rows shows even when the
 * number of statements does not change.
 */
export function statementCounter(kysely: Kysely<any>): { during<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }>; restore(): void } {
  let proto: any = Object.getPrototypeOf(kysely.getExecutor());
  while (proto && !Object.hasOwn(proto, 'executeQuery')) proto = Object.getPrototypeOf(proto);
  const original = proto.executeQuery;
  let seen: string[] | undefined;
  proto.executeQuery = async function (this: unknown, compiled: { sql: string }, ...rest: unknown[]) {
    // Write announcements to other replicas (PostgreSQL) follow the writes a tick later, beside the
    // request; their number follows the writes counted here, their timing does not.
    const into = compiled.sql.startsWith('select pg_notify(') ? undefined : seen;
    const at = into?.push(compiled.sql);
    const result = await original.call(this, compiled, ...rest);
    if (into && at) into[at - 1] = `${compiled.sql} → ${result.rows.length} rows`;
    return result;
  };
  return {
    async during(fn) {
      seen = [];
      try {
        const result = await fn();
        return { result, sql: seen };
      } finally {
        seen = undefined;
      }
    },
    restore: () => void (proto.executeQuery = original),
  };
}
