import type pg from 'pg';
import type { ReadCache } from './read-cache.ts';

/** The channel replicas announce their writes on. */
export const CACHE_CHANNEL = 'switchboard_cache';

/** The payload of a write announcement: who wrote (to skip one's own) and which tables. */
export function announcement(origin: string, tables: Iterable<string>): string {
  return `${origin}:${[...new Set(tables)].join(',')}`;
}

/** Reconnect delays of a lost listener (ms), the last one repeating. */
const RETRY_MS = [250, 1000, 2000, 5000];

/**
 * Keeps a PostgreSQL replica's read cache exact across replicas: one connection LISTENs on
 * {@link CACHE_CHANNEL}, and every write another replica announces (in the transaction that made
 * it, so it arrives at its commit) makes the written tables stale here. The cache serves reads
 * only while this connection is up: it is off until LISTEN succeeds and is turned off (cleared) the
 * moment the connection is lost, then on again once it is back. Its socket does not keep the
 * process alive.
 */
export class CacheListener {
  private client: pg.Client | undefined;
  private closed = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly url: string,
    private readonly cache: ReadCache,
    private readonly origin: string,
    /** The PostgreSQL driver (loaded by the caller on first use). */
    private readonly driver: typeof pg,
  ) {
    cache.setEnabled(false);
    void this.connect();
  }

  /** Stops listening; the cache stays off. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.cache.setEnabled(false);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new this.driver.Client({ connectionString: this.url, keepAlive: true, connectionTimeoutMillis: 5000 });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    client.on('notification', (n) => {
      if (n.channel !== CACHE_CHANNEL || !n.payload) return;
      const at = n.payload.indexOf(':');
      if (n.payload.slice(0, at) === this.origin) return;
      this.cache.written(n.payload.slice(at + 1).split(','));
    });
    try {
      await client.connect();
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
      if (this.closed) return void (await client.end().catch(() => undefined));
      this.client = client;
      this.failures = 0;
      this.cache.setEnabled(true);
    } catch {
      this.lost(client);
    }
  }

  private lost(client: pg.Client): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
    this.cache.setEnabled(false);
    void client.end().catch(() => undefined);
    if (this.closed || this.timer) return;
    const wait = RETRY_MS[Math.min(this.failures++, RETRY_MS.length - 1)];
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, wait);
    this.timer.unref();
  }
}
