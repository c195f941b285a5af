/**
 * Which victims figures a viewer gets withheld: one status per figure, whatever answer carries it (a kpi, a
 * breakdown row, a trend point, the previousValue of the year after).
 *
 * Two methods statistical offices use together:
 *  - Coarser granularity. Viewers get victims counts only as yearly totals of VN and of the provinces of either
 *    list (the old ones for the years before the reform). Months, quarters, halves, districts, wards and communes,
 *    and the sex × age cells are withheld whatever their value: below that level the many small figures and the
 *    relations between them (a year = its months, a total = female + male …) leave too little room to hide in.
 *  - Primary and complementary suppression with protection intervals over what remains: the pattern of each year,
 *    computed at load time beside the roll-up (etl/marts/suppressionPattern.ts says how, etl/marts/suppression.ts
 *    keeps it in `suppression_shown`). Here it is only looked up, so a viewer's answer costs what an analyst's does.
 */
import DataLoader from 'dataloader';
import { type CountIndicator, findIndicator, type Indicator } from '../../schema/catalogue.ts';
import type { Period } from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import type { ResultCache } from '../context.ts';
import type { UnitRow } from '../directory.ts';
import { seriesOf } from './cells.ts';
import type { Disaggregation } from './measures.ts';
import { isSensitive } from './suppression.ts';

export interface WithholdingSource {
  w: Warehouse;
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

/** A year's pattern: per series of a victims count's total, the units whose figure is shown. */
type Shown = Map<number, Set<number>>;

/**
 * A viewer's suppression, for one request: a count's figure as its year's pattern decides; a ratio withheld when a
 * victims count it is built on is (its percentage and one shown count would give the other back).
 */
export class ViewerSuppression {
  /** The years asked for in one tick are read in one query. */
  private readonly loader: DataLoader<number, Shown>;

  constructor(private readonly source: WithholdingSource) {
    this.loader = new DataLoader((years) => shownInYears(source.w, years));
  }

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
    // Only published figures have a pattern: the rest is withheld without a look.
    if (!published(unit, period, by)) return true;
    const shown = (await this.year(period.year)).get(seriesOf(indicator.code));
    return !shown?.has(unit.unit_id);
  }

  private year(year: number): Promise<Shown> {
    const { cache } = this.source;
    return cache ? cache.get(`withheld\u0000${year}`, () => this.loader.load(year)) : this.loader.load(year);
  }
}

async function shownInYears(w: Warehouse, years: readonly number[]): Promise<Shown[]> {
  const rows = await w.db
    .selectFrom('suppression_shown')
    .select(['year', 'series', 'unit_id'])
    .where('year', 'in', [...years])
    .execute();
  const byYear = new Map<number, Shown>(years.map((y) => [y, new Map()]));
  for (const r of rows) {
    const shown = byYear.get(r.year)!;
    const units = shown.get(r.series);
    if (units) units.add(r.unit_id);
    else shown.set(r.series, new Set([r.unit_id]));
  }
  return years.map((y) => byYear.get(y)!);
}
