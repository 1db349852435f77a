import path from 'node:path';
import { z } from 'zod';

/** Typed, frozen hub configuration read from the environment. */
export interface Config {
  /** HTTP port. Default 3000. */
  readonly port: number;
  /** Base URL the platforms reach us at; default `http://localhost:<port>`. */
  readonly publicUrl: string;
  /** Folder for the SQLite file, the dev master key and the local admin key. Default `./data`. */
  readonly dataDir: string;
  /** `sqlite:<file>` / a file path, or `postgres://…`. Default: `<dataDir>/switchboard.db`. */
  readonly databaseUrl: string;
  /**
   * PostgreSQL: most connections this process opens (DATABASE_POOL_SIZE); undefined leaves the
   * store's default (25, `DEFAULT_POOL_SIZE` in src/store/db.ts). Unused on SQLite.
   */
  readonly databasePoolSize: number | undefined;
  /** Base64 master keys, current first; undefined means "use the dev key file in dataDir". */
  readonly masterKeys: readonly string[] | undefined;
  /** API key of a bootstrap admin, if given. */
  readonly adminKey: string | undefined;
  /** Hosts or CIDRs that the URL guard lets through. */
  readonly allowPrivateUrls: readonly string[];
  /** Log level for pino. Default `info`. */
  readonly logLevel: string;
  /**
   * Days finished inbox/outbox rows and used or expired link codes are kept before the retention
   * job prunes them (RETENTION_DAYS). Default 30; 0 (`0` or `off`) keeps everything.
   */
  readonly retentionDays: number;
  /** Bearer token `GET /metrics` requires (METRICS_TOKEN); undefined leaves it open. Never logged. */
  readonly metricsToken: string | undefined;
  /** Tuning of the bus; tests compress these. */
  readonly bus: BusTuning;
  /**
   * The environment this config was read from (a frozen copy). The hub parses each adapter's own
   * settings slice from it at start-up; adapters never see it.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Knobs of the bus workers. Times are in milliseconds. */
export interface BusTuning {
  /** Fallback poll interval of the workers when nothing wakes them. Default 500. */
  readonly pollIntervalMs: number;
  /** Attempts per delivery before it is dead-lettered. Default 8. */
  readonly maxAttempts: number;
  /** First retry delay; doubles each attempt (with jitter). Default 1000. */
  readonly retryBaseMs: number;
  /** Largest retry delay. Default 3 600 000 (1 h). */
  readonly retryMaxMs: number;
  /** Timeout of one call to an HTTP agent. Default 30 000. */
  readonly agentTimeoutMs: number;
  /** Inbound messages held at once (running, or waiting behind an earlier one of their thread). Default 256. */
  readonly inboxConcurrency: number;
  /** Deliveries sent at once. Default 64. */
  readonly outboxConcurrency: number;
  /**
   * The typing indicator is shown once an agent has worked this long (ms), then kept up every
   * 4.5 s; a fast reply needs none. Default 250.
   */
  readonly typingDelayMs: number;
  /**
   * How long a claimed inbox or outbox row stays leased to its process without a renewal (ms).
   * The holder renews its leases every third of this while the work runs (a turn or send may take
   * longer), and every process sweeps expired leases every half of it (at most every 3 s), so a dead
   * process's rows are taken back within about `leaseMs + 3 s`. Default 10 000.
   */
  readonly leaseMs: number;
  /** Timeout of one outbound HTTP send that adapters make themselves (webhooks). Default 15 000. */
  readonly sendTimeoutMs: number;
  /** Factor applied to adapters' fixed retry schedules (webhook: 5 s … 10 h); tests shrink it. Default 1. */
  readonly retryScheduleScale: number;
}

const DEFAULT_BUS: BusTuning = {
  pollIntervalMs: 500,
  maxAttempts: 8,
  retryBaseMs: 1000,
  retryMaxMs: 3_600_000,
  agentTimeoutMs: 30_000,
  inboxConcurrency: 256,
  outboxConcurrency: 64,
  leaseMs: 10_000,
  typingDelayMs: 250,
  retryScheduleScale: 1,
  sendTimeoutMs: 15_000,
};

const list = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** An optional variable: blank counts as absent; surrounding spaces are dropped. For adapter schemas too. */
export const optionalEnv = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: optionalEnv.pipe(z.url({ message: 'PUBLIC_URL must be an absolute URL' }).optional()),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalEnv,
  DATABASE_POOL_SIZE: optionalEnv.pipe(
    z
      .string()
      .regex(/^\d{1,4}$/, { message: 'must be a whole number of connections (default 25)' })
      .transform(Number)
      .pipe(z.number().min(1, { message: 'must be at least 1 connection' }))
      .optional(),
  ),
  SWITCHBOARD_MASTER_KEY: optionalEnv,
  SWITCHBOARD_ADMIN_KEY: optionalEnv,
  SWITCHBOARD_ALLOW_PRIVATE_URLS: optionalEnv,
  LOG_LEVEL: z.string().default('info'),
  RETENTION_DAYS: optionalEnv.pipe(
    z
      .string()
      .regex(/^(off|\d{1,5})$/i, { message: 'must be a whole number of days (default 30), or 0 or "off" to keep everything' })
      .transform((v) => (v.toLowerCase() === 'off' ? 0 : Number(v)))
      .optional(),
  ),
  METRICS_TOKEN: optionalEnv.pipe(z.string().min(16, { message: 'must be at least 16 characters (or unset to leave /metrics open)' }).optional()),
});

/** Raised when the environment cannot be turned into a config; `issues` are `VARIABLE: problem` lines. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment with a zod schema whose keys are variable names. Throws a
 * {@link ConfigError} naming every bad variable. Used for the hub's settings and each adapter's slice.
 */
export function parseEnv<T>(schema: z.ZodType<T, unknown>, env: Readonly<Record<string, string | undefined>>): T {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
}

/**
 * Reads the hub-wide settings from the environment into a frozen {@link Config}. Throws
 * {@link ConfigError} naming every bad variable, so the hub fails fast at start-up instead of
 * misbehaving later. Channel settings are not read here: each adapter declares its own slice
 * (`adapters/<name>/config.ts`), which the hub parses from `config.env` when it starts.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<BusTuning> = {}): Config {
  const e = parseEnv(EnvSchema, env);
  const dataDir = path.resolve(e.DATA_DIR);
  const masterKeys = e.SWITCHBOARD_MASTER_KEY ? list(e.SWITCHBOARD_MASTER_KEY) : undefined;
  return deepFreeze({
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'switchboard.db')}`,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    masterKeys,
    adminKey: e.SWITCHBOARD_ADMIN_KEY,
    allowPrivateUrls: list(e.SWITCHBOARD_ALLOW_PRIVATE_URLS),
    logLevel: e.LOG_LEVEL,
    retentionDays: e.RETENTION_DAYS ?? 30,
    metricsToken: e.METRICS_TOKEN,
    bus: { ...DEFAULT_BUS, ...overrides },
    env: { ...env },
  });
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
