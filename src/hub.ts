import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Logger as PinoLogger } from 'pino';
import { adapterRegistry } from '../adapters/index.ts';
import { bootstrap, type BootstrapResult } from './bootstrap.ts';
import { Bus } from './bus/index.ts';
import { adapterServices } from './bus/services.ts';
import type { AdapterFactory, AdapterRegistration, AdapterSettings, ChannelAdapter } from './channel/index.ts';
import { ConfigError, type Config } from './config.ts';
import { Envelope } from './crypto/envelope.ts';
import { loadKeyRing, type KeyRing } from './crypto/keyring.ts';
import { createRequestListener } from './http/listener.ts';
import { Triggers, type TriggerOptions } from './bus/triggers/index.ts';
import { parseLlmEnv } from './llm/env.ts';
import { createLogger } from './log.ts';
import { watchDeliveries } from './metrics/index.ts';
import { retentionJobFor } from './retention-job.ts';
import { RetentionRepo } from './store/retention.ts';
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
  /**
   * Extra adapters (tests), by channel name: a registry row (factory and settings slice), or a bare
   * factory, which replaces only the factory of a registry row of the same name and keeps its slice.
   */
  extraAdapters?: Record<string, AdapterFactory | AdapterRegistration>;
  chatWaitMs?: number;
  /** The schedule's clock and poll interval (tests inject a clock). */
  triggers?: TriggerOptions;
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
 * Refuses to start with a master key that cannot open the database, or with a bad adapter setting
 * (a {@link ConfigError} naming each variable, before anything is opened).
 */
export async function createHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const registry = withExtras(adapterRegistry, options.extraAdapters ?? {});
  const settings = adapterSettings(config, registry);
  const llmEnv = parseLlmEnv(config.env);
  const log = options.logger ?? createLogger(config.logLevel);
  const keyRing = loadKeyRing(config.masterKeys, config.dataDir, (msg) => log.warn({}, msg));
  const envelope = new Envelope(keyRing);
  const db = openDatabase(config.databaseUrl, { dataDir: config.dataDir, singleProcess: true, poolSize: config.databasePoolSize });
  try {
    await migrate(db);
    await verifyMasterKeys(db.kysely, keyRing, envelope);
  } catch (e) {
    await db.close();
    throw e;
  }
  const store = createStore(db, envelope);
  let bus: Bus | undefined;
  const appendInbound = (events: Parameters<Bus['appendInbound']>[0]) => bus!.appendInbound(events);
  const multiRow = (type: string) => adapters.get(type)?.capabilities.multiRow ?? false;
  const adapters = new Map<string, ChannelAdapter>();
  const triggers = new Triggers({ store, tuning: config.bus, log, allowPrivateUrls: config.allowPrivateUrls, bus: () => bus! }, options.triggers);
  const hooks = { emit: triggers.emit.bind(triggers), statusChanged: triggers.statusChanged.bind(triggers), wake: triggers.wake.bind(triggers) };
  for (const [name, row] of Object.entries(registry)) {
    adapters.set(name, row.create({ services: adapterServices(store, settings.get(name)!, log, appendInbound, multiRow, hooks) }));
  }
  for (const channel of triggers.channels) adapters.set(channel.name, channel);
  bus = new Bus(store, adapters, config.bus, log, config.allowPrivateUrls, undefined, triggers, llmEnv);
  watchDeliveries(bus.outboxWorker.events);
  const retention = retentionJobFor(config.retentionDays, new RetentionRepo(db.kysely), log);
  const boot = await bootstrap(store, config.dataDir, config.adminKey, log);

  const context: HubContext = { config, store, bus, log, chatWaitMs: options.chatWaitMs ?? 30_000, extraRoutes: [] };
  let server: http.Server | undefined;
  return {
    ...context,
    db,
    keyRing,
    bootstrap: boot,
    async listen(port = config.port, host = '0.0.0.0') {
      const listener = createRequestListener(context, log);
      await bus!.start();
      retention?.start();
      server = http.createServer(listener);
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
      await retention?.stop();
      await bus!.stop(graceMs);
      await db.close();
    },
  };
}

/**
 * Parses every registered adapter's settings slice from the environment and pairs it with the
 * hub-wide non-secret values adapters may read. Throws one ConfigError listing every bad variable.
 */
function adapterSettings(config: Config, registry: Record<string, AdapterRegistration>): Map<string, AdapterSettings> {
  const shared = {
    publicUrl: config.publicUrl,
    allowPrivateUrls: config.allowPrivateUrls,
    bus: Object.freeze({ sendTimeoutMs: config.bus.sendTimeoutMs, retryScheduleScale: config.bus.retryScheduleScale }),
  };
  const out = new Map<string, AdapterSettings>();
  const issues: string[] = [];
  for (const [name, row] of Object.entries(registry)) {
    try {
      out.set(name, Object.freeze({ ...shared, slice: row.config?.parse(config.env) }));
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      issues.push(...e.issues.map((i) => `${i} (${name} channel)`));
    }
  }
  if (issues.length) throw new ConfigError(issues);
  return out;
}

/** The registry with a test's extra adapters laid over it (see {@link HubOptions.extraAdapters}). */
function withExtras(base: Record<string, AdapterRegistration>, extras: Record<string, AdapterFactory | AdapterRegistration>): Record<string, AdapterRegistration> {
  const out = { ...base };
  for (const [name, extra] of Object.entries(extras)) {
    out[name] = typeof extra === 'function' ? { config: base[name]?.config, create: extra } : extra;
  }
  return out;
}
