/**
 * The result cache: results by key, valid until the next load changes the data. A bounded LRU map of promises,
 * so concurrent requests for the same key share one computation; a computation that fails is forgotten.
 *
 * Loads happen only inside the serving process while it runs (DuckDB's file lock keeps every other writer out),
 * so the server clears the cache with each load's commit (`holdReaders()` in api/server.ts, passed to the schedule).
 * Nothing else can change the data under it.
 */
import type { ResultCache } from './context.ts';
import type { Role } from '../schema/tables.ts';

export const DEFAULT_CACHE_ENTRIES = 5_000;

export interface CacheStats {
  hit(): void;
  miss(): void;
}

export class LruResultCache {
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(
    readonly maxEntries = DEFAULT_CACHE_ENTRIES,
    private readonly stats?: CacheStats,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const held = this.entries.get(key);
    if (held) {
      // Most recently used goes last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, held);
      this.stats?.hit();
      return held as Promise<T>;
    }
    this.stats?.miss();
    const computed = compute();
    this.entries.set(key, computed);
    computed.catch(() => {
      if (this.entries.get(key) === computed) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    return computed;
  }

  clear(): void {
    this.entries.clear();
  }

  /**
   * The view a request gets: keys are prefixed by the caller's role, because what a role may see differs
   * (small cells are suppressed for viewers). Scope needs no prefix: it is checked before the cache is asked.
   */
  forRole(role: Role): ResultCache {
    return { get: (key, compute) => this.get(`${role}\u0000${key}`, compute) };
  }
}
