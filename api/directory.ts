/**
 * Both unit hierarchies and the reform lineage, held in memory: about 14,000 units and 10,700 lineage rows, a few
 * megabytes, read once per warehouse (units are reference data written by the migrations, never by loads).
 * Parents, children, successors, predecessors, scope and name search are then map look-ups: no SQL per unit, so
 * no N+1 whatever a query nests.
 */
import type { Warehouse } from '../schema/warehouse.ts';
import type { UnitsTable, UnitLineageTable } from '../schema/tables.ts';

export type UnitRow = UnitsTable;

export interface LineageLink {
  /** The unit at the other end: the new unit for a successor, the old one for a predecessor. */
  unitId: number;
  transfer: UnitLineageTable['transfer'];
}

/** Lower case, without diacritics, đ as d: "Biên Hòa" and "bien hoa" match. */
export function foldName(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/gi, 'd').toLowerCase().replace(/\s+/g, ' ').trim();
}

export class UnitDirectory {
  private readonly byId = new Map<number, UnitRow>();
  private readonly byRef = new Map<string, UnitRow>();
  private readonly childIds = new Map<number, number[]>();
  private readonly folded = new Map<number, string>();
  /** old unit → the new units it went to. */
  readonly successors = new Map<number, LineageLink[]>();
  /** new unit → the old units it came from. */
  readonly predecessors = new Map<number, LineageLink[]>();

  constructor(units: UnitRow[], lineage: UnitLineageTable[]) {
    const ordered = [...units].sort(
      (a, b) => a.depth - b.depth || a.hierarchy.localeCompare(b.hierarchy) || a.code.localeCompare(b.code),
    );
    for (const u of ordered) {
      this.byId.set(u.unit_id, u);
      this.byRef.set(u.ref, u);
      if (u.parent_id !== null) {
        const list = this.childIds.get(u.parent_id);
        if (list) list.push(u.unit_id);
        else this.childIds.set(u.parent_id, [u.unit_id]);
      }
    }
    for (const l of lineage) {
      push(this.successors, l.old_id, { unitId: l.new_id, transfer: l.transfer });
      push(this.predecessors, l.new_id, { unitId: l.old_id, transfer: l.transfer });
    }
  }

  get size(): number {
    return this.byId.size;
  }

  unit(id: number): UnitRow | undefined {
    return this.byId.get(id);
  }

  /** By ref: `VN`, `2025-03:26734`, `2025-07:75`. */
  find(ref: string): UnitRow | undefined {
    return this.byRef.get(ref);
  }

  children(id: number): UnitRow[] {
    return (this.childIds.get(id) ?? []).map((c) => this.byId.get(c)!);
  }

  /** The unit and everything under it, parents before children (what `unit_closure` holds for it). */
  subtree(id: number): UnitRow[] {
    const root = this.byId.get(id);
    if (!root) return [];
    const out = [root];
    for (let i = 0; i < out.length; i++) {
      for (const c of this.childIds.get(out[i].unit_id) ?? []) out.push(this.byId.get(c)!);
    }
    return out;
  }

  /** `foldName` of the unit's name, computed once. */
  foldedName(u: UnitRow): string {
    let f = this.folded.get(u.unit_id);
    if (f === undefined) this.folded.set(u.unit_id, (f = foldName(u.name)));
    return f;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const directories = new WeakMap<Warehouse, Promise<UnitDirectory>>();

/** The directory of a warehouse, read on first use and kept for the life of the handle. */
export function unitDirectory(w: Warehouse): Promise<UnitDirectory> {
  let d = directories.get(w);
  if (!d) {
    d = (async () => {
      const [units, lineage] = await Promise.all([
        w.db.selectFrom('units').selectAll().execute(),
        w.db.selectFrom('unit_lineage').selectAll().orderBy('old_id').orderBy('new_id').execute(),
      ]);
      return new UnitDirectory(units, lineage);
    })();
    directories.set(w, d);
    // A failed read (a closed warehouse) is not remembered: the next request tries again.
    d.catch(() => directories.delete(w));
  }
  return d;
}
