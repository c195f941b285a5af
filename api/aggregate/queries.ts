/**
 * The questions leadership asks, answered from the roll-up: KPIs, trends, breakdowns and discrepancies. Each reads
 * every cell it needs in one query (api/aggregate/cells.ts) and applies suppression for viewers.
 */
import { sql } from 'kysely';
import { findIndicator, type Indicator, targetStatus, type TargetStatus } from '../../schema/catalogue.ts';
import {
  MIN_YEAR,
  parsePeriod,
  type Period,
  type PeriodType,
  periodRange,
  previousYear,
} from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { Principal, ResultCache } from '../context.ts';
import type { UnitDirectory, UnitRow } from '../directory.ts';
import { CellRequest, periodNo } from './cells.ts';
import { type Disaggregation, type Measure, planMeasure, TOTAL } from './measures.ts';
import { appliesTo } from './suppression.ts';
import { ViewerSuppression } from './withheld.ts';

export interface KpiResult extends Measure {
  indicator: Indicator;
  unit: UnitRow;
  period: Period;
  status: TargetStatus;
  previousValue: number | null;
  change: number | null;
  suppressed: boolean;
  complete: boolean;
}

const NO_MEASURE: Measure = { value: null, numerator: null, denominator: null, partial: false };

export interface Ask {
  w: Warehouse;
  dir: UnitDirectory;
  principal: Principal;
  /** The result cache, where the viewers' suppression tables are kept until the next load. */
  cache?: ResultCache;
}

function suppressionFor(a: Ask): ViewerSuppression {
  return new ViewerSuppression({ w: a.w, cache: a.cache });
}

/**
 * The period a value is compared with: the same period a year earlier. An old-list unit's 2025 is its first half
 * only (it existed until 30/6/2025), so like for like it is compared with the first half of 2024.
 */
function comparedWith(unit: UnitRow, period: Period): Period {
  const outlived = unit.hierarchy === '2025-03' && period.start < REFORM_DATE && period.end >= REFORM_DATE;
  return outlived ? parsePeriod(`${period.year - 1}S1`) : previousYear(period);
}

/** KPIs of several indicators for one unit and period, with the same period a year earlier. */
export async function kpis(
  a: Ask,
  indicators: Indicator[],
  unit: UnitRow,
  period: Period,
  by: Disaggregation = TOTAL,
): Promise<KpiResult[]> {
  const req = new CellRequest(a.w);
  // The calendar starts in MIN_YEAR: a period of that year has no year before it to compare with.
  const earlier = period.year > MIN_YEAR ? comparedWith(unit, period) : null;
  const plans = await Promise.all(
    indicators.map(async (i) => ({
      now: await planMeasure(req, a.dir, i, unit, period, by),
      before: earlier ? await planMeasure(req, a.dir, i, unit, earlier, by) : () => NO_MEASURE,
    })),
  );
  const [cells, reported] = await Promise.all([req.read(), leafReportsComplete(a, unit, period)]);
  const viewer = suppressionFor(a);
  return Promise.all(
    indicators.map(async (indicator, k) => {
      const now = plans[k].now(cells);
      const before = plans[k].before(cells);
      const hide = appliesTo(a.principal.role, indicator);
      const suppressed = hide && (await viewer.withheld(indicator, unit, period, by));
      const previousHidden = hide && earlier !== null && (await viewer.withheld(indicator, unit, earlier, by));
      const value = suppressed ? null : now.value;
      const previousValue = previousHidden ? null : before.value;
      return {
        indicator,
        unit,
        period,
        ...now,
        value,
        ...hideParts(a, indicator, suppressed, now),
        status: suppressed ? 'NO_DATA' : targetStatus(now.value, indicator),
        previousValue,
        change: value === null || previousValue === null ? null : value - previousValue,
        suppressed,
        complete: !now.partial && reported,
      };
    }),
  );
}

export interface Point {
  period: Period;
  value: number | null;
  partial: boolean;
  suppressed: boolean;
}

/** At most this many points in one trend: 40 years of months. */
export const MAX_TREND_POINTS = 480;

/** The indicator for each period of `granularity` from `from` to `to`; a unit of today runs back through its predecessors. */
export async function trend(
  a: Ask,
  indicator: Indicator,
  unit: UnitRow,
  from: Period,
  to: Period,
  granularity: PeriodType,
  by: Disaggregation = TOTAL,
): Promise<Point[]> {
  const periods = periodRange(granularity, from.start, to.end);
  const req = new CellRequest(a.w);
  const plans = await Promise.all(periods.map((p) => planMeasure(req, a.dir, indicator, unit, p, by)));
  const cells = await req.read();
  const measures = plans.map((plan) => plan(cells));
  const hide = appliesTo(a.principal.role, indicator);
  const viewer = suppressionFor(a);
  // Each point as its year's pattern decides (api/aggregate/withheld.ts), as kpi and breakdown show it too.
  const suppressed = await Promise.all(periods.map((p) => hide && viewer.withheld(indicator, unit, p, by)));
  return periods.map((period, i) => ({
    period,
    value: suppressed[i] ? null : measures[i].value,
    partial: measures[i].partial,
    suppressed: suppressed[i],
  }));
}

/**
 * The numerator and denominator a caller may see. A viewer never gets the counts behind a victims ratio: subtracted
 * from a parent's, they would give back a withheld unit's; the percentage alone gives nothing back.
 */
function hideParts(
  a: Ask,
  indicator: Indicator,
  suppressed: boolean,
  m: Measure,
): { numerator: number | null; denominator: number | null } {
  return suppressed || appliesTo(a.principal.role, indicator)
    ? { numerator: null, denominator: null }
    : { numerator: m.numerator, denominator: m.denominator };
}

export interface Row {
  unit: UnitRow;
  measure: Measure;
  rank: number | null;
  suppressed: boolean;
}

/** The units of `level` under `unit` (its children by default) in the list the unit belongs to, ranked by value. */
export async function breakdown(
  a: Ask,
  indicator: Indicator,
  unit: UnitRow,
  units: UnitRow[],
  period: Period,
  by: Disaggregation = TOTAL,
): Promise<Row[]> {
  const req = new CellRequest(a.w);
  const plans = await Promise.all(units.map((u) => planMeasure(req, a.dir, indicator, u, period, by)));
  const cells = await req.read();
  const measures = plans.map((plan) => plan(cells));
  const hide = appliesTo(a.principal.role, indicator);
  const viewer = suppressionFor(a);
  // Each row as its year's pattern decides (api/aggregate/withheld.ts), as kpi and trend show it too.
  const suppressed = await Promise.all(units.map((u) => hide && viewer.withheld(indicator, u, period, by)));
  const ranked = measures
    .map((m, i) => ({ i, v: suppressed[i] ? null : m.value }))
    .filter((x) => x.v !== null)
    .sort((x, y) => y.v! - x.v!);
  const rank = new Map<number, number>();
  ranked.forEach((x, k) => rank.set(x.i, k > 0 && ranked[k - 1].v === x.v ? rank.get(ranked[k - 1].i)! : k + 1));
  return units.map((u, i) => ({
    unit: u,
    measure: {
      ...measures[i],
      value: suppressed[i] ? null : measures[i].value,
      ...hideParts(a, indicator, suppressed[i], measures[i]),
    },
    rank: rank.get(i) ?? null,
    suppressed: suppressed[i],
  }));
}

/**
 * Whether every ward or commune under the unit sent its monthly report for each month of the period, in the list
 * in force then. (Today's units before the reform are judged by the partial flag alone.)
 */
async function leafReportsComplete(a: Ask, unit: UnitRow, period: Period): Promise<boolean> {
  // Every kpi of a dashboard asks it for the same unit and period: counted once per load (the cache is cleared by
  // each), not once per request.
  const key = `complete\u0000${unit.unit_id}\u0000${period.id}`;
  return a.cache ? a.cache.get(key, () => countLeafReports(a, unit, period)) : countLeafReports(a, unit, period);
}

async function countLeafReports(a: Ask, unit: UnitRow, period: Period): Promise<boolean> {
  const inForce = (u: UnitRow) =>
    (u.valid_from === null || u.valid_from <= period.end) && (u.valid_to === null || u.valid_to >= period.start);
  if (!inForce(unit)) return true;
  const list = period.end < REFORM_DATE ? '2025-03' : '2025-07';
  const leaves = a.dir.subtree(unit.unit_id).filter((u) => u.level === 'ward' && u.hierarchy === list).length;
  const months = periodRange(
    'month',
    period.start < REFORM_DATE && list === '2025-07' ? REFORM_DATE : period.start,
    period.end,
  );
  if (!leaves) return true;
  const { n } = await a.w.db
    .selectFrom('reports as r')
    .innerJoin('units as u', 'u.unit_id', 'r.unit_id')
    // A unit may have resent a month: each (unit, month) counts once.
    .select(sql<number>`count(DISTINCT (${sql.ref('r.unit_id')}, ${sql.ref('r.period_id')}))`.as('n'))
    .where('u.level', '=', 'ward')
    .where('u.hierarchy', '=', list)
    .where('r.unit_id', 'in', (eb) =>
      eb.selectFrom('unit_closure').select('descendant_id').where('ancestor_id', '=', unit.unit_id),
    )
    .where(
      'r.period_id',
      'in',
      months.map((m) => m.id),
    )
    .executeTakeFirstOrThrow();
  return n >= leaves * months.length;
}

export interface Discrepancy {
  unit: UnitRow;
  indicator: string;
  reported: number;
  childrenSum: number;
  children: number;
}

/** Units under `unit` whose own report for the period disagrees with the sum of their children's values (viewers: no victims figures). */
export async function discrepancies(a: Ask, unit: UnitRow, period: Period): Promise<Discrepancy[]> {
  const pno = await periodNo(a.w, period);
  // The unit's subtree, and for one of today's units asked about the past, its predecessors' subtrees.
  const roots = [unit, ...(a.dir.predecessors.get(unit.unit_id) ?? []).map((l) => a.dir.unit(l.unitId)!)];
  const ids = [...new Set(roots.flatMap((r) => a.dir.subtree(r.unit_id).map((u) => u.unit_id)))];
  const rows = await a.w.db
    .with('own', (db) =>
      db
        .selectFrom('facts as f')
        .select([
          'f.unit_id',
          'f.indicator',
          // The series part of the fact key (its packing: etl/commit.ts).
          sql<number>`${sql.ref('f.fact_key')} % 1024`.as('series'),
          'f.value',
        ])
        .where('f.is_current', '=', true)
        .where('f.period_id', '=', period.id)
        .where('f.sex', '=', 'total')
        .where('f.age_group', '=', 'total')
        // The ids travel as one parameter: a subtree under VN holds thousands of units.
        .where('f.unit_id', 'in', sql<number>`(SELECT unnest(string_split(${ids.join(',')}, ','))::INTEGER)`),
    )
    // Each figure with the children in force for the whole period, materialized before the roll-up is joined: left
    // to itself, DuckDB joins the figures to the roll-up on the series alone first (24 million rows for VN's March
    // 2024 on the demo sample: 11 s, against 0.1 s this way).
    .with(
      (cte) => cte('pairs').materialized(),
      (db) =>
        db
          .selectFrom('own as o')
          .innerJoin('units as c', (join) =>
            join
              .onRef('c.parent_id', '=', 'o.unit_id')
              // Only children in force for the whole period: under VN, the old provinces before the reform, the new
              // after.
              .on((eb) =>
                eb.and([
                  eb.or([
                    eb('c.valid_from', 'is', null),
                    eb('c.valid_from', '<=', eb.cast<string>(eb.val(period.start), 'date')),
                  ]),
                  eb.or([
                    eb('c.valid_to', 'is', null),
                    eb('c.valid_to', '>=', eb.cast<string>(eb.val(period.end), 'date')),
                  ]),
                ]),
              ),
          )
          .select(['o.unit_id', 'o.indicator', 'o.series', 'o.value', 'c.unit_id as child_id']),
    )
    .selectFrom('pairs as o')
    .innerJoin('rollup as r', (join) =>
      join.onRef('r.unit_id', '=', 'o.child_id').on('r.period_no', '=', pno).onRef('r.series', '=', 'o.series'),
    )
    .select((eb) => [
      'o.unit_id',
      'o.indicator',
      'o.value as reported',
      eb.fn.sum<number>('r.value').as('children_sum'),
      eb.fn.countAll<number>().as('children'),
    ])
    .groupBy(['o.unit_id', 'o.indicator', 'o.value'])
    .having((eb) => eb(eb.fn.sum('r.value'), '<>', eb.ref('o.value')))
    .orderBy('o.unit_id')
    .orderBy('o.indicator')
    .execute();
  // A unit's own report and its children's sum are raw figures: for viewers, victims figures stay out altogether.
  return rows
    .filter((r) => !appliesTo(a.principal.role, findIndicator(r.indicator)!))
    .map((r) => ({
      unit: a.dir.unit(r.unit_id)!,
      indicator: r.indicator,
      reported: r.reported,
      childrenSum: r.children_sum,
      children: r.children,
    }));
}
