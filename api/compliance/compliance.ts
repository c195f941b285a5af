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
 * - onTime: received with first submission < dueDate ("trước ngày 12/3" = by 11 March); late = received − onTime,
 *   and `lateUnits` names them.
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
 * One set-based query per call, whatever the number of units (VN: ~10,700 old or ~3,300 new reporters), also for
 * several units at once (`complianceOfEach`, the rows of a compliance table).
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
  /** unit_ids of the expected units whose first report came on or after the due date, in unit_id order. */
  lateUnits: number[];
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
  const { unitId, ...rest } = opts;
  return (await complianceOfEach(w, { ...rest, unitIds: [unitId] })).get(unitId)!;
}

export interface EachComplianceOptions extends Omit<ComplianceOptions, 'unitId'> {
  unitIds: readonly number[];
}

/**
 * `reportingCompliance` of several units at once (a compliance table's rows), each counted exactly as on its own,
 * in one set-based statement whatever the number of units.
 */
export async function complianceOfEach(w: Warehouse, opts: EachComplianceOptions): Promise<Map<number, Compliance>> {
  const period = parsePeriod(opts.periodId);
  const today = opts.today ?? vietnamToday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today))
    throw new ComplianceError(`today "${today}" is not a date; expected YYYY-MM-DD`);
  const out = new Map<number, Compliance>();
  if (!opts.unitIds.length) return out;
  const entry = scheduleEntryFor(opts.schedule ?? defaultSchedule(), period);
  const due = entry ? dueDate(entry, period) : null;
  const levels = entry ? entry.reporterLevels.filter((l) => opts.level === undefined || l === opts.level) : [];
  const list = defaultHierarchyFor(period.end);
  const { within } = opts;
  const day = (d: string | null) => sql<string>`CAST(${d} AS DATE)`;

  const rows = await w.db
    .with('scope', (db) => scopeOf(db, opts.unitIds, list))
    .with('expected', (db) =>
      db
        .selectFrom('scope as s')
        .innerJoin('units as u', 'u.unit_id', 's.unit_id')
        .select(['s.group_id', 'u.unit_id'])
        .where('u.hierarchy', '=', list)
        .where((eb) => (levels.length ? eb('u.level', 'in', levels) : eb.lit(false)))
        .where((eb) =>
          // The ids travel as one parameter: a key's scope can hold thousands of units.
          within
            ? eb('u.unit_id', 'in', sql<number>`(SELECT unnest(string_split(${within.join(',')}, ','))::INTEGER)`)
            : eb.lit(true),
        ),
    )
    .with('first_report', (db) =>
      db
        .selectFrom('reports')
        .select((eb) => ['unit_id', eb.fn.min<string>('submitted_on').as('first_on')])
        .where('period_id', '=', period.id)
        .where('submitted_on', '<=', day(today))
        .groupBy('unit_id'),
    )
    .with('counts', (db) =>
      db
        .selectFrom('expected as e')
        .leftJoin('first_report as f', 'f.unit_id', 'e.unit_id')
        .select((eb) => [
          'e.group_id',
          eb.cast<number>(eb.fn.countAll(), 'integer').as('expected'),
          eb.cast<number>(eb.fn.count('f.unit_id'), 'integer').as('received'),
          eb.cast<number>(eb.fn.countAll().filterWhere('f.first_on', '<', day(due)), 'integer').as('on_time'),
          eb.fn
            .agg<number[]>('list', ['e.unit_id'])
            .orderBy('e.unit_id')
            .filterWhere('f.unit_id', 'is', null)
            .as('not_received'),
          eb.fn
            .agg<number[]>('list', ['e.unit_id'])
            .orderBy('e.unit_id')
            .filterWhere('f.first_on', '>=', day(due))
            .as('late_units'),
        ])
        .groupBy('e.group_id'),
    )
    // From the units asked about, so that a unit expecting nothing still has its row and an unknown id has none.
    .selectFrom('units as g')
    .leftJoin('counts as n', 'n.group_id', 'g.unit_id')
    .select(['g.unit_id', 'n.expected', 'n.received', 'n.on_time', 'n.not_received', 'n.late_units'])
    .where('g.unit_id', 'in', opts.unitIds)
    .execute();

  const overdue = due !== null && today >= due;
  for (const r of rows) {
    const expected = r.expected ?? 0,
      received = r.received ?? 0,
      onTime = r.on_time ?? 0,
      notReceived = r.not_received ?? [];
    const percent = (n: number) => (expected === 0 ? null : (n / expected) * 100);
    out.set(r.unit_id, {
      expected,
      received,
      onTime,
      late: received - onTime,
      missing: overdue ? notReceived : [],
      lateUnits: r.late_units ?? [],
      pending: overdue ? 0 : notReceived.length,
      completeness: percent(received),
      timeliness: percent(onTime),
      dueDate: due,
    });
  }
  const unknown = opts.unitIds.find((id) => !out.has(id));
  if (unknown !== undefined) throw new ComplianceError(`no administrative unit with id ${unknown}`);
  return out;
}

/**
 * For each unit asked about (`group_id`), the units (of any list) whose members of the period's list are under it:
 * its subtree when it belongs to that list (or is the nation); for a unit of the other list, its counterparts
 * through the reform's lineage.
 */
function scopeOf(db: QueryCreator<Database>, unitIds: readonly number[], list: HierarchyVersion) {
  const own = db
    .selectFrom('unit_closure as c')
    .innerJoin('units as a', 'a.unit_id', 'c.ancestor_id')
    .select(['c.ancestor_id as group_id', 'c.descendant_id as unit_id'])
    .where('c.ancestor_id', 'in', unitIds)
    .where('a.hierarchy', 'in', ['national', list]);
  const otherList = db
    .selectFrom('unit_closure as c')
    .innerJoin('units as a', 'a.unit_id', 'c.ancestor_id')
    .where('c.ancestor_id', 'in', unitIds)
    .where('a.hierarchy', 'not in', ['national', list]);
  const throughLineage =
    list === '2025-03'
      ? // A new unit for an old period: the old units that went (wholly or partly) into it or below it, with their subtrees.
        otherList
          .innerJoin('unit_lineage as l', 'l.new_id', 'c.descendant_id')
          .innerJoin('unit_closure as below', 'below.ancestor_id', 'l.old_id')
          .select(['c.ancestor_id as group_id', 'below.descendant_id as unit_id'])
      : // An old unit for a new period: the new units that received part of it or of a unit below it.
        otherList
          .innerJoin('unit_lineage as l', 'l.old_id', 'c.descendant_id')
          .select(['c.ancestor_id as group_id', 'l.new_id as unit_id']);
  return own.union(throughLineage);
}
