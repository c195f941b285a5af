/**
 * An indicator's value for a unit and a period, from roll-up cells: a count is its cell; a ratio is
 * sum(numerator) / sum(denominator) × 100 over the selection (both already summed by the roll-up), never an average
 * of ratios. Model coverage divides by the number of wards or communes under the unit in force in the period.
 */
import { type CountIndicator, findIndicator, type Indicator, WARDS_IN_FORCE } from '../../schema/catalogue.ts';
import type { Period } from '../../schema/periods.ts';
import type { UnitDirectory, UnitRow } from '../directory.ts';
import { type Cell, type CellRequest, seriesOf } from './cells.ts';

export interface Measure {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** Some history could not be allocated to the unit (see Cell.partial). */
  partial: boolean;
}

/** A breakdown of victims figures: `total` for the figure as a whole. */
export interface Disaggregation {
  sex: string;
  ageGroup: string;
}

export const TOTAL: Disaggregation = { sex: 'total', ageGroup: 'total' };

/**
 * Plans the cells a measure needs; the returned function computes it once the cells are read. A disaggregation
 * applies to counts (and to a ratio's parts that have it: victims supported / returned by sex).
 */
export async function planMeasure(
  req: CellRequest,
  dir: UnitDirectory,
  indicator: Indicator,
  unit: UnitRow,
  period: Period,
  by: Disaggregation = TOTAL,
): Promise<(cells: Map<number, Cell>) => Measure> {
  const series = (code: string) =>
    findIndicator(code)?.kind === 'count' && (findIndicator(code) as CountIndicator).disaggregations.length
      ? seriesOf(code, by.sex, by.ageGroup)
      : seriesOf(code);
  if (indicator.kind === 'count') {
    const key = await req.add(unit.unit_id, period, series(indicator.code));
    return (cells) => {
      const c = cells.get(key);
      return { value: c?.value ?? null, numerator: null, denominator: null, partial: c?.partial ?? false };
    };
  }
  const num = await req.add(unit.unit_id, period, series(indicator.numerator));
  const fixedDenominator = indicator.denominator === WARDS_IN_FORCE ? wardsInForce(dir, unit, period) : null;
  const den = fixedDenominator === null ? await req.add(unit.unit_id, period, series(indicator.denominator)) : null;
  return (cells) => {
    const n = cells.get(num);
    const d = den === null ? null : cells.get(den);
    const numerator = n?.value ?? null;
    const denominator = den === null ? fixedDenominator : (d?.value ?? null);
    const value =
      numerator === null || denominator === null || denominator === 0 ? null : (numerator / denominator) * 100;
    return { value, numerator, denominator, partial: Boolean(n?.partial || d?.partial) };
  };
}

/**
 * Wards or communes under a unit in force at the end of the period; for one of today's units before the reform,
 * those of its predecessors (old wards that went into it whole or in part).
 */
export function wardsInForce(dir: UnitDirectory, unit: UnitRow, period: Period): number {
  const inForce = (u: UnitRow) =>
    (u.valid_from === null || u.valid_from <= period.end) && (u.valid_to === null || u.valid_to >= period.end);
  const wards = (root: UnitRow) => dir.subtree(root.unit_id).filter((u) => u.level === 'ward' && inForce(u));
  if (inForce(unit)) return wards(unit).length;
  const seen = new Set<number>();
  for (const link of dir.predecessors.get(unit.unit_id) ?? []) {
    for (const w of wards(dir.unit(link.unitId)!)) seen.add(w.unit_id);
  }
  return seen.size;
}
