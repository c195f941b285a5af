/**
 * What the periodic report says, asked of the API itself: one GraphQL operation run against the API's schema with
 * the caller's request context, so the report holds exactly what the caller could have queried (their scope, and
 * for a viewer the small victims counts withheld) and every rule keeps its one home in the resolvers.
 */
import { graphql } from 'graphql';
import {
  COUNT_INDICATORS,
  type Indicator,
  INDICATORS,
  RATIO_INDICATORS,
  type TargetStatus,
} from '../../schema/catalogue.ts';
import { type Period, previousYear } from '../../schema/periods.ts';
import type { Role } from '../../schema/tables.ts';
import { badUserInput } from '../graphql/errors.ts';
import { buildApiSchema } from '../graphql/schema.ts';
import { resolvePeriodArg } from '../graphql/periods.ts';
import type { RequestContext } from '../request.ts';

export const BREAKDOWNS = ['female', 'male', 'child', 'adult'] as const;
export type Breakdown = (typeof BREAKDOWNS)[number];

export interface Figure {
  indicator: Indicator;
  /** Null: no data, or withheld (`suppressed`). */
  value: number | null;
  previousValue: number | null;
  suppressed: boolean;
  complete: boolean;
  /** Ratios: the target and whether it is met. */
  status: TargetStatus;
  /** The source notes of the unit's own figures behind the value. */
  sources: string[];
  /** Victims figures: the value by sex and by age group, where known. */
  parts: Partial<Record<Breakdown, number | null>>;
  /** The units below with a value: where a figure built from their reports comes from. */
  contributors: { name: string; value: number | null; suppressed: boolean }[];
}

export interface ReportData {
  unit: { ref: string; name: string; fullName: string; level: string };
  period: Period;
  previous: Period;
  role: Role;
  figures: Figure[];
  compliance: {
    expected: number;
    received: number;
    onTime: number;
    late: number;
    pending: number;
    dueDate: string | null;
    completeness: number | null;
    missing: { ref: string; fullName: string }[];
    lateUnits: { ref: string; fullName: string }[];
  };
  discrepancies: {
    unit: string;
    unitRef: string;
    indicator: Indicator;
    reported: number;
    childrenSum: number;
    children: number;
  }[];
}

const VICTIMS = COUNT_INDICATORS.filter((i) => i.disaggregations.length).map((i) => i.code);
const alias = (code: string) => `b_${code}`;

const KPI_FIELDS = 'indicator { code } value previousValue suppressed complete status sources';
const DOCUMENT = `query Report($unit: String!, $period: String!, $asOf: String, $counts: [String!]!, $victims:
  [String!]!, $ratios: [String!]!) {
  adminUnit(code: $unit, asOf: $asOf) { ref name fullName level }
  counts: kpis(indicators: $counts, unit: $unit, period: $period, asOf: $asOf) { ${KPI_FIELDS} }
  ratios: kpis(indicators: $ratios, unit: $unit, period: $period, asOf: $asOf) { ${KPI_FIELDS} }
  ${BREAKDOWNS.map(
    (b) =>
      `${b}: kpis(indicators: $victims, unit: $unit, period: $period, asOf: $asOf, ` +
      `${b === 'female' || b === 'male' ? 'sex' : 'ageGroup'}: "${b}") { indicator { code } value }`,
  ).join('\n  ')}
  reportingCompliance(period: $period, unit: $unit, asOf: $asOf) {
    expected received onTime late pending dueDate completeness missing { ref fullName } lateUnits { ref fullName }
  }
  discrepancies(period: $period, unit: $unit, asOf: $asOf) { unit { ref fullName } indicator reported childrenSum children }
  ${COUNT_INDICATORS.map(
    (i) =>
      `${alias(i.code)}: breakdown(indicator: "${i.code}", period: $period, unit: $unit, asOf: $asOf) { unit { ` +
      `fullName } value suppressed }`,
  ).join('\n  ')}
}`;

interface Kpi {
  indicator: { code: string };
  value: number | null;
  previousValue: number | null;
  suppressed: boolean;
  complete: boolean;
  status: Figure['status'];
  sources: string[];
}

/**
 * The report's content for a unit (a code as every unit argument takes it) and a period, as `ctx`'s caller sees it.
 */
export async function gatherReport(
  ctx: RequestContext,
  unit: string,
  periodId: string,
  asOf?: string | null,
): Promise<ReportData> {
  const period = resolvePeriodArg(periodId, 'period');
  const result = await graphql({
    schema: await buildApiSchema(),
    source: DOCUMENT,
    contextValue: ctx,
    variableValues: {
      unit,
      period: period.id,
      asOf: asOf ?? null,
      counts: COUNT_INDICATORS.map((i) => i.code),
      victims: VICTIMS,
      ratios: RATIO_INDICATORS.map((i) => i.code),
    },
  });
  // The first error is the caller's (a bad unit, out of scope): it carries its code and the argument's name.
  if (result.errors?.length) throw result.errors[0];
  const d = result.data as Record<string, any>;
  if (!d.adminUnit) throw badUserInput('unit', `no unit "${unit}"`);
  const parts = new Map<string, Partial<Record<Breakdown, number | null>>>();
  for (const b of BREAKDOWNS)
    for (const k of d[b] as { indicator: { code: string }; value: number | null }[])
      parts.set(k.indicator.code, { ...parts.get(k.indicator.code), [b]: k.value });
  const byCode = new Map(INDICATORS.map((i) => [i.code, i]));
  const figures = [...(d.counts as Kpi[]), ...(d.ratios as Kpi[])].map((k): Figure => ({
    indicator: byCode.get(k.indicator.code)!,
    value: k.value,
    previousValue: k.previousValue,
    suppressed: k.suppressed,
    complete: k.complete,
    status: k.status,
    sources: k.sources,
    parts: parts.get(k.indicator.code) ?? {},
    contributors: (
      (d[alias(k.indicator.code)] ?? []) as { unit: { fullName: string }; value: number | null; suppressed: boolean }[]
    )
      .filter((r) => r.value !== null || r.suppressed)
      .map((r) => ({ name: r.unit.fullName, value: r.value, suppressed: r.suppressed })),
  }));
  return {
    unit: d.adminUnit,
    period,
    previous: previousYear(period),
    role: ctx.principal.role,
    figures,
    compliance: d.reportingCompliance,
    discrepancies: (d.discrepancies as any[]).map((x) => ({
      unit: x.unit.fullName,
      unitRef: x.unit.ref,
      indicator: byCode.get(x.indicator)!,
      reported: x.reported,
      childrenSum: x.childrenSum,
      children: x.children,
    })),
  };
}
