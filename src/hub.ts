import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { adapterFactories } from '../adapters/index.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import { Bus } from './bus/index.ts';
import { adapterServices } from './bus/services.ts';
import type { AdapterFactory, ChannelAdapter } from './channel/index.ts';
import type { Config } from './config.ts';
import { Envelope } from './crypto/envelope.ts';
import { loadKeyRing, type KeyRing } from './crypto/keyring.ts';
import { createApp } from './http/app.ts';
import { createLogger } from './log.ts';
import { createStore, migrate, openDatabase, type Db, type Store } from './store/index.ts';
import { verifyMasterKeys } from './store/keys.ts';

/** What routes and commands share: the composed hub. */
export interface HubContext {
  readonly config: Config;
  readonly store: Store;
  readonly bus: Bus;
  readonly log: PinoLogger;
  /** How long `POST /v1/profiles/:id/chat` waits for a reply by default (ms). */
  readonly chatWaitMs: number;
  /** Routers adapters or tests add before the REST API. */
  readonly extraRoutes: Router[];
}

/** Options of {@link createHub}. */
export interface HubOptions {
  logger?: PinoLogger;
  /** Extra adapters (tests), by channel name; they override registry rows of the same name. */
  extraAdapters?: Record<string, AdapterFactory>;
  chatWaitMs?: number;
}

/** A composed hub: open it, `listen()`, and `close()` to drain and shut down. */
export interface Hub extends HubContext {
  readonly db: Db;
  readonly keyRing: KeyRing;
  readonly bootstrap: BootstrapResult;
  /** Starts the workers and the HTTP server; resolves with the bound port. */
  listen(port?: number, host?: string): Promise<number>;
  /** Stops accepting requests, drains the workers, closes the database. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The composition root: config → store (migrated, master key checked) → bus → adapters → HTTP.
 * Refuses to start with a master key that cannot open the database.
 */
export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const log = options.logger ?? createLogger(config.logLevel);
  const keyRing = loadKeyRing(config.masterKeys, config.dataDir, (msg) => log.warn({}, msg));
  const envelope = new Envelope(keyRing);
  const db = openDatabase(config.databaseUrl, { dataDir: config.dataDir });
  try {
    await migrate(db);
    await verifyMasterKeys(db.kysely, keyRing, envelope);
  } catch (e) {
    await db.close();
    throw e;
  }
  const store = createStore(db, envelope);
  let bus: Bus | undefined;
  const services = adapterServices(store, config, log, (events) => bus!.appendInbound(events));
  const adapters = new Map<string, ChannelAdapter>();
  for (const [name, factory] of Object.entries({ ...adapterFactories, ...(options.extraAdapters ?? {}) })) {
    adapters.set(name, (factory as AdapterFactory)({ services }));
  }
  bus = new Bus(store, adapters, config.bus, log, config.allowPrivateUrls);
  const boot = await bootstrap(store, config.dataDir, config.adminKey, log);

  const context: HubContext = { config, store, bus, log, chatWaitMs: options.chatWaitMs ?? 30_000, extraRoutes: [] };
  let server: http.Server | undefined;
  return {
    ...context,
    db,
    keyRing,
    bootstrap: boot,
    async listen(port = config.port, host = '0.0.0.0') {
      const app = createApp(context, log);
      await bus!.start();
      server = http.createServer(app);
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      return (server.address() as AddressInfo).port;
    },
    async close(graceMs = 10_000) {
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
          setTimeout(() => s.closeAllConnections(), Math.min(graceMs, 2000)).unref();
        });
      }
      await bus!.stop(graceMs);
      await db.close();
    },
  };
}
