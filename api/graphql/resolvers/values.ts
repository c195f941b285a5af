/**
 * `kpi`, `kpis`, `trend`, `breakdown`, `reportingCompliance` and `discrepancies`: arguments read once into a
 * normalised query and scoped (api/graphql/query.ts), answers computed by api/aggregate (roll-up look-ups) and
 * api/compliance, cached until the next load.
 */
import 'reflect-metadata';
import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { type Indicator as CatalogueIndicator, targetStatus } from '../../../schema/catalogue.ts';
import type { Disaggregation } from '../../aggregate/measures.ts';
import { notesHiddenFrom } from '../../aggregate/suppression.ts';
import { hierarchyOn } from '../../../schema/units.ts';
import { breakdown, discrepancies, type KpiResult, kpis, MAX_TREND_POINTS, trend } from '../../aggregate/queries.ts';
import { reportingCompliance } from '../../compliance/compliance.ts';
import type { UnitRow } from '../../directory.ts';
import type { RequestContext } from '../../request.ts';
import { badUserInput } from '../errors.ts';
import { AGE_GROUP_ARG, type QueryArgs, resolveQuery, SEX_ARG, REPORTER_LEVEL_ARG } from '../query.ts';
import { capRows } from '../limits.ts';
import { toIndicator } from '../types/catalogue.ts';
import { AdminLevel, LEVEL_OF, toAdminUnit } from '../types/units.ts';
import {
  Campaign,
  Compliance,
  Discrepancy,
  Granularity,
  KpiStatus,
  KpiValue,
  TrendPoint,
  UnitValue,
} from '../types/values.ts';
import { campaignsBetween } from '../../../schema/campaigns.ts';
import { RANGE_END_DESCRIPTION, resolveRangeArg } from '../periods.ts';

function ask(ctx: RequestContext) {
  return { w: ctx.warehouse, dir: ctx.units, principal: ctx.principal, cache: ctx.cache };
}

/** Cache key: the query, its arguments and the caller's scope (the cache is already split by role). */
function cacheKey(ctx: RequestContext, name: string, args: unknown[]): string {
  return JSON.stringify([name, ctx.principal.unitId, ...args]);
}

/**
 * `KpiValue.sources`: one set-based query for all the cells of a `kpis` answer. Only the unit's own current facts of
 * exactly the period are read (for a ratio, those of its numerator and denominator), in the asked disaggregation;
 * a value built from finer periods or from the units below lists none (their notes stay on their own cells).
 * Suppressed values list none, and a viewer gets none at all (`notesHiddenFrom`).
 */
async function sourcesOf(
  ctx: RequestContext,
  results: KpiResult[],
  by: Disaggregation,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!results.length) return out;
  const codes = [
    ...new Set(
      results.flatMap((r) =>
        r.indicator.kind === 'ratio' ? [r.indicator.numerator, r.indicator.denominator] : [r.indicator.code],
      ),
    ),
  ];
  const rows = await ctx.warehouse.db
    .selectFrom('facts')
    .select(['indicator', 'source_note'])
    .distinct()
    .where('unit_id', '=', results[0].unit.unit_id)
    .where('period_id', '=', results[0].period.id)
    .where('is_current', '=', true)
    .where('source_note', 'is not', null)
    .where('sex', '=', by.sex)
    .where('age_group', '=', by.ageGroup)
    .where('indicator', 'in', codes)
    .orderBy('indicator')
    .orderBy('source_note')
    .$narrowType<{ source_note: string }>()
    .execute();
  for (const r of rows) out.set(r.indicator, [...(out.get(r.indicator) ?? []), r.source_note]);
  return out;
}

function toKpiValue(r: KpiResult, notes: Map<string, string[]> = new Map(), hidden = false): KpiValue {
  const i = r.indicator;
  const sources =
    r.suppressed || hidden
      ? []
      : i.kind === 'ratio'
        ? [...new Set([...(notes.get(i.numerator) ?? []), ...(notes.get(i.denominator) ?? [])])]
        : (notes.get(i.code) ?? []);
  return {
    indicator: toIndicator(r.indicator),
    unit: toAdminUnit(r.unit),
    period: r.period.id,
    value: r.value,
    numerator: r.numerator,
    denominator: r.denominator,
    target: toIndicator(r.indicator).target,
    status: KpiStatus[r.status],
    previousValue: r.previousValue,
    change: r.change,
    suppressed: r.suppressed,
    complete: r.complete,
    sources,
  };
}

function targetOf(i: CatalogueIndicator): number | null {
  return i.kind === 'ratio' ? i.target.value : null;
}

async function answerKpis(ctx: RequestContext, args: QueryArgs & { period: string }): Promise<KpiValue[]> {
  const q = await resolveQuery(ctx, args);
  const key = cacheKey(ctx, 'kpis', [q.indicators.map((i) => i.code), q.period.id, q.unit.unit_id, q.by]);
  return ctx.cache.get(key, async () => {
    const results = await kpis(ask(ctx), q.indicators, q.unit, q.period, q.by);
    // A role that sees no notes does not pay for reading them.
    const hidden = notesHiddenFrom(ctx.principal.role);
    const notes = hidden ? new Map<string, string[]>() : await sourcesOf(ctx, results, q.by);
    return results.map((r) => toKpiValue(r, notes, hidden));
  });
}

/**
 * The units of a level under a unit, in a list. A level that list does not have there (districts under a new-list
 * unit) is a wrong question, not an empty answer: the error names the levels that exist. A unit with nothing below
 * it (a ward) has an empty breakdown.
 */
function unitsOfLevel(ctx: RequestContext, u: UnitRow, list: string, level: AdminLevel): UnitRow[] {
  const below = ctx.units.subtree(u.unit_id).filter((x) => x.unit_id !== u.unit_id && x.hierarchy === list);
  const found = below.filter((x) => x.level === LEVEL_OF[level]);
  if (below.length && !found.length) {
    const levels = Object.values(AdminLevel).filter((l) => below.some((x) => x.level === LEVEL_OF[l]));
    throw badUserInput('level', `the ${list} list has no ${level} under ${u.ref}: expected ${levels.join(' or ')}`);
  }
  return found;
}

@Resolver()
export class ValuesResolver {
  @Query(() => KpiValue, {
    nullable: true,
    description: 'One indicator for a unit (default VN) and period, against its target and a year earlier',
  })
  async kpi(
    @Arg('indicator', () => String) indicator: string,
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('asOf', () => String, {
      nullable: true,
      description: 'YYYY-MM-DD: which list a plain unit code means; default today',
    })
    asOf: string | null | undefined,
    @Arg('sex', () => String, SEX_ARG) sex: string | null | undefined,
    @Arg('ageGroup', () => String, AGE_GROUP_ARG) ageGroup: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<KpiValue> {
    return (await answerKpis(ctx, { indicator, period, unit, asOf, sex, ageGroup }))[0];
  }

  @Query(() => [KpiValue], {
    nullable: true,
    description: 'Several indicators for one unit and period, in one round trip',
  })
  async kpis(
    @Arg('indicators', () => [String]) indicators: string[],
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Arg('sex', () => String, SEX_ARG) sex: string | null | undefined,
    @Arg('ageGroup', () => String, AGE_GROUP_ARG) ageGroup: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<KpiValue[]> {
    capRows(indicators, 'kpis', 'fewer indicators');
    return answerKpis(ctx, { indicators, period, unit, asOf, sex, ageGroup });
  }

  @Query(() => [TrendPoint], {
    nullable: true,
    description:
      `An indicator over time, one point per period of the granularity from the period \`from\` to \`to\` ` +
      `(at most ${MAX_TREND_POINTS} points). A unit of today runs back through its predecessors across the 2025 ` +
      `reform.`,
  })
  async trend(
    @Arg('indicator', () => String) indicator: string,
    @Arg('from', () => String, { description: RANGE_END_DESCRIPTION }) from: string,
    @Arg('to', () => String, { description: RANGE_END_DESCRIPTION }) to: string,
    @Arg('granularity', () => Granularity) granularity: Granularity,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Arg('sex', () => String, SEX_ARG) sex: string | null | undefined,
    @Arg('ageGroup', () => String, AGE_GROUP_ARG) ageGroup: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<TrendPoint[]> {
    const q = await resolveQuery(ctx, { indicator, from, to, granularity, unit, asOf, sex, ageGroup });
    const [i, { from: f, to: t, type }] = [q.indicators[0], q.range];
    return ctx.cache.get(cacheKey(ctx, 'trend', [i.code, f.id, t.id, type, q.unit.unit_id, q.by]), async () =>
      (await trend(ask(ctx), i, q.unit, f, t, type, q.by)).map((p) => ({
        period: p.period.id,
        start: p.period.start,
        value: p.value,
        target: targetOf(i),
        suppressed: p.suppressed,
        complete: !p.partial,
      })),
    );
  }

  @Query(() => [UnitValue], {
    nullable: true,
    description:
      'An indicator for the units under a unit (its children, or every unit of `level` beneath it), ranked by ' +
      'value. Under VN, the list in force on asOf.',
  })
  async breakdown(
    @Arg('indicator', () => String) indicator: string,
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('level', () => AdminLevel, { nullable: true }) level: AdminLevel | null | undefined,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Arg('sex', () => String, SEX_ARG) sex: string | null | undefined,
    @Arg('ageGroup', () => String, AGE_GROUP_ARG) ageGroup: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<UnitValue[]> {
    const q = await resolveQuery(ctx, { indicator, period, unit, level, asOf, sex, ageGroup });
    const [i, p, u, by] = [q.indicators[0], q.period, q.unit, q.by];
    const list = u.hierarchy === 'national' ? hierarchyOn(q.asOf) : u.hierarchy;
    const candidates = q.level ? unitsOfLevel(ctx, u, list, q.level) : ctx.units.children(u.unit_id);
    const units = capRows(
      candidates.filter((x) => x.hierarchy === list && ctx.inScope(x.unit_id)),
      'breakdown',
      'a unit lower down or a higher level',
    );
    return ctx.cache.get(cacheKey(ctx, 'breakdown', [i.code, p.id, u.unit_id, q.level, list, by]), async () =>
      (await breakdown(ask(ctx), i, u, units, p, by)).map((r) => ({
        unit: toAdminUnit(r.unit),
        value: r.measure.value,
        numerator: r.measure.numerator,
        denominator: r.measure.denominator,
        rank: r.rank,
        status: r.suppressed ? KpiStatus.NO_DATA : KpiStatus[targetStatus(r.measure.value, i)],
        suppressed: r.suppressed,
        complete: !r.measure.partial,
      })),
    );
  }

  @Query(() => Compliance, {
    nullable: true,
    description:
      'Reports expected from the units under a unit for a period, received on time, late, or missing (schedule: KH ' +
      '04/KH-BCĐ Biên Hòa 2024 by default)',
  })
  async reportingCompliance(
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('level', () => AdminLevel, REPORTER_LEVEL_ARG) level: AdminLevel | null | undefined,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Compliance> {
    const {
      period: p,
      unit: u,
      reporterLevel,
    } = await resolveQuery(ctx, {
      period,
      unit,
      asOf,
      reporterLevel: level,
    });
    return ctx.cache.get(cacheKey(ctx, 'compliance', [p.id, u.unit_id, level]), async () => {
      // A key's scope also bounds the counts, not only the list of missing units (lineage can reach beyond it).
      const within = ctx.visible.all ? undefined : [...ctx.visible.units];
      const c = await reportingCompliance(ctx.warehouse, {
        unitId: u.unit_id,
        periodId: p.id,
        level: reporterLevel,
        within,
      });
      const named = (ids: number[]) =>
        ids.filter((id) => ctx.inScope(id)).map((id) => toAdminUnit(ctx.units.unit(id)!));
      const [missing, lateUnits] = [named(c.missing), named(c.lateUnits)];
      return {
        period: p.id,
        dueDate: c.dueDate,
        expected: c.expected,
        received: c.received,
        onTime: c.onTime,
        late: c.late,
        pending: c.pending,
        missing: capRows(missing, 'reportingCompliance.missing', 'a unit lower down'),
        lateUnits: capRows(lateUnits, 'reportingCompliance.lateUnits', 'a unit lower down'),
        completeness: c.completeness,
        timeliness: c.timeliness,
      };
    });
  }

  @Query(() => [Discrepancy], {
    nullable: true,
    description:
      "Units under a unit whose own report for the period disagrees with the sum of their children's " + 'values',
  })
  async discrepancies(
    @Arg('period', () => String) period: string,
    @Arg('unit', () => String, { defaultValue: 'VN' }) unit: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<Discrepancy[]> {
    const { period: p, unit: u } = await resolveQuery(ctx, { period, unit, asOf });
    return ctx.cache.get(cacheKey(ctx, 'discrepancies', [p.id, u.unit_id]), async () =>
      capRows(
        (await discrepancies(ask(ctx), u, p)).filter((d) => ctx.inScope(d.unit.unit_id)),
        'discrepancies',
        'a unit lower down',
      ).map((d) => ({
        unit: toAdminUnit(d.unit),
        indicator: d.indicator,
        period: p.id,
        reported: d.reported,
        childrenSum: d.childrenSum,
        children: d.children,
      })),
    );
  }

  @Query(() => [Campaign], {
    description:
      'The 30/7 national day and the 01/7–30/9 peak of each year between two periods (dashboard annotations)',
  })
  campaigns(
    @Arg('from', () => String, { description: RANGE_END_DESCRIPTION }) from: string,
    @Arg('to', () => String, { description: RANGE_END_DESCRIPTION }) to: string,
  ): Campaign[] {
    const [f, t] = [resolveRangeArg(from, 'from'), resolveRangeArg(to, 'to')];
    const dayAfter = (d: string) => Date.parse(`${d}T00:00:00Z`) + 86_400_000;
    return campaignsBetween(f.start, t.end).map((c) => ({
      ...c,
      kind: c.kind as Campaign['kind'],
      startMs: Date.parse(`${c.start}T00:00:00Z`),
      endMs: dayAfter(c.end),
    }));
  }
}
