/**
 * Two queries the dashboards need that the rest of the API did not offer:
 *
 * - `periods(type, hierarchy)`: the periods of a type that hold reports, newest first, for period pickers (the
 *   Grafana `year` and `month` variables, the built-in page). A month is listed when some unit reported for that
 *   month; a year or quarter when some report falls inside it.
 * - `complianceByUnit(period, unit, level)`: `reportingCompliance` for each unit under `unit`, for the compliance
 *   table, counted by api/compliance in one set-based statement whatever the number of rows (no query per unit).
 *
 * Both are cached until the next load, like every other figure of the API.
 */
import 'reflect-metadata';
import { Arg, Ctx, Field, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { MONTHS_IN, parsePeriod, type Period, periodContaining } from '../../../schema/periods.ts';
import type { HierarchyVersion } from '../../../schema/tables.ts';
import { defaultHierarchyFor } from '../../../schema/units.ts';
import { complianceOfEach } from '../../compliance/compliance.ts';
import type { UnitRow } from '../../directory.ts';
import type { RequestContext } from '../../request.ts';
import { badUserInput } from '../errors.ts';
import { capRows, MAX_ROWS } from '../limits.ts';
import { AdminLevel, AdminUnit, toAdminUnit } from '../types/units.ts';
import { ComplianceCounts, Granularity, GRANULARITY_OF, PERIOD_TYPE_OF } from '../types/values.ts';
import { REPORTER_LEVEL_ARG, resolveQuery } from '../query.ts';

const HIERARCHIES: readonly HierarchyVersion[] = ['2025-03', '2025-07'];
const ROMAN = ['I', 'II', 'III', 'IV'];
const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

@ObjectType({ description: 'A period that holds reports, with labels for pickers' })
export class ReportingPeriod {
  @Field(() => String, { description: 'The period id: 2024, 2024S1, 2024Q1, 202403' })
  id!: string;

  @Field(() => Granularity)
  type!: Granularity;

  @Field(() => String, { description: 'First day (YYYY-MM-DD)' })
  start!: string;

  @Field(() => String, { description: 'Last day (YYYY-MM-DD)' })
  end!: string;

  @Field(() => String, {
    description: 'The list of units its reports use: 2025-03 for periods ending before 1/7/2025, 2025-07 after',
  })
  hierarchy!: string;

  @Field(() => String, { description: 'Năm 2024, 6 tháng đầu năm 2024, Quý I/2024, Tháng 3/2024' })
  labelVi!: string;

  @Field(() => String, { description: '2024, First half 2024, Q1 2024, March 2024' })
  labelEn!: string;
}

@ObjectType({ description: 'Reporting compliance of the reporters under one unit (DHIS2-style reporting rates)' })
export class UnitCompliance extends ComplianceCounts {
  @Field(() => AdminUnit, { description: 'The unit whose reporters (itself and the units under it) this row counts' })
  unit!: AdminUnit;

  @Field(() => Int, { description: 'Expected reports not received once the due date has come' })
  missing!: number;
}

export function periodLabels(p: Period): { labelVi: string; labelEn: string } {
  switch (p.type) {
    case 'year':
      return { labelVi: `Năm ${p.year}`, labelEn: `${p.year}` };
    case 'half':
      return p.index === 1
        ? { labelVi: `6 tháng đầu năm ${p.year}`, labelEn: `First half ${p.year}` }
        : { labelVi: `6 tháng cuối năm ${p.year}`, labelEn: `Second half ${p.year}` };
    case 'quarter':
      return { labelVi: `Quý ${ROMAN[p.index - 1]}/${p.year}`, labelEn: `Q${p.index} ${p.year}` };
    case 'month':
      return { labelVi: `Tháng ${p.index}/${p.year}`, labelEn: `${MONTHS_EN[p.index - 1]} ${p.year}` };
  }
}

@Resolver()
export class DashboardsResolver {
  @Query(() => [ReportingPeriod], {
    description:
      'The periods of a type that hold reports, newest first (period pickers). A month is listed when a unit ' +
      'reported for that month, a coarser period when some report falls inside it.',
  })
  async periods(
    @Arg('type', () => Granularity, { defaultValue: Granularity.YEAR }) type: Granularity,
    @Arg('hierarchy', () => String, {
      nullable: true,
      description: 'Only periods whose reports use this list: 2025-03 (ending before 1/7/2025) or 2025-07',
    })
    hierarchy: string | null | undefined,
    @Arg('limit', () => Int, { nullable: true, description: `At most this many periods (1–${MAX_ROWS})` })
    limit: number | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<ReportingPeriod[]> {
    if (hierarchy && !(HIERARCHIES as readonly string[]).includes(hierarchy))
      throw badUserInput('hierarchy', `"${hierarchy}" is not a list of units: expected 2025-03 or 2025-07`);
    if (limit !== null && limit !== undefined && (limit < 1 || limit > MAX_ROWS))
      throw badUserInput('limit', `${limit} is out of range: expected 1 to ${MAX_ROWS}`);
    const t = PERIOD_TYPE_OF[type];
    const all = await ctx.cache.get(JSON.stringify(['periods', t]), async () => {
      const reported = await ctx.warehouse.db.selectFrom('reports').select('period_id').distinct().execute();
      const found = new Map<string, Period>();
      for (const { period_id } of reported) {
        const p = parsePeriod(period_id);
        if (MONTHS_IN[p.type] > MONTHS_IN[t]) continue; // a year report says nothing about its months
        const q = periodContaining(t, p.start);
        found.set(q.id, q);
      }
      return [...found.values()]
        .sort((a, b) => b.start.localeCompare(a.start))
        .map((p) => ({
          id: p.id,
          type: GRANULARITY_OF[p.type],
          start: p.start,
          end: p.end,
          hierarchy: defaultHierarchyFor(p.end),
          ...periodLabels(p),
        }));
    });
    const chosen = hierarchy ? all.filter((p) => p.hierarchy === hierarchy) : all;
    return capRows(limit ? chosen.slice(0, limit) : chosen, 'periods', 'a coarser type or a limit');
  }

  @Query(() => [UnitCompliance], {
    description:
      'reportingCompliance for each unit under `unit` (its children in the list the period uses; for a unit of the ' +
      "other list, its counterparts through the reform's lineage), one row per unit, in code order. The unit " +
      'itself is not a row.',
  })
  async complianceByUnit(
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('level', () => AdminLevel, REPORTER_LEVEL_ARG) level: AdminLevel | null | undefined,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<UnitCompliance[]> {
    const { period: p, unit: u, reporterLevel } = await resolveQuery(ctx, { period, unit, asOf, reporterLevel: level });
    const list = defaultHierarchyFor(p.end);
    const groups = capRows(
      groupsUnder(ctx, u, list).filter((g) => ctx.inScope(g.unit_id)),
      'complianceByUnit',
      'a unit lower down',
    );
    return ctx.cache.get(
      JSON.stringify(['complianceByUnit', ctx.principal.unitId, p.id, u.unit_id, level ?? null]),
      async () => {
        if (!groups.length) return [];
        // Each row is the unit's own reportingCompliance, all rows in one statement.
        const each = await complianceOfEach(ctx.warehouse, {
          unitIds: groups.map((g) => g.unit_id),
          periodId: p.id,
          level: reporterLevel,
        });
        return groups.map((g) => {
          const { missing, lateUnits: _, dueDate: __, ...counts } = each.get(g.unit_id)!;
          return { unit: toAdminUnit(g), ...counts, missing: missing.length };
        });
      },
    );
  }
}

/** The units a compliance row stands for: children in the period's list, or counterparts across the reform. */
function groupsUnder(ctx: RequestContext, u: UnitRow, list: HierarchyVersion): UnitRow[] {
  const dir = ctx.units;
  let groups: UnitRow[];
  if (u.hierarchy === 'national' || u.hierarchy === list) {
    groups = dir.children(u.unit_id).filter((c) => c.hierarchy === list);
  } else {
    // A new unit for an old period: the old units it was made of; an old unit for a new period: the new units it went
    // into.
    const links = (list === '2025-03' ? dir.predecessors : dir.successors).get(u.unit_id) ?? [];
    groups = links.map((l) => dir.unit(l.unitId)!);
  }
  return groups.sort((a, b) => a.code.localeCompare(b.code));
}
