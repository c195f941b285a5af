/**
 * Reporting compliance: who reports on time, late, or not at all (leadership needs to see who reports late or not
 * at all). Definitions as DHIS2's reporting rates:
 *
 * - expected: the reporting units under `unitId` (the unit itself included, as DHIS2 counts an org unit's own
 *   assignment) in the list in force for the period (the old list for periods ending before 1 July 2025, the new
 *   one after), at the levels the schedule entry for the period expects reports from (`level` narrows them to one;
 *   a level the entry does not list expects nothing). No entry for the period (`2024Q2` under the default schedule)
 *   expects nothing: expected = 0, dueDate = null.
 * - received: expected units with a report in `reports` for exactly that unit and period, submitted by `today`. A
 *   unit's first submission counts for timeliness (later ones are resubmissions).
 * - onTime: received with first submission < dueDate ("trước ngày 12/3" = by 11 March); late = received − onTime.
 * - missing: expected units with no report, once the due date has come (today >= dueDate); before it they are
 *   `pending`, not missing.
 * - completeness = received / expected × 100; timeliness = onTime / expected × 100 (over expected, as DHIS2);
 *   both null when nothing is expected. Unrounded: rounding is the caller's presentation.
 *
 * A unit of the other list is translated through the reform's lineage: for an old-list period, new Đồng Nai stands
 * for the old units it was made of (old Đồng Nai and old Bình Phước, their districts and wards); for a new-list
 * period, an old unit stands for the new units that received part of it (old district Biên Hòa → the communes its
 * wards went into; no subtree is added, a new province being larger than any old one it absorbed).
 *
 * One set-based query per call, whatever the number of units (VN: ~10,700 old or ~3,300 new reporters).
 * `today` is the day the question is asked (default: today in Vietnam); a past day gives the view as it was then.
 */
import { type QueryCreator, sql } from 'kysely';
import { parsePeriod } from '../../schema/periods.ts';
import type { Database, HierarchyVersion } from '../../schema/tables.ts';
import { defaultHierarchyFor } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { vietnamToday } from '../../schema/periods.ts';
import type { ReporterLevel, Schedule } from '../../schema/schedule.ts';
import { defaultSchedule, dueDate, scheduleEntryFor } from './schedule.ts';

export interface ComplianceOptions {
  unitId: number;
  periodId: string;
  level?: ReporterLevel;
  schedule?: Schedule;
  /** YYYY-MM-DD; default: today in Vietnam. */
  today?: string;
  /** Only these reporters count (a key's scope, which lineage may cross); default: all. */
  within?: readonly number[];
}

export interface Compliance {
  expected: number;
  received: number;
  onTime: number;
  late: number;
  /** unit_ids of expected units without a report once the due date has come, in unit_id order (level, then code). */
  missing: number[];
  /** Expected units without a report while the due date has not yet come. */
  pending: number;
  /** Percent, or null when nothing is expected. */
  completeness: number | null;
  timeliness: number | null;
  /** First day that is late; null when the schedule expects no report for the period. */
  dueDate: string | null;
}

export class ComplianceError extends Error {}

export async function reportingCompliance(w: Warehouse, opts: ComplianceOptions): Promise<Compliance> {
  const period = parsePeriod(opts.periodId);
  const today = opts.today ?? vietnamToday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today))
    throw new ComplianceError(`today "${today}" is not a date; expected YYYY-MM-DD`);
  const entry = scheduleEntryFor(opts.schedule ?? defaultSchedule(), period);
  const due = entry ? dueDate(entry, period) : null;
  const levels = entry ? entry.reporterLevels.filter((l) => opts.level === undefined || l === opts.level) : [];
  const list = defaultHierarchyFor(period.end);

  const row = await w.db
    .with('scope', (db) => scopeOf(db, opts.unitId, list))
    .with('expected', (db) =>
      db
        .selectFrom('units as u')
        .select('u.unit_id')
        .where('u.unit_id', 'in', db.selectFrom('scope').select('scope.unit_id'))
        .where('u.hierarchy', '=', list)
        .where((eb) => (levels.length ? eb('u.level', 'in', levels) : sql<boolean>`false`))
        .where((eb) =>
          opts.within
            ? eb('u.unit_id', 'in', sql<number>`(SELECT unnest(string_split(${opts.within.join(',')}, ','))::INTEGER)`)
            : sql<boolean>`true`,
        ),
    )
    .with('first_report', (db) =>
      db
        .selectFrom('reports')
        .select(['unit_id', sql<string>`min(submitted_on)`.as('first_on')])
        .where('period_id', '=', period.id)
        .where(sql<boolean>`submitted_on <= CAST(${today} AS DATE)`)
        .groupBy('unit_id'),
    )
    .selectFrom('expected as e')
    .leftJoin('first_report as f', 'f.unit_id', 'e.unit_id')
    .select([
      sql<number>`count(*)::INTEGER`.as('expected'),
      sql<number>`count(f.unit_id)::INTEGER`.as('received'),
      sql<number>`(count(*) FILTER (WHERE f.first_on < CAST(${due} AS DATE)))::INTEGER`.as('on_time'),
      sql<number[]>`coalesce(list(e.unit_id ORDER BY e.unit_id) FILTER (WHERE f.unit_id IS NULL), [])`.as(
        'not_received',
      ),
      sql<number>`(SELECT count(*)::INTEGER FROM units WHERE unit_id = ${opts.unitId})`.as('unit_found'),
    ])
    .executeTakeFirstOrThrow();
  if (!row.unit_found) throw new ComplianceError(`no administrative unit with id ${opts.unitId}`);

  const { expected, received, on_time: onTime, not_received: notReceived } = row;
  const overdue = due !== null && today >= due;
  const percent = (n: number) => (expected === 0 ? null : (n / expected) * 100);
  return {
    expected,
    received,
    onTime,
    late: received - onTime,
    missing: overdue ? notReceived : [],
    pending: overdue ? 0 : notReceived.length,
    completeness: percent(received),
    timeliness: percent(onTime),
    dueDate: due,
  };
}

/**
 * The units (of any list) whose members of the period's list are under `unitId`: its subtree when it belongs to
 * that list (or is the nation); for a unit of the other list, its counterparts through the reform's lineage.
 */
function scopeOf(db: QueryCreator<Database>, unitId: number, list: HierarchyVersion) {
  const own = db
    .selectFrom('unit_closure as c')
    .innerJoin('units as a', 'a.unit_id', 'c.ancestor_id')
    .select('c.descendant_id as unit_id')
    .where('c.ancestor_id', '=', unitId)
    .where('a.hierarchy', 'in', ['national', list]);
  const otherList = db
    .selectFrom('unit_closure as c')
    .innerJoin('units as a', 'a.unit_id', 'c.ancestor_id')
    .where('c.ancestor_id', '=', unitId)
    .where('a.hierarchy', 'not in', ['national', list]);
  const throughLineage =
    list === '2025-03'
      ? // A new unit for an old period: the old units that went (wholly or partly) into it or below it, with their subtrees.
        otherList
          .innerJoin('unit_lineage as l', 'l.new_id', 'c.descendant_id')
          .innerJoin('unit_closure as below', 'below.ancestor_id', 'l.old_id')
          .select('below.descendant_id as unit_id')
      : // An old unit for a new period: the new units that received part of it or of a unit below it.
        otherList.innerJoin('unit_lineage as l', 'l.old_id', 'c.descendant_id').select('l.new_id as unit_id');
  return own.union(throughLineage);
}
