/**
 * The result cache: results by key, valid until the next load changes the data. An LRU bounded by the bytes its
 * results hold (a result's size is estimated from its JSON text), not by their number: one ward-level breakdown
 * weighs a thousand times a KPI, and a client asking for many distinct large results must not exhaust memory.
 * Concurrent requests for the same key share one computation; a computation that fails is forgotten.
 *
 * Loads happen only inside the serving process while it runs (DuckDB's file lock keeps every other writer out),
 * so the server clears the cache with each load's commit (`holdReaders()` in api/server.ts, passed to the schedule).
 * Nothing else can change the data under it; a computation that began before a clear is not kept after it.
 */
import { LRUCache } from 'lru-cache';
import type { ResultCache } from './context.ts';
import type { Role } from '../schema/tables.ts';

export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

export interface CacheStats {
  hit(): void;
  miss(): void;
}

/**
 * Roughly what a result holds in memory: two bytes per character of its JSON text (a string is UTF-16). A result
 * that has no JSON text weighs more than any cache holds, so it is not kept.
 */
export function resultBytes(value: unknown): number {
  try {
    return 2 * (JSON.stringify(value) ?? '').length + 16;
  } catch {
    return Number.MAX_SAFE_INTEGER;
  }
}

export class LruResultCache {
  private readonly results: LRUCache<string, { value: unknown }>;
  private readonly computing = new Map<string, Promise<unknown>>();
  /** Grows at each clear: a computation begun before it does not enter the cache. */
  private generation = 0;

  constructor(
    readonly maxBytes = DEFAULT_CACHE_BYTES,
    private readonly stats?: CacheStats,
  ) {
    // A result larger than the whole cache is answered and not kept.
    this.results = new LRUCache({ maxSize: maxBytes, sizeCalculation: (r) => resultBytes(r.value) });
  }

  /** Results held, computations in flight included. */
  get size(): number {
    return this.results.size + this.computing.size;
  }

  /** The estimated bytes of the results held. */
  get bytes(): number {
    return this.results.calculatedSize;
  }

  get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const held = this.results.get(key);
    const pending = held ? Promise.resolve(held.value) : this.computing.get(key);
    if (pending) {
      this.stats?.hit();
      return pending as Promise<T>;
    }
    this.stats?.miss();
    const generation = this.generation;
    const computed = compute();
    this.computing.set(key, computed);
    const settled = () => this.computing.get(key) === computed && this.computing.delete(key);
    computed.then((value) => {
      if (settled() && generation === this.generation) this.results.set(key, { value });
    }, settled);
    return computed;
  }

  clear(): void {
    this.generation++;
    this.results.clear();
    this.computing.clear();
  }

  /**
   * The view a request gets: keys are prefixed by the caller's role, because what a role may see differs
   * (small cells are suppressed for viewers). Scope needs no prefix: it is checked before the cache is asked.
   */
  forRole(role: Role): ResultCache {
    return { get: (key, compute) => this.get(`${role}\u0000${key}`, compute) };
  }
}
