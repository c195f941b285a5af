/**
 * What a key sees: its unit and what lies under it, in both hierarchies.
 *
 * For a key unit K:
 * - the descendants of K (K included: `unit_closure`);
 * - when K is a unit of the new list (2025-07), every old unit all of whose lineage rows go to units inside K's
 *   subtree, with its descendants: new province 75 (Đồng Nai) sees old provinces 70 (Bình Phước) and 75 and
 *   everything under them; a new commune sees the old wards that went wholly into it, not one split with others;
 * - when K is an old unit (2025-03), every new unit all of whose predecessors lie inside K's subtree, with its
 *   descendants: an old ward does not see the commune it merged into with other wards;
 * - VN sees everything.
 * Units never change while a warehouse is open, so each set is computed once per key unit.
 */
import type { UnitDirectory } from '../directory.ts';

export type Visible = { all: true } | { all: false; units: ReadonlySet<number> };

const cache = new WeakMap<UnitDirectory, Map<number, Visible>>();

export function visibleUnits(dir: UnitDirectory, keyUnitId: number): Visible {
  let perUnit = cache.get(dir);
  if (!perUnit) cache.set(dir, (perUnit = new Map()));
  let v = perUnit.get(keyUnitId);
  if (!v) perUnit.set(keyUnitId, (v = compute(dir, keyUnitId)));
  return v;
}

function compute(dir: UnitDirectory, keyUnitId: number): Visible {
  const k = dir.unit(keyUnitId);
  if (!k) return { all: false, units: new Set() };
  if (k.hierarchy === 'national') return { all: true };
  const inside = new Set(dir.subtree(k.unit_id).map((u) => u.unit_id));
  const units = new Set(inside);
  // New key: old units whose successors all lie inside. Old key: new units whose predecessors all lie inside.
  const links = k.hierarchy === '2025-07' ? dir.successors : dir.predecessors;
  for (const [other, ends] of links) {
    if (ends.every((e) => inside.has(e.unitId))) for (const u of dir.subtree(other)) units.add(u.unit_id);
  }
  return { all: false, units };
}

export function isVisible(v: Visible, unitId: number): boolean {
  return v.all || v.units.has(unitId);
}
