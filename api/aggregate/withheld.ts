/**
 * Which victims figures a viewer gets withheld: one status per figure, whatever answer carries it (a kpi, a
 * breakdown row, a trend point, the previousValue of the year after).
 *
 * Two methods statistical offices use together:
 *  - Coarser granularity. Viewers get victims counts only as yearly totals of VN and of the provinces of either
 *    list (the old ones for the years before the reform). Months, quarters, halves, districts, wards and communes,
 *    and the sex × age cells are withheld whatever their value: below that level the many small figures and the
 *    relations between them (a year = its months, a total = female + male …) leave too little room to hide in.
 *  - Primary and complementary suppression with protection intervals, in the manner of τ-ARGUS and sdcTable, over
 *    what remains: for a count and a year, the tree VN → today's provinces → the old provinces they were made of
 *    (before the reform). A figure from 0 to k − 1 is withheld (0 too: were zeros shown, each withheld figure would
 *    be known to be at least 1, and a withheld total over n withheld parts at least n). Complements are then chosen
 *    so that every withheld figure of 0 to k − 1 can be anything from 0 to at least k − 1 given all that is shown
 *    (`shownIn` says why).
 *
 * The pattern depends only on which figures are from 0 to k − 1 and on which sums hold, never on the other values:
 * a load that revises figures without moving one across k changes no status, so two snapshots show the same
 * figures withheld.
 */
import { type CountIndicator, findIndicator, type Indicator, INDICATORS } from '../../schema/catalogue.ts';
import { type Period, parsePeriod } from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { ResultCache } from '../context.ts';
import type { UnitDirectory, UnitRow } from '../directory.ts';
import { CellRequest, seriesOf } from './cells.ts';
import type { Disaggregation } from './measures.ts';
import { isSensitive, isSmall } from './suppression.ts';

export interface WithholdingSource {
  w: Warehouse;
  dir: UnitDirectory;
  /** Where patterns outlive the request (the result cache, cleared by every load). */
  cache?: ResultCache;
}

/** Whether a victims count's figure is ever published to viewers: a yearly total of VN or of a province in force. */
export function published(unit: UnitRow, period: Period, by: Disaggregation): boolean {
  if (period.type !== 'year' || by.sex !== 'total' || by.ageGroup !== 'total') return false;
  if (unit.level === 'national') return true;
  if (unit.level !== 'province') return false;
  // An old province's 2025 is half a year, inside its successor's 2025.
  return unit.hierarchy === '2025-07' || period.end < REFORM_DATE;
}

/**
 * A viewer's suppression, for one request: a count's figure as its year's pattern decides; a ratio withheld when a
 * victims count it is built on is (its percentage and one shown count would give the other back).
 */
export class ViewerSuppression {
  /** Per year, the units whose figure of each victims count (by code) is shown. */
  private readonly years = new Map<number, Promise<Map<string, Set<number>>>>();

  constructor(private readonly source: WithholdingSource) {}

  async withheld(indicator: Indicator, unit: UnitRow, period: Period, by: Disaggregation): Promise<boolean> {
    if (!isSensitive(indicator)) return false;
    if (indicator.kind === 'count') return this.count(indicator, unit, period, by);
    for (const part of [indicator.numerator, indicator.denominator]) {
      const count = findIndicator(part);
      if (count?.kind === 'count' && isSensitive(count) && (await this.count(count, unit, period, by))) return true;
    }
    return false;
  }

  private async count(indicator: CountIndicator, unit: UnitRow, period: Period, by: Disaggregation): Promise<boolean> {
    if (!published(unit, period, by)) return true;
    const shown = (await this.year(period.year)).get(indicator.code);
    return !shown?.has(unit.unit_id);
  }

  /**
   * Computes the patterns of the years of `periods` not known yet (here or in the cache) in one read of the roll-up:
   * call it before asking about many periods, as a trend does.
   */
  async prepare(periods: Period[]): Promise<void> {
    const missing: number[] = [];
    const waiting = new Map<number, { resolve: (m: Map<string, Set<number>>) => void; reject: (e: unknown) => void }>();
    for (const year of new Set(periods.map((p) => p.year))) {
      if (this.years.has(year)) continue;
      // The cache calls this at once, and only when it does not hold the year.
      const compute = () =>
        new Promise<Map<string, Set<number>>>((resolve, reject) => {
          missing.push(year);
          waiting.set(year, { resolve, reject });
        });
      this.years.set(year, this.source.cache ? this.source.cache.get(`withheld\u0000${year}`, compute) : compute());
    }
    if (!missing.length) return;
    try {
      const patterns = await withheldInYears(this.source, missing);
      for (const y of missing) waiting.get(y)!.resolve(patterns.get(y)!);
    } catch (e) {
      for (const w of waiting.values()) w.reject(e);
    }
  }

  private year(year: number): Promise<Map<string, Set<number>>> {
    if (!this.years.has(year)) void this.prepare([parsePeriod(String(year))]);
    return this.years.get(year)!;
  }
}

const SENSITIVE_COUNTS = INDICATORS.filter((i): i is CountIndicator => i.kind === 'count' && isSensitive(i));

/** A figure of the published table; `units` are the units showing it (a province the reform left whole is two). */
interface Node {
  units: number[];
  value: number;
  children: Node[];
  parent: Node | null;
  primary: boolean;
  withheld: boolean;
}

interface Table {
  root: UnitRow;
  /** Today's provinces, in code order. */
  provinces: UnitRow[];
  /** Before the reform: the old provinces each of today's was made of, in code order. */
  parts: Map<number, UnitRow[]>;
}

function tableOf(dir: UnitDirectory, year: number): Table {
  const root = dir.find('VN')!;
  const before = parsePeriod(String(year)).end < REFORM_DATE;
  const byCode = (a: UnitRow, b: UnitRow) => a.code.localeCompare(b.code);
  const provinces = dir
    .children(root.unit_id)
    .filter((u) => u.level === 'province' && u.hierarchy === '2025-07')
    .sort(byCode);
  const parts = new Map<number, UnitRow[]>();
  if (before)
    for (const p of provinces)
      parts.set(
        p.unit_id,
        (dir.predecessors.get(p.unit_id) ?? [])
          .map((l) => dir.unit(l.unitId)!)
          .filter((u) => u.level === 'province')
          .sort(byCode),
      );
  return { root, provinces, parts };
}

/** The shown units of every victims count in each of `years`: one read of the roll-up. */
async function withheldInYears(
  source: WithholdingSource,
  years: number[],
): Promise<Map<number, Map<string, Set<number>>>> {
  const req = new CellRequest(source.w);
  const plans = await Promise.all(
    years.map(async (year) => {
      const table = tableOf(source.dir, year);
      const units = [table.root, ...table.provinces, ...[...table.parts.values()].flat()];
      const keys = await Promise.all(
        SENSITIVE_COUNTS.map(async (i) => {
          const key = new Map<number, number>();
          for (const u of units) key.set(u.unit_id, await req.add(u.unit_id, String(year), seriesOf(i.code)));
          return key;
        }),
      );
      return { year, table, keys };
    }),
  );
  const cells = await req.read();
  const out = new Map<number, Map<string, Set<number>>>();
  for (const { year, table, keys } of plans) {
    const byCode = new Map<string, Set<number>>();
    SENSITIVE_COUNTS.forEach((i, k) => {
      // A figure not in the roll-up is 0, and withheld like one.
      const value = (u: UnitRow) => cells.get(keys[k].get(u.unit_id)!)?.value ?? 0;
      byCode.set(i.code, shownIn(treeOf(table, value)));
    });
    out.set(year, byCode);
  }
  return out;
}

/**
 * The tree of one count's figures for a year, under a root unknown to everyone. VN's own figure, when it disagrees
 * with its provinces', is no relation: the provinces hang from the unknown root. When one of today's provinces
 * disagrees with the old provinces it was made of, the two lists no longer nest: the old provinces are left out of
 * the tree, all withheld (each is then anything from 0 to VN's figure, whatever is shown).
 */
function treeOf(table: Table, value: (u: UnitRow) => number): Node {
  const node = (units: UnitRow[], v: number, parent: Node): Node => {
    const primary = isSmall(v);
    const n: Node = { units: units.map((u) => u.unit_id), value: v, children: [], parent, primary, withheld: primary };
    parent.children.push(n);
    return n;
  };
  const top: Node = { units: [], value: NaN, children: [], parent: null, primary: false, withheld: true };
  const vn = node([table.root], value(table.root), top);
  const sum = (units: UnitRow[]) => units.reduce((s, u) => s + value(u), 0);
  const provincesUnder = sum(table.provinces) === vn.value ? vn : top;
  const nested = table.provinces.every((p) => {
    const parts = table.parts.get(p.unit_id) ?? [];
    return !parts.length || sum(parts) === value(p);
  });
  for (const p of table.provinces) {
    const parts = nested ? (table.parts.get(p.unit_id) ?? []) : [];
    // A province the reform left whole is one figure under two codes.
    const n = node(parts.length === 1 ? [p, parts[0]] : [p], value(p), provincesUnder);
    if (parts.length > 1) for (const o of parts) node([o], value(o), n);
  }
  return top;
}

/**
 * Complementary suppression on the tree, until nothing changes; the shown units. Why it protects: take a withheld
 * figure x from 0 to k − 1 and climb from it through withheld figures. Two rules hold when done:
 *  - every withheld figure with parts has a withheld part: a rise can always be passed down to a leaf;
 *  - the climb reaches the unknown root, or a figure a (x itself, or one above it) with a withheld sibling s that
 *    is `sound`: a leaf of k or more, or a figure with a sound withheld part, so that s can fall by k − 1 (the fall
 *    passed down to that leaf).
 * Then x can fall to 0 (its parts are all from 0 to k − 1, so all withheld, and fall with it; each figure from x up
 * to a falls as much; s rises), or rise by k − 1 (its parts pass the rise down; the figures up to a rise; s falls):
 * every value from 0 to k − 1 fits everything shown. Choices go in code order, never by value, so that the pattern
 * depends only on which figures are small.
 */
function shownIn(top: Node): Set<number> {
  const nodes: Node[] = [];
  const walk = (n: Node) => (nodes.push(n), n.children.forEach(walk));
  walk(top);
  const sound = (n: Node): boolean => (n.children.length ? n.children.some((c) => c.withheld && sound(c)) : !n.primary);
  /** Withholds n and, when n is not sound yet, a shown part of it (a shown figure is k or more), and so on down. */
  const withhold = (n: Node) => {
    n.withheld = true;
    if (sound(n)) return;
    const part = n.children.find((c) => !c.withheld);
    if (part) withhold(part);
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const n of nodes) {
      if (n === top || !n.withheld) continue;
      if (n.children.length && !n.children.some((c) => c.withheld)) {
        withhold(n.children[0]);
        changed = true;
      }
      if (!n.primary) continue;
      // Up through withheld figures to the first with a sound withheld sibling, or to the unknown root.
      const balanced = (a: Node) => a.parent!.children.some((s) => s !== a && s.withheld && sound(s));
      let a = n;
      while (a.parent !== top && !balanced(a) && a.parent!.withheld) a = a.parent!;
      if (a.parent === top || balanced(a)) continue;
      const siblings = a.parent!.children.filter((s) => s !== a);
      // A shown sibling, else a withheld one made sound through a shown part, else the parent.
      const pick =
        siblings.find((s) => !s.withheld) ??
        siblings.find((s) => !sound(s) && s.children.some((c) => !c.withheld)) ??
        a.parent!;
      withhold(pick);
      changed = true;
    }
  }
  return new Set(nodes.filter((n) => !n.withheld).flatMap((n) => n.units));
}
