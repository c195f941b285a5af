/**
 * The context of one GraphQL request: `ApiContext` (api/context.ts) plus what the server adds for its own
 * resolvers: the unit directory, the caller's visible units, the deadline and the request id.
 */
import type { ApiContext, Principal } from './context.ts';
import type { LruResultCache } from './cache.ts';
import { type UnitDirectory, type UnitRow } from './directory.ts';
import { isVisible, type Visible, visibleUnits } from './auth/scope.ts';
import { forbidden } from './graphql/errors.ts';
import type { Deadline } from './graphql/limits.ts';
import type { Warehouse } from '../schema/warehouse.ts';

export interface RequestContext extends ApiContext {
  requestId: string;
  units: UnitDirectory;
  /** The units the caller may see (computed once per key unit and cached). */
  visible: Visible;
  /** Whether the caller may see a unit: for filtering lists (single units use `assertInScope`). */
  inScope(unitId: number): boolean;
  deadline: Deadline;
}

export function describeUnit(u: UnitRow | undefined, id: number): string {
  return u ? `${u.ref} (${u.type} ${u.name})` : `unit #${id}`;
}

export function createRequestContext(args: {
  warehouse: Warehouse;
  principal: Principal;
  cache: LruResultCache;
  units: UnitDirectory;
  deadline: Deadline;
  requestId: string;
}): RequestContext {
  const { principal, units } = args;
  const visible = visibleUnits(units, principal.unitId);
  const inScope = (unitId: number) => isVisible(visible, unitId);
  return {
    warehouse: args.warehouse,
    principal,
    cache: args.cache.forRole(principal.role),
    requestId: args.requestId,
    units,
    visible,
    inScope,
    deadline: args.deadline,
    async assertInScope(unitId: number) {
      if (inScope(unitId)) return;
      const scope = principal.keyId === null ? 'anonymous access' : `API key ${principal.keyId}`;
      throw forbidden(
        `${describeUnit(units.unit(unitId), unitId)} is outside the scope of ${scope}, which sees ` +
          `${describeUnit(units.unit(principal.unitId), principal.unitId)} and what lies under it`,
      );
    },
  };
}
