/**
 * The reporting schedule's vocabulary: which periodic report is expected, from which levels, and by when. Shared by
 * the API, which judges compliance against a schedule (api/compliance/), and the ETL, which proposes one from a
 * plan written in prose (etl/extract/plan.ts): the file one writes is the file the other reads.
 */
import type { PeriodType } from './periods.ts';

export type ReporterLevel = 'province' | 'district' | 'ward';
export const REPORTER_LEVELS: readonly ReporterLevel[] = ['province', 'district', 'ward'];

/** A fixed day of the year (`{ month: 3, day: 12 }`), or a day of the month `monthOffset` months after the period. */
export type DueRule = { month: number; day: number } | { monthOffset: number; day: number };

export interface ScheduleEntry {
  periodType: PeriodType;
  /** Which month, quarter or half (1-based); omitted = every one. */
  index?: number;
  reporterLevels: ReporterLevel[];
  due: DueRule;
  /** Where the entry comes from, for people reading the schedule. */
  note?: string;
}

export type Schedule = readonly ScheduleEntry[];
