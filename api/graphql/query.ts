/**
 * The arguments of a figures query, parsed once into a normalised query before a resolver reads them, as Cube's API
 * gateway normalises a query before planning it: the catalogue's indicators, the disaggregation, the period or the
 * trend's range and granularity, the level, the day that says which list a plain unit code means; then the unit,
 * resolved and checked against the caller's scope (`resolveQuery`). Every resolver of figures goes through here, so
 * an argument is checked one way wherever it appears.
 *
 * A wrong argument gets BAD_USER_INPUT naming it and what was expected, in the order the checks run: indicators, sex
 * and age group, period or range, level, asOf, unit (a request with several wrong arguments hears of the first).
 */
import { AGE_GROUPS, type Indicator, SEXES } from '../../schema/catalogue.ts';
import type { Period, PeriodType } from '../../schema/periods.ts';
import type { ReporterLevel } from '../../schema/schedule.ts';
import { MAX_TREND_POINTS } from '../aggregate/queries.ts';
import type { Disaggregation } from '../aggregate/measures.ts';
import { isSensitive } from '../aggregate/suppression.ts';
import type { UnitRow } from '../directory.ts';
import type { RequestContext } from '../request.ts';
import { badUserInput } from './errors.ts';
import { resolveIndicatorArg } from './indicators.ts';
import { resolvePeriodArg, resolveRangeArg } from './periods.ts';
import { AdminLevel, LEVEL_OF } from './types/units.ts';
import { type Granularity, PERIOD_TYPE_OF } from './types/values.ts';
import { parseAsOf, resolveUnitArg } from './units.ts';

/** The options of the arguments several queries declare, written once so that their descriptions cannot drift. */
export const SEX_ARG = { nullable: true, description: 'female or male (victims_* only); default: the total' };
export const AGE_GROUP_ARG = {
  nullable: true,
  description: 'child (under 16) or adult (victims_* only); default: the total',
};
export const REPORTER_LEVEL_ARG = {
  nullable: true,
  description: 'Only reporters of this level (PROVINCE, DISTRICT or WARD)',
};

/** A query's arguments as the client sent them, under their GraphQL names; absent ones are left out. */
export interface QueryArgs {
  /** `kpi`, `trend`, `breakdown`. */
  indicator?: string;
  /** `kpis`: each named `indicators[i]` in errors. */
  indicators?: readonly string[];
  period?: string;
  /** `trend`: the range's ends and the period type of its points. */
  from?: string;
  to?: string;
  granularity?: Granularity;
  unit: string;
  asOf?: string | null;
  /** `breakdown`'s `level`: which units under `unit` are listed. */
  level?: AdminLevel | null;
  /** The compliance queries' `level`: which reporters count (NATIONAL reports to no one). */
  reporterLevel?: AdminLevel | null;
  sex?: string | null;
  ageGroup?: string | null;
}

export interface TrendRange {
  from: Period;
  to: Period;
  type: PeriodType;
}

/** What every query has once normalised; `period` and `range` are there when the query has those arguments. */
export interface NormalQueryBase {
  /** In the order asked; empty for the queries that name none. */
  indicators: Indicator[];
  /** The total unless `sex` or `ageGroup` asks for a part (victims figures only). */
  by: Disaggregation;
  level: AdminLevel | null;
  /** Undefined: every level the schedule expects. */
  reporterLevel: ReporterLevel | undefined;
  /** The day (YYYY-MM-DD) a plain unit code is read on: `asOf`, or today in Vietnam. */
  asOf: string;
  /** The unit argument, as written. */
  unitCode: string;
}

export type NormalQuery<A extends QueryArgs = QueryArgs> = NormalQueryBase &
  (A extends { period: string } ? { period: Period } : unknown) &
  (A extends { from: string; to: string; granularity: Granularity } ? { range: TrendRange } : unknown);

/** The days of each period type, near enough to count a range's points before planning it. */
const DAYS_IN: Record<PeriodType, number> = { month: 30.44, quarter: 91.3, half: 182.6, year: 365.25 };

/** Everything but the unit, which needs the warehouse: pure, so it is tested without a server. */
export function normaliseQuery<A extends QueryArgs>(args: A): NormalQuery<A> {
  const indicators =
    args.indicators !== undefined
      ? args.indicators.map((code, i) => resolveIndicatorArg(code, `indicators[${i}]`))
      : args.indicator !== undefined
        ? [resolveIndicatorArg(args.indicator, 'indicator')]
        : [];
  const by = disaggregation(indicators, args.sex, args.ageGroup);
  const period = args.period !== undefined ? resolvePeriodArg(args.period, 'period') : undefined;
  const range = args.from !== undefined && args.to !== undefined ? trendRange(args) : undefined;
  if (args.reporterLevel === AdminLevel.NATIONAL)
    throw badUserInput('level', 'NATIONAL reports to no one: expected PROVINCE, DISTRICT or WARD');
  const asOf = parseAsOf(args.asOf);
  return {
    indicators,
    by,
    level: args.level ?? null,
    reporterLevel: args.reporterLevel ? (LEVEL_OF[args.reporterLevel] as ReporterLevel) : undefined,
    asOf,
    unitCode: args.unit,
    ...(period && { period }),
    ...(range && { range }),
  } as NormalQuery<A>;
}

/** The normalised query with its unit, checked against the caller's scope (FORBIDDEN outside it). */
export async function resolveQuery<A extends QueryArgs>(
  ctx: RequestContext,
  args: A,
): Promise<NormalQuery<A> & { unit: UnitRow }> {
  const q = normaliseQuery(args);
  const unit = await resolveUnitArg(ctx.warehouse, q.unitCode, q.asOf, 'unit');
  await ctx.assertInScope(unit.unit_id);
  return { ...q, unit };
}

/** `sex` and `ageGroup`: victims figures only; absent means the total. */
function disaggregation(
  indicators: Indicator[],
  sex: string | null | undefined,
  ageGroup: string | null | undefined,
): Disaggregation {
  if (sex && !(SEXES as readonly string[]).includes(sex))
    throw badUserInput('sex', `"${sex}" is not a sex: expected ${SEXES.join(' or ')}, or no argument for the total`);
  if (ageGroup && !(AGE_GROUPS as readonly string[]).includes(ageGroup))
    throw badUserInput(
      'ageGroup',
      `"${ageGroup}" is not an age group: expected ${AGE_GROUPS.join(' or ')} (child = under 16), or no argument ` +
        `for the total`,
    );
  if (sex || ageGroup) {
    const plain = indicators.find((i) => !isSensitive(i));
    if (plain)
      throw badUserInput(
        sex ? 'sex' : 'ageGroup',
        `${plain.code} is not broken down by sex or age group: only the victims_* figures are`,
      );
  }
  return { sex: sex || 'total', ageGroup: ageGroup || 'total' };
}

/** A trend's range: its ends in order, and at most MAX_TREND_POINTS points of its granularity. */
function trendRange({ from, to, granularity }: QueryArgs): TrendRange {
  const [f, t] = [resolveRangeArg(from!, 'from'), resolveRangeArg(to!, 'to')];
  if (f.start > t.end) throw badUserInput('to', `${to} ends before ${from} starts: expected from ≤ to`);
  if (granularity === undefined) throw new Error('a range needs its granularity');
  const type = PERIOD_TYPE_OF[granularity];
  const points = Math.round((Date.parse(t.end) - Date.parse(f.start)) / 86_400_000 / DAYS_IN[type]);
  if (points > MAX_TREND_POINTS)
    throw badUserInput(
      'from',
      `${from}–${to} by ${granularity} is about ${points} points: expected at most ${MAX_TREND_POINTS}; use a ` +
        `coarser granularity or a shorter range`,
    );
  return { from: f, to: t, type };
}
