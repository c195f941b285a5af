/**
 * What the warehouse's figures look like over GraphQL: KPI values, trend points, breakdown rows, reporting
 * compliance and discrepancies. Units come as AdminUnit, indicators as Indicator (both from the one catalogue and
 * the unit directory).
 */
import 'reflect-metadata';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { PeriodType } from '../../../schema/periods.ts';
import { Indicator, Target } from './catalogue.ts';
import { AdminUnit } from './units.ts';

export enum Granularity {
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
  HALF_YEAR = 'HALF_YEAR',
  YEAR = 'YEAR',
}
registerEnumType(Granularity, { name: 'Granularity', description: 'The period type of trend points' });

/**
 * The period type a granularity names: the one table of the pairs, for every resolver (arguments are read through
 * api/graphql/query.ts; `periods` answers with granularities). Clients outside the API spell the same names.
 */
export const PERIOD_TYPE_OF: Readonly<Record<Granularity, PeriodType>> = {
  MONTH: 'month',
  QUARTER: 'quarter',
  HALF_YEAR: 'half',
  YEAR: 'year',
};
/** And back: the same table read the other way, so the two cannot disagree. */
export const GRANULARITY_OF = Object.fromEntries(
  (Object.entries(PERIOD_TYPE_OF) as [Granularity, PeriodType][]).map(([g, t]) => [t, g]),
) as Readonly<Record<PeriodType, Granularity>>;

export enum KpiStatus {
  MET = 'MET',
  NOT_MET = 'NOT_MET',
  NO_TARGET = 'NO_TARGET',
  NO_DATA = 'NO_DATA',
}
registerEnumType(KpiStatus, { name: 'KpiStatus', description: 'A value against its programme target' });

@ObjectType({ description: 'One indicator for one unit and period' })
export class KpiValue {
  @Field(() => Indicator)
  indicator!: Indicator;

  @Field(() => AdminUnit)
  unit!: AdminUnit;

  @Field(() => String, { description: 'The period id: 2024, 2024S1, 2024Q1, 202403' })
  period!: string;

  @Field(() => Float, {
    nullable: true,
    description: 'Null when there is no data, or when suppressed (small numbers of victims)',
  })
  value!: number | null;

  @Field(() => Float, { nullable: true, description: 'Ratios: sum of the numerator over the selection' })
  numerator!: number | null;

  @Field(() => Float, { nullable: true, description: 'Ratios: sum of the denominator over the selection' })
  denominator!: number | null;

  @Field(() => Target, { nullable: true })
  target!: Target | null;

  @Field(() => KpiStatus)
  status!: KpiStatus;

  @Field(() => Float, {
    nullable: true,
    description:
      "The same period one year earlier. An old-list unit's 2025 is its first half only (complete: false), so it is " +
      'compared with the first half of 2024',
  })
  previousValue!: number | null;

  @Field(() => Float, { nullable: true, description: 'value − previousValue (percentage points for ratios)' })
  change!: number | null;

  @Field(() => Boolean, {
    description: 'Withheld: a count of victims between 1 and k − 1, or a value that would reveal one',
  })
  suppressed!: boolean;

  @Field(() => Boolean, {
    description:
      'False when some expected monthly ward reports are missing, or history is only partly allocated to the unit',
  })
  complete!: boolean;

  @Field(() => [String], {
    description:
      "Provenance: the source notes of the unit's own current figures of exactly this period behind the value (for " +
      "a ratio, its numerator's and denominator's), e.g. the citation of a figure read from a report in prose " +
      '(pcmbn etl extract). Empty when the value comes from finer periods or from the units below, when its ' +
      'rows carry no note, when it is suppressed, and for viewer keys on victims figures',
  })
  sources!: string[];
}

@ObjectType({ description: 'One point of a trend' })
export class TrendPoint {
  @Field(() => String)
  period!: string;

  @Field(() => String, { description: 'First day of the period (YYYY-MM-DD), for time axes' })
  start!: string;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true, description: 'The programme target (ratios)' })
  target!: number | null;

  @Field(() => Boolean)
  suppressed!: boolean;

  @Field(() => Boolean, { description: 'False when history is only partly allocated to the unit' })
  complete!: boolean;
}

@ObjectType({ description: 'One unit of a breakdown' })
export class UnitValue {
  @Field(() => AdminUnit)
  unit!: AdminUnit;

  @Field(() => Float, { nullable: true })
  value!: number | null;

  @Field(() => Float, { nullable: true })
  numerator!: number | null;

  @Field(() => Float, { nullable: true })
  denominator!: number | null;

  @Field(() => Int, {
    nullable: true,
    description: '1 = highest value; equal values share a rank; null without a value',
  })
  rank!: number | null;

  @Field(() => KpiStatus)
  status!: KpiStatus;

  @Field(() => Boolean)
  suppressed!: boolean;

  @Field(() => Boolean, { description: 'False when history is only partly allocated to the unit' })
  complete!: boolean;
}

/** The reporting-rate counts both compliance answers share (DHIS2's definitions). */
@ObjectType()
export abstract class ComplianceCounts {
  @Field(() => Int)
  expected!: number;

  @Field(() => Int)
  received!: number;

  @Field(() => Int)
  onTime!: number;

  @Field(() => Int)
  late!: number;

  @Field(() => Int, { description: 'Not received yet, before the due date' })
  pending!: number;

  @Field(() => Float, { nullable: true, description: 'received / expected × 100; null when nothing is expected' })
  completeness!: number | null;

  @Field(() => Float, { nullable: true, description: 'onTime / expected × 100; null when nothing is expected' })
  timeliness!: number | null;
}

@ObjectType({ description: 'Who reported, on time or late, and who did not (DHIS2-style reporting rates)' })
export class Compliance extends ComplianceCounts {
  @Field(() => String)
  period!: string;

  @Field(() => String, {
    nullable: true,
    description: 'The first late day: a report is on time when submitted before it',
  })
  dueDate!: string | null;

  @Field(() => [AdminUnit], { description: 'Expected units without a report once the due date has come' })
  missing!: AdminUnit[];

  @Field(() => [AdminUnit], { description: 'Expected units whose first report came on or after the due date' })
  lateUnits!: AdminUnit[];
}

@ObjectType({ description: "A unit's own figure that disagrees with the sum of its children's" })
export class Discrepancy {
  @Field(() => AdminUnit)
  unit!: AdminUnit;

  @Field(() => String)
  indicator!: string;

  @Field(() => String)
  period!: string;

  @Field(() => Float)
  reported!: number;

  @Field(() => Float)
  childrenSum!: number;

  @Field(() => Int, { description: 'How many children have a value' })
  children!: number;
}

export enum CampaignKind {
  NATIONAL_DAY = 'national_day',
  PEAK = 'peak',
}
registerEnumType(CampaignKind, {
  name: 'CampaignKind',
  description: 'NATIONAL_DAY: 30/7 each year; PEAK: the 01/7–30/9 crackdown',
});

@ObjectType({ description: 'A campaign of the calendar, for annotations on time series' })
export class Campaign {
  @Field(() => CampaignKind)
  kind!: CampaignKind;

  @Field(() => String)
  titleVi!: string;

  @Field(() => String)
  titleEn!: string;

  @Field(() => String, { description: 'First day (YYYY-MM-DD)' })
  start!: string;

  @Field(() => String, { description: 'Last day, inclusive (YYYY-MM-DD)' })
  end!: string;

  @Field(() => Float, { description: 'start as Unix milliseconds (Grafana annotations)' })
  startMs!: number;

  @Field(() => Float, { description: 'The day after end, as Unix milliseconds (Grafana annotations)' })
  endMs!: number;
}
