/**
 * What every resolver receives: the warehouse, who is asking, and the result cache. Built per request by the
 * HTTP layer (api/server.ts) from the Authorization header.
 */
import type { Role } from '../schema/tables.ts';
import type { Warehouse } from '../schema/warehouse.ts';

export interface Principal {
  /** null for anonymous access (PCMBN_ANONYMOUS=viewer). */
  keyId: string | null;
  role: Role;
  /** The unit the key is scoped to: it sees this unit and what lies under it, in both hierarchies. */
  unitId: number;
}

/** Results keyed by query and arguments, valid until the next load changes the data. */
export interface ResultCache {
  get<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export interface ApiContext {
  warehouse: Warehouse;
  principal: Principal;
  cache: ResultCache;
  /** Asserts that the principal may see a unit; throws a GraphQL error with code FORBIDDEN otherwise. */
  assertInScope(unitId: number): Promise<void>;
}
