/**
 * Which victims figures a viewer gets withheld: one status per figure, whatever answer carries it (a kpi, a
 * breakdown row, a trend point, the previousValue of the year after). A figure is one roll-up cell: a unit, a period
 * and one of the nine sex × age group cells of a victims_* count.
 *
 * The statuses of a count for one calendar year are decided at once, for the whole country: every figure of every
 * unit in force that year, for the year, its halves, quarters and months and the nine sex × age cells. Every relation
 * that holds between those figures is a set of complementary suppression:
 *  - units: a parent = the sum of its children in force, for each period and sex × age cell;
 *  - periods: a year = its halves = its quarters = its months, a half = its quarters = its months, a quarter = its
 *    months, for each unit and sex × age cell;
 *  - sex and age: total = female + male = child + adult, female = female child + female adult, and so on, for each
 *    unit and period.
 * A figure from 1 to k − 1 is withheld (primary suppression). Then, until nothing changes (`pattern`):
 *  - a relation with exactly one withheld member, or whose withheld members are all parts worth 1 beside a shown
 *    total (each withheld figure is at least 1, since 0 is shown), gets its smallest shown non-zero member withheld
 *    too; such a member always exists in a relation that holds;
 *  - each unit's own figures are solved exactly from its own relations (periods, sex × age), and a withheld figure
 *    they determine gets one more figure nearby withheld. Several relations together can pin a figure that no single
 *    one does (a month's male 1 from its quarter's, its half's and its sex and age totals).
 * Relations that do not hold (a parent's own report that disagrees with its children) give nothing exact away and
 * are left out. Relations across units are only checked one at a time here; test/api/suppression-combined.test.ts
 * solves the whole system of a district, its province and their successors for one year.
 *
 * Figures outside that native set are derived, and withheld when any figure they are made of is: a new unit before
 * the reform is the sum of the old units it was made of; its 2025 year is its first half (old units') plus its
 * second half. A derived figure that is shown is computed from shown figures and tells nothing new.
 *
 * The patterns of a year (all victims counts, one scan of the roll-up) are kept in the result cache, which every load
 * clears: computed once per year and load, on the national sample in about 0.5–1 s.
 */
import { type CountIndicator, findIndicator, type Indicator, INDICATORS } from '../../schema/catalogue.ts';
import { type Period, parsePeriod } from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { ResultCache } from '../context.ts';
import type { UnitDirectory, UnitRow } from '../directory.ts';
import { sql } from 'kysely';
import { periodNo, seriesOf } from './cells.ts';
import type { Disaggregation, Measure } from './measures.ts';
import { isSensitive, isSmall, primarySuppressed } from './suppression.ts';

/** The nine sex × age group cells, total first; a count without a breakdown has only the first. */
const BYS: readonly Disaggregation[] = [
  { sex: 'total', ageGroup: 'total' },
  { sex: 'female', ageGroup: 'total' },
  { sex: 'male', ageGroup: 'total' },
  { sex: 'total', ageGroup: 'child' },
  { sex: 'total', ageGroup: 'adult' },
  { sex: 'female', ageGroup: 'child' },
  { sex: 'female', ageGroup: 'adult' },
  { sex: 'male', ageGroup: 'child' },
  { sex: 'male', ageGroup: 'adult' },
];
/** [total, parts] by index into BYS. */
const BY_RELATIONS: readonly [number, number[]][] = [
  [0, [1, 2]],
  [0, [3, 4]],
  [1, [5, 6]],
  [2, [7, 8]],
  [3, [5, 7]],
  [4, [6, 8]],
];

/** The 19 periods of a year by index: 0 the year, 1–2 halves, 3–6 quarters, 7–18 months. */
const PERIOD_SUFFIXES = [
  '',
  'S1',
  'S2',
  'Q1',
  'Q2',
  'Q3',
  'Q4',
  ...Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0')),
];
const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
/** [coarser, the finer periods making it up], by index: one relation per finer granularity. */
const PERIOD_RELATIONS: readonly [number, number[]][] = [
  [0, [1, 2]],
  [0, range(3, 4)],
  [0, range(7, 12)],
  [1, [3, 4]],
  [1, range(7, 6)],
  [2, [5, 6]],
  [2, range(13, 6)],
  [3, range(7, 3)],
  [4, range(10, 3)],
  [5, range(13, 3)],
  [6, range(16, 3)],
];

function periodsOf(year: number): Period[] {
  return PERIOD_SUFFIXES.map((s) => parsePeriod(`${year}${s}`));
}

function periodIndex(p: Period): number {
  return PERIOD_SUFFIXES.indexOf(p.type === 'year' ? '' : p.id.slice(4));
}

/** A unit's own cells for a period: VN always; old units before the reform, new ones wholly after it. */
function native(u: UnitRow, p: Period): boolean {
  if (u.hierarchy === 'national') return true;
  return u.hierarchy === '2025-03' ? p.start < REFORM_DATE : p.start >= REFORM_DATE;
}

function byIndex(indicator: CountIndicator, by: Disaggregation): number {
  if (!indicator.disaggregations.length) return 0;
  return BYS.findIndex((b) => b.sex === by.sex && b.ageGroup === by.ageGroup);
}

export interface WithholdingSource {
  w: Warehouse;
  dir: UnitDirectory;
  /** Where patterns outlive the request (the result cache, cleared by every load). */
  cache?: ResultCache;
}

/**
 * A viewer's suppression, for one request: a count's figure as its year's pattern decides; a ratio withheld when a
 * victims count it is built on is (its percentage and one shown count would give the other back).
 */
export class ViewerSuppression {
  /** Per year, the withheld figures of each victims count (by code), as `cellOf` numbers. */
  private readonly years = new Map<number, Promise<Map<string, Set<number>>>>();

  constructor(private readonly source: WithholdingSource) {}

  async withheld(
    indicator: Indicator,
    unit: UnitRow,
    period: Period,
    by: Disaggregation,
    m: Measure,
  ): Promise<boolean> {
    if (!isSensitive(indicator)) return false;
    if (indicator.kind === 'count') return this.count(indicator, unit, period, by);
    if (primarySuppressed(indicator, m)) return true;
    for (const part of [indicator.numerator, indicator.denominator]) {
      const count = findIndicator(part);
      if (count?.kind === 'count' && isSensitive(count) && (await this.count(count, unit, period, by))) return true;
    }
    return false;
  }

  /** Whether the viewer gets a victims count's figure of `unit` for `period` (sex × age `by`) withheld. */
  private async count(indicator: CountIndicator, unit: UnitRow, period: Period, by: Disaggregation): Promise<boolean> {
    if (native(unit, period)) {
      const pattern = (await this.year(period.year)).get(indicator.code);
      return pattern?.has(cellOf(unit.unit_id, periodIndex(period), byIndex(indicator, by))) ?? false;
    }
    if (unit.hierarchy === '2025-03' || period.start >= REFORM_DATE) return false; // an old unit after the reform: no figures
    if (period.end < REFORM_DATE) {
      // A new unit before the reform: the sum of the old units it was made of.
      for (const o of this.source.dir.predecessors.get(unit.unit_id) ?? []) {
        if (await this.count(indicator, this.source.dir.unit(o.unitId)!, period, by)) return true;
      }
      return false;
    }
    // A new unit's 2025: its first half (made of old units) and its second half.
    return (
      (await this.count(indicator, unit, parsePeriod(`${period.year}S1`), by)) ||
      (await this.count(indicator, unit, parsePeriod(`${period.year}S2`), by))
    );
  }

  /**
   * Computes the patterns of the years of `periods` not known yet (here or in the cache) in one scan of the roll-up:
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

/** A figure of the native set: unit, period index (0–18) and sex × age index (0–8). */
function cellOf(unitId: number, p: number, d: number): number {
  return (unitId * PERIOD_SUFFIXES.length + p) * BYS.length + d;
}

/** The withheld figures of every victims count in each of `years`, over the whole country: one scan of the roll-up. */
async function withheldInYears(
  source: WithholdingSource,
  years: number[],
): Promise<Map<number, Map<string, Set<number>>>> {
  const periods = years.flatMap(periodsOf);
  const periodNos = await Promise.all(periods.map((p) => periodNo(source.w, p)));
  const byNo = new Map(periodNos.map((n, i) => [n, periods[i]]));
  /** series → [indicator, sex × age index] */
  const bySeries = new Map(
    SENSITIVE_COUNTS.flatMap((i) =>
      BYS.slice(0, i.disaggregations.length ? BYS.length : 1).map((b, d): [number, [CountIndicator, number]] => [
        seriesOf(i.code, b.sex, b.ageGroup),
        [i, d],
      ]),
    ),
  );
  const series = [...bySeries.keys()];
  // Zeros are left out: a figure of 0 is never withheld nor chosen, and adds nothing to a sum, like a missing one.
  const { rows } = await sql<{ unit_id: number; period_no: number; series: number; value: number }>`
    SELECT unit_id, period_no, series, value FROM rollup
    WHERE value <> 0 AND series BETWEEN ${Math.min(...series)} AND ${Math.max(...series)}
      AND period_no IN (SELECT unnest(string_split(${periodNos.join(',')}, ','))::SMALLINT)`.execute(source.w.db);
  const figures = new Map<string, { cells: number[]; value: Map<number, number> }>();
  for (const r of rows) {
    const s = bySeries.get(r.series);
    const p = byNo.get(r.period_no)!;
    const unit = source.dir.unit(r.unit_id);
    if (!s || !unit || !native(unit, p)) continue;
    const key = `${p.year}|${s[0].code}`;
    let f = figures.get(key);
    if (!f) figures.set(key, (f = { cells: [], value: new Map() }));
    const c = cellOf(r.unit_id, periodIndex(p), s[1]);
    f.cells.push(c);
    f.value.set(c, r.value);
  }
  const out = new Map<number, Map<string, Set<number>>>();
  for (const year of years) {
    const byCode = new Map<string, Set<number>>();
    for (const i of SENSITIVE_COUNTS) {
      const f = figures.get(`${year}|${i.code}`) ?? { cells: [], value: new Map() };
      // In a fixed order: the complements chosen depend on the order relations are met, and must not change between
      // two computations of the same figures (after a restart, say), or two patterns could be combined.
      const cells = f.cells.sort((a, b) => a - b);
      byCode.set(
        i.code,
        pattern(source.dir, periodsOf(year), i.disaggregations.length > 0, {
          index: new Map(cells.map((c, k) => [c, k])),
          cells,
          value: cells.map((c) => f.value.get(c)!),
        }),
      );
    }
    out.set(year, byCode);
  }
  return out;
}

/** The native figures of one count in one year that are not 0: `cellOf` numbers, their index, their values. */
interface Figures {
  index: Map<number, number>;
  cells: number[];
  value: number[];
}

/**
 * Primary and complementary suppression of one count's figures for one year: the withheld ones, as `cellOf` numbers.
 *
 * Two rules are applied until neither withholds anything more:
 *  - single relations: a relation that holds with exactly one withheld member, or whose withheld members are all
 *    parts worth 1 beside a shown total, gets its smallest shown non-zero member withheld;
 *  - each unit's own figures: the relations among one unit's figures (its periods, its sex × age cells) are solved
 *    exactly (`solvedInRow`); a withheld figure they determine gets the smallest shown non-zero figure of one of its
 *    relations withheld.
 */
function pattern(
  dir: UnitDirectory,
  periods: Period[],
  disaggregated: boolean,
  { index, cells, value }: Figures,
): Set<number> {
  // Relations as [total, ...parts] over the figures present (an absent figure is 0), kept where they hold; flat:
  // relation k's members are members[start[k]] … members[start[k + 1] − 1], its total first.
  const members: number[] = [];
  const start: number[] = [0];
  /** The relations among one unit's own figures (periods, sex × age), by unit. */
  const ownRelations = new Map<number, number[]>();
  const add = (total: number, unitId: number | null) => {
    let sum = 0;
    for (let j = start[start.length - 1] + 1; j < members.length; j++) sum += value[members[j]];
    if (members.length - start[start.length - 1] > 1 && Math.abs(sum - value[total]) < 1e-9) {
      if (unitId !== null) {
        const own = ownRelations.get(unitId);
        if (own) own.push(start.length - 1);
        else ownRelations.set(unitId, [start.length - 1]);
      }
      start.push(members.length);
    } else members.length = start[start.length - 1];
  };
  const part = (c: number) => {
    const i = index.get(c);
    if (i !== undefined) members.push(i);
  };
  const unitOf = (i: number) => Math.floor(cells[i] / BYS.length / PERIOD_SUFFIXES.length);
  const children = new Map<number, UnitRow[]>();
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i];
    const d = c % BYS.length;
    const p = Math.floor(c / BYS.length) % PERIOD_SUFFIXES.length;
    const unitId = unitOf(i);
    let kids = children.get(unitId);
    if (!kids) children.set(unitId, (kids = dir.children(unitId)));
    if (kids.length) {
      members.push(i);
      for (const k of kids) if (native(k, periods[p])) part(cellOf(k.unit_id, p, d));
      add(i, null);
    }
    for (const [coarse, fine] of PERIOD_RELATIONS) {
      if (coarse !== p) continue;
      members.push(i);
      for (const f of fine) part(cellOf(unitId, f, d));
      add(i, unitId);
    }
    if (!disaggregated) continue;
    for (const [total, parts] of BY_RELATIONS) {
      if (total !== d) continue;
      members.push(i);
      for (const x of parts) part(cellOf(unitId, p, x));
      add(i, unitId);
    }
  }
  const relations = start.length - 1;
  const membersOf = (k: number) => members.slice(start[k], start[k + 1]);

  const withheld = Uint8Array.from(value, (v) => (isSmall(v) ? 1 : 0));
  const relationsOf: number[][] = cells.map(() => []);
  for (let k = 0; k < relations; k++) for (let j = start[k]; j < start[k + 1]; j++) relationsOf[members[j]].push(k);
  /** Units with a figure withheld since their own figures were last solved. */
  const unsolved = new Set<number>();
  const queue: number[] = [];
  const withhold = (i: number) => {
    withheld[i] = 1;
    unsolved.add(unitOf(i));
    for (const r of relationsOf[i]) queue.push(r);
  };
  /** The smallest shown non-zero member of relation k, or −1. */
  const complementIn = (k: number) => {
    let pick = -1;
    for (let j = start[k]; j < start[k + 1]; j++) {
      const i = members[j];
      if (!withheld[i] && value[i] > 0 && (pick < 0 || value[i] < value[pick])) pick = i;
    }
    return pick;
  };
  for (let i = 0; i < cells.length; i++) if (withheld[i]) unsolved.add(unitOf(i));
  for (let k = relations - 1; k >= 0; k--) queue.push(k);

  while (queue.length || unsolved.size) {
    // Single relations, until stable: a figure withheld may leave another of its relations exposed.
    while (queue.length) {
      const k = queue.pop()!;
      let held = 0;
      let heldSum = 0;
      for (let j = start[k]; j < start[k + 1]; j++) if (withheld[members[j]]) (held++, (heldSum += value[members[j]]));
      // One withheld member: the total minus the others gives it. Withheld parts worth 1 each beside a shown total:
      // their sum equals their number, and none is less than 1.
      if (!held || (held > 1 && (withheld[members[start[k]]] || heldSum !== held))) continue;
      const pick = complementIn(k);
      if (pick >= 0) withhold(pick);
    }
    // Each unit's own figures, solved exactly; in unit order, so that the same figures give the same pattern.
    for (const unitId of [...unsolved].sort((a, b) => a - b)) {
      unsolved.delete(unitId);
      const own = ownRelations.get(unitId) ?? [];
      const solved = solvedInRow(own.map(membersOf), withheld);
      if (solved.length) {
        // One more figure per pass, as near the first solved one as can be: in one of its relations, else in one
        // of theirs, and so on. The unit is solved again after it (`withhold` marks it).
        const reached = new Set<number>([solved[0]]);
        for (let frontier = [solved[0]]; frontier.length;) {
          const rels = own.filter((r) => membersOf(r).some((i) => frontier.includes(i)));
          const k = rels.find((r) => complementIn(r) >= 0);
          if (k !== undefined) {
            withhold(complementIn(k));
            break;
          }
          frontier = rels.flatMap(membersOf).filter((i) => !reached.has(i));
          frontier.forEach((i) => reached.add(i));
        }
      }
    }
  }
  const out = new Set<number>();
  for (let i = 0; i < cells.length; i++) if (withheld[i]) out.add(cells[i]);
  return out;
}

/**
 * The withheld figures that relations (each [total, ...parts], the total minus the parts being 0) determine once the
 * shown figures are put in: Gauss–Jordan elimination over the withheld figures only. A figure is determined when
 * the reduced system has a row naming it alone. Sized for one unit's figures (at most 19 × 9 of them).
 */
function solvedInRow(rels: number[][], withheld: Uint8Array): number[] {
  const col = new Map<number, number>();
  for (const rel of rels) for (const i of rel) if (withheld[i] && !col.has(i)) col.set(i, col.size);
  const n = col.size;
  if (n === 0) return [];
  const rows: Float64Array[] = [];
  for (const rel of rels) {
    const row = new Float64Array(n);
    let any = false;
    rel.forEach((i, j) => {
      const c = col.get(i);
      if (c !== undefined) ((row[c] += j === 0 ? 1 : -1), (any = true));
    });
    if (any) rows.push(row);
  }
  const pivotOf: number[] = [];
  let r = 0;
  for (let c = 0; c < n && r < rows.length; c++) {
    let best = -1;
    for (let i = r; i < rows.length; i++)
      if (Math.abs(rows[i][c]) > 1e-9 && (best < 0 || Math.abs(rows[i][c]) > Math.abs(rows[best][c]))) best = i;
    if (best < 0) continue;
    [rows[r], rows[best]] = [rows[best], rows[r]];
    const p = rows[r];
    const k = p[c];
    for (let j = c; j < n; j++) p[j] /= k;
    for (let i = 0; i < rows.length; i++) {
      if (i === r) continue;
      const f = rows[i][c];
      if (Math.abs(f) < 1e-12) continue;
      const row = rows[i];
      for (let j = c; j < n; j++) row[j] -= f * p[j];
    }
    pivotOf[r] = c;
    r++;
  }
  const cells = [...col.keys()];
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    let nonZero = 0;
    for (let j = 0; j < n && nonZero < 2; j++) if (Math.abs(rows[i][j]) > 1e-9) nonZero++;
    if (nonZero === 1) out.push(cells[pivotOf[i]]);
  }
  return out;
}
