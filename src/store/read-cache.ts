import { LRUCache } from 'lru-cache';

/**
 * The tables whose rows the hot path reads on every message (the integration, its links, grants
 * and triggers, the profile, adapter state). Writes to them are rare next to those reads.
 */
export const CACHED_TABLES = ['user_integrations', 'identity_links', 'agent_profiles', 'grants', 'triggers', 'integration_state', 'threads'] as const;

/** A table whose reads may be cached. */
export type CachedTable = (typeof CACHED_TABLES)[number];

/** Deleting a row of one of these cascades into the cached tables, so any write to them clears everything. */
const CASCADING = new Set(['users', 'user_integrations', 'agent_profiles']);
const CACHED = new Set<string>(CACHED_TABLES);

/** Entries kept at most (each is one small row or a short list). */
const MAX_ENTRIES = 20_000;
/** A safety net: an entry is read again after this long even if no write was seen (ms). */
const MAX_AGE_MS = 30_000;

interface Entry {
  gen: number;
  value: unknown;
}

/**
 * A read-through cache of hot-path reads, kept exact by write tracking rather than by time. Each
 * table has a generation; every write to it (seen by {@link WriteTracker} on the database handle,
 * by the transaction that committed it, or, on PostgreSQL, announced by another replica through
 * LISTEN/NOTIFY) bumps it, and an entry is used only while its table's generation is the one it was
 * loaded under. A read that races a write stores nothing (the generation moved while it ran).
 * Values are frozen: callers share them. While `enabled` is false (PostgreSQL before its listener
 * is up, or after it lost its connection) every read goes to the database.
 */
export class ReadCache {
  private readonly gens = new Map<string, number>();
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES, ttl: MAX_AGE_MS, ttlAutopurge: false });
  private on: boolean;
  /** Hits and misses since start, for tests and metrics. */
  readonly stats = { hits: 0, misses: 0 };

  constructor(enabled = true) {
    this.on = enabled;
  }

  /** Whether reads are served from memory. */
  get enabled(): boolean {
    return this.on;
  }

  /** Turns the cache on (after clearing it) or off. */
  setEnabled(on: boolean): void {
    this.invalidateAll();
    this.on = on;
  }

  /** The cached value of `key` in `table`, or what `load` reads (kept when no write raced it). */
  async get<T>(table: CachedTable, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.on) return load();
    const gen = this.gen(table);
    const k = `${table}\u0000${key}`;
    const hit = this.entries.get(k);
    if (hit && hit.gen === gen) {
      this.stats.hits++;
      return hit.value as T;
    }
    this.stats.misses++;
    const value = deepFreeze(await load());
    if (this.on && this.gen(table) === gen) this.entries.set(k, { gen, value });
    return value;
  }

  /** Marks tables written: their entries are stale from now on. A table that cascades clears all. */
  written(tables: Iterable<string>): void {
    for (const t of tables) {
      if (CASCADING.has(t)) return this.invalidateAll();
      if (CACHED.has(t)) this.gens.set(t, this.gen(t) + 1);
    }
  }

  /** Drops every entry. */
  invalidateAll(): void {
    for (const t of CACHED_TABLES) this.gens.set(t, this.gen(t) + 1);
    this.entries.clear();
  }

  private gen(table: string): number {
    return this.gens.get(table) ?? 0;
  }
}

/** Whether a write to `table` can make a cached read stale. */
export function affectsCache(table: string): boolean {
  return CACHED.has(table) || CASCADING.has(table);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v) && !ArrayBuffer.isView(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}
