/**
 * An independent reference for the README's "How a figure is computed", in plain TypeScript over in-memory rows:
 * recursive and slow on purpose, so that each rule reads as it is stated. The roll-up (etl/marts/rollup.ts) computes
 * the same figures set-based in SQL; the differential test compares the two on random report files.
 *
 * It shares nothing with the warehouse's code but the unit lists and the catalogue's aggregation (flow or stock).
 */

export type List = 'national' | '2025-03' | '2025-07';

export interface RefUnit {
  id: number;
  ref: string;
  parent: number | null;
  list: List;
}

export interface RefLink {
  oldId: number;
  newId: number;
  /** The old unit's share in the new one: 1 when it went in whole, null for a split ward without weights. */
  weight: number | null;
}

/** One row of a report file, as the contract states it (empty sex or age group: the total). */
export interface RefRow {
  unit: string;
  period: string;
  indicator: string;
  sex: string;
  age: string;
  value: number;
  submittedOn: string;
}

export interface Figure {
  value: number | null;
  /** Part of the history could not be allocated to the unit, or the figure covers only part of the period. */
  partial: boolean;
}

export interface Series {
  indicator: string;
  sex: string;
  age: string;
}

/** Periods as months counted from year 0: a period is [first, last]. */
interface RefPeriod {
  id: string;
  year: number;
  type: 'year' | 'half' | 'quarter' | 'month';
  first: number;
  last: number;
  parts: string[];
}

const REFORM_MONTH = 2025 * 12 + 6; // July 2025

export function refPeriod(id: string): RefPeriod {
  const year = Number(id.slice(0, 4));
  const at = (m: number) => year * 12 + m;
  const month = (m: number) => `${year}${String(m + 1).padStart(2, '0')}`;
  if (id.length === 4) return { id, year, type: 'year', first: at(0), last: at(11), parts: [`${year}S1`, `${year}S2`] };
  if (id[4] === 'S') {
    const h = Number(id[5]) - 1;
    return {
      id,
      year,
      type: 'half',
      first: at(6 * h),
      last: at(6 * h + 5),
      parts: [1, 2].map((k) => `${year}Q${2 * h + k}`),
    };
  }
  if (id[4] === 'Q') {
    const q = Number(id[5]) - 1;
    return {
      id,
      year,
      type: 'quarter',
      first: at(3 * q),
      last: at(3 * q + 2),
      parts: [0, 1, 2].map((k) => month(3 * q + k)),
    };
  }
  const m = Number(id.slice(4)) - 1;
  return { id, year, type: 'month', first: at(m), last: at(m), parts: [] };
}

/** Every period of a year, coarsest first. */
export function periodsOfYear(year: number): string[] {
  const out: string[] = [];
  const walk = (id: string) => (out.push(id), refPeriod(id).parts.forEach(walk));
  walk(String(year));
  return out;
}

/** Whether a unit of a list exists during (part of) a period: old-list units before the reform, new-list after. */
function exists(list: List, p: RefPeriod): boolean {
  return list === 'national' || (list === '2025-03' ? p.first < REFORM_MONTH : p.last >= REFORM_MONTH);
}

const straddles = (p: RefPeriod) => p.first < REFORM_MONTH && p.last >= REFORM_MONTH;

const key = (unit: number, period: string, s: Series) => `${unit}|${period}|${s.indicator}|${s.sex}|${s.age}`;

export class ReferenceFigures {
  private readonly units = new Map<number, RefUnit>();
  private readonly byRef = new Map<string, RefUnit>();
  private readonly children = new Map<number, RefUnit[]>();
  private readonly predecessors = new Map<number, RefLink[]>();
  /** The figures each unit sent itself (current values, and totals made of the parts it sent). */
  private readonly own = new Map<string, number>();
  /** unit|indicator|sex|age → the periods the unit sent a figure for, in that series. */
  private readonly sentPeriods = new Map<string, string[]>();
  private readonly memo = new Map<string, Figure | undefined>();
  /** The units with a sent figure in their subtree or their predecessors': no other unit has a figure. */
  private readonly reached = new Set<number>();

  constructor(
    units: RefUnit[],
    links: RefLink[],
    private readonly isStock: (indicator: string) => boolean,
    disaggregated: (indicator: string) => boolean,
    /** Report files in load order. */
    files: RefRow[][],
  ) {
    for (const u of units) {
      this.units.set(u.id, u);
      this.byRef.set(u.ref, u);
      if (u.parent !== null) this.children.set(u.parent, [...(this.children.get(u.parent) ?? []), u]);
    }
    for (const l of links) this.predecessors.set(l.newId, [...(this.predecessors.get(l.newId) ?? []), l]);

    // The current value of a figure: the latest submission; on equal dates, the later load.
    const current = new Map<string, RefRow>();
    for (const file of files)
      for (const row of file) {
        const s = { indicator: row.indicator, sex: row.sex || 'total', age: row.age || 'total' };
        const k = key(this.unit(row.unit).id, row.period, s);
        const held = current.get(k);
        if (!held || row.submittedOn >= held.submittedOn) current.set(k, row);
      }
    for (const [k, row] of current) this.own.set(k, row.value);
    for (const row of current.values())
      if (disaggregated(row.indicator)) this.deriveTotals(this.unit(row.unit).id, row.period, row.indicator);
    const reach = (id: number | null): void => {
      for (; id !== null && !this.reached.has(id); id = this.units.get(id)!.parent) {
        this.reached.add(id);
        for (const l of links) if (l.oldId === id) reach(l.newId);
      }
    };
    for (const k of this.own.keys()) {
      const [unit, period, ...series] = k.split('|');
      reach(Number(unit));
      const at = [unit, ...series].join('|');
      this.sentPeriods.set(at, [...(this.sentPeriods.get(at) ?? []), period]);
    }
  }

  unit(ref: string): RefUnit {
    const u = this.byRef.get(ref);
    if (!u) throw new Error(`reference: no unit ${ref}`);
    return u;
  }

  /**
   * A total the unit did not send is the sum of the finest breakdown it did send (sex × age, else sex, else age);
   * a sex (or age) total likewise from the sex × age cells.
   */
  private deriveTotals(unit: number, period: string, indicator: string): void {
    const sent = (sex: string, age: string) => this.own.get(key(unit, period, { indicator, sex, age }));
    const sumOf = (cells: [string, string][]) => {
      const values = cells.map(([s, a]) => sent(s, a)).filter((v) => v !== undefined);
      return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
    };
    const cross: [string, string][] = ['female', 'male'].flatMap((s) =>
      ['child', 'adult'].map((a) => [s, a] as [string, string]),
    );
    const derived = new Map<string, number | undefined>();
    for (const sex of ['female', 'male'])
      if (sent(sex, 'total') === undefined) derived.set(`${sex}|total`, sumOf(cross.filter(([s]) => s === sex)));
    for (const age of ['child', 'adult'])
      if (sent('total', age) === undefined) derived.set(`total|${age}`, sumOf(cross.filter(([, a]) => a === age)));
    if (sent('total', 'total') === undefined)
      derived.set(
        'total|total',
        sumOf(cross) ??
          sumOf([
            ['female', 'total'],
            ['male', 'total'],
          ]) ??
          sumOf([
            ['total', 'child'],
            ['total', 'adult'],
          ]),
      );
    for (const [k, v] of derived) {
      const [sex, age] = k.split('|');
      if (v !== undefined) this.own.set(key(unit, period, { indicator, sex, age }), v);
    }
  }

  /** The figure of a unit for a period, or undefined when nothing stands behind it. */
  figure(unitId: number, periodId: string, s: Series): Figure | undefined {
    const k = key(unitId, periodId, s);
    if (!this.memo.has(k)) this.memo.set(k, this.compute(this.units.get(unitId)!, refPeriod(periodId), s));
    return this.memo.get(k);
  }

  private compute(u: RefUnit, p: RefPeriod, s: Series): Figure | undefined {
    if (!this.reached.has(u.id)) return undefined;
    // Today's units before the reform: their predecessors' figures.
    if (u.list === '2025-07' && p.last < REFORM_MONTH) return this.fromPredecessors(u, p, s);
    if (!exists(u.list, p)) return undefined;
    const own = this.own.get(key(u.id, p.id, s));
    if (own !== undefined) return { value: own, partial: false };
    if (straddles(p)) return this.year2025(u, p, s);
    const leaf = !this.children.has(u.id);
    if (p.parts.length && (leaf || this.sentWithin(u, p, s))) return this.overTime(u, p.parts, s);
    return leaf ? undefined : this.sumOfChildren(u, p, s);
  }

  /**
   * 2025 straddles the reform. An old unit existed for its first half only: its 2025 is its S1, incomplete. Today's
   * units (and VN) add their halves, unless a unit below them sent the year whole: then they sum their children's
   * 2025, so that the whole-year report counts (it cannot be split into halves).
   */
  private year2025(u: RefUnit, p: RefPeriod, s: Series): Figure | undefined {
    const [s1, s2] = p.parts;
    if (u.list === '2025-03') {
      const f = this.figure(u.id, s1, s);
      return f && { value: f.value, partial: true };
    }
    if (this.wholeYearBelow(u, p, s)) return this.sumOfChildren(u, p, s);
    return this.overTime(u, [s1, s2], s);
  }

  private wholeYearBelow(u: RefUnit, p: RefPeriod, s: Series): boolean {
    return (this.children.get(u.id) ?? [])
      .filter((c) => c.list === '2025-07')
      .some((c) => this.own.has(key(c.id, p.id, s)) || this.wholeYearBelow(c, p, s));
  }

  /** Whether the unit sent a figure of the series for the period or a period within it. */
  private sentWithin(u: RefUnit, p: RefPeriod, s: Series): boolean {
    return (this.sentPeriods.get([u.id, s.indicator, s.sex, s.age].join('|')) ?? []).some((id) => {
      const q = refPeriod(id);
      return q.first >= p.first && q.last <= p.last;
    });
  }

  /** Flows add up over the parts of a period; a stock is its latest part that has a value. */
  private overTime(u: RefUnit, parts: string[], s: Series): Figure | undefined {
    const figures = parts.map((q) => this.figure(u.id, q, s)).filter((f): f is Figure => f !== undefined);
    if (!figures.length) return undefined;
    const partial = figures.some((f) => f.partial);
    if (this.isStock(s.indicator)) {
      const latest = figures.filter((f) => f.value !== null).pop();
      return { value: latest?.value ?? null, partial };
    }
    return { value: sumOrNull(figures.map((f) => f.value)), partial };
  }

  /** The children in the list of the period's last day. */
  private sumOfChildren(u: RefUnit, p: RefPeriod, s: Series): Figure | undefined {
    const list = p.last < REFORM_MONTH ? '2025-03' : '2025-07';
    const figures = (this.children.get(u.id) ?? [])
      .filter((c) => c.list === list)
      .map((c) => this.figure(c.id, p.id, s))
      .filter((f): f is Figure => f !== undefined);
    if (!figures.length) return undefined;
    return { value: sumOrNull(figures.map((f) => f.value)), partial: figures.some((f) => f.partial) };
  }

  /** The predecessors' figures, weighted; a split ward without weights counts in no commune (and says so). */
  private fromPredecessors(u: RefUnit, p: RefPeriod, s: Series): Figure | undefined {
    let partial = false;
    const values: (number | null)[] = [];
    let any = false;
    for (const l of this.predecessors.get(u.id) ?? []) {
      const f = this.figure(l.oldId, p.id, s);
      if (!f) continue;
      any = true;
      partial ||= f.partial || l.weight === null;
      values.push(l.weight === null || f.value === null ? null : l.weight * f.value);
    }
    return any ? { value: sumOrNull(values), partial } : undefined;
  }
}

/** The sum of the values that exist; null when none does (no data is not 0). */
function sumOrNull(values: (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}
