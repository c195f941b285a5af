/**
 * The GraphQL queries the panels run, in the Infinity model: the query text, its variables, where its rows are and
 * the typed columns it keeps.
 */
import { indicator } from './labels.ts';
import { day, epoch, num, q, str, V } from './infinity.ts';

/** A list of indicator codes as a GraphQL literal. */
const list = (codes: readonly string[]) => `[${codes.map((c) => JSON.stringify(c)).join(', ')}]`;

/** An argument: a GraphQL variable as it is, a literal quoted. */
const arg = (v: string) => (v.startsWith('$') ? v : JSON.stringify(v));

/** The first day of the warehouse's history: trends and the Grafana time range start here. */
export const HISTORY_START = '2019-01-01';

export type Disaggregation = { sex?: 'female' | 'male'; ageGroup?: 'child' | 'adult' };
const disagg = (d: Disaggregation) =>
  (d.sex ? `, sex: "${d.sex}"` : '') + (d.ageGroup ? `, ageGroup: "${d.ageGroup}"` : '');

/**
 * The column saying whether a series' value is withheld (`"true"`): one per series, since a panel's queries are
 * joined into one row per category and their columns must not collide.
 */
export const withheldAlias = (valueAlias: string) =>
  valueAlias === 'value' ? 'suppressed' : `${valueAlias}Suppressed`;

export const queries = {
  /** One indicator for the unit and year, with the year before and the status against the target. */
  kpi: (code: string) =>
    q(
      `{ kpi(indicator: "${code}", period: ${V.year}, unit: ${V.unit}) { value previousValue change status ` +
        `suppressed complete } }`,
      'data.kpi',
      [num('value'), num('previousValue'), num('change'), str('status'), str('suppressed'), str('complete')],
    ),
  /** An indicator over the time range, one point per `$granularity`, with the target for ratios. */
  trend: (code: string, alias = 'value', d: Disaggregation = {}, refId = 'A') =>
    q(
      `{ trend(indicator: "${code}", from: ${V.from}, to: ${V.to}, granularity: ${V.granularity}, unit: ` +
        `${V.unit}${disagg(d)}) { start value target suppressed } }`,
      'data.trend',
      [
        day('start', 'time'),
        num('value', alias),
        ...(indicator(code).kind === 'ratio' ? [num('target')] : []),
        str('suppressed'),
      ],
      refId,
    ),
  /** The units under `unit` (or `level` beneath it) for the year, ranked. */
  breakdown: (code: string, o: { unit?: string; period?: string; level?: 'DISTRICT' | 'WARD' } = {}) =>
    q(
      `{ breakdown(indicator: ${arg(code)}, period: ${o.period ?? V.year}, unit: ` +
        `${o.unit ?? V.unit}${o.level ? `, level: ${o.level}` : ''}) { unit { ref fullName level } value rank ` +
        `status suppressed } }`,
      'data.breakdown',
      [
        str('unit.fullName', 'name'),
        str('unit.ref', 'ref'),
        str('unit.level', 'level'),
        num('value'),
        num('rank'),
        str('status'),
        str('suppressed'),
      ],
    ),
  /**
   * Several counts for the unit and year, in the order given (funnels and breakdowns by sex or age), each with
   * whether it is withheld, under `withheldAlias(valueAlias)`: a count without a value is withheld or unreported.
   */
  kpis: (codes: readonly string[], valueAlias = 'value', d: Disaggregation = {}, refId = 'A', withNames = true) =>
    q(
      `{ kpis(indicators: ${list(codes)}, period: ${V.year}, unit: ${V.unit}${disagg(d)}) { indicator { ` +
        `code${withNames ? ' nameVi' : ''} } value suppressed } }`,
      'data.kpis',
      [
        str('indicator.code', 'code'),
        ...(withNames ? [str('indicator.nameVi', 'name')] : []),
        num('value', valueAlias),
        str('suppressed', withheldAlias(valueAlias)),
      ],
      refId,
    ),
  compliance: () =>
    q(
      `{ reportingCompliance(period: ${V.month}, unit: ${V.unit}) { dueDate expected received onTime late pending ` +
        `completeness timeliness } }`,
      'data.reportingCompliance',
      [
        str('dueDate'),
        num('expected'),
        num('received'),
        num('onTime'),
        num('late'),
        num('pending'),
        num('completeness'),
        num('timeliness'),
      ],
    ),
  complianceByUnit: () =>
    q(
      `{ complianceByUnit(period: ${V.month}, unit: ${V.unit}) { unit { ref fullName } expected received onTime ` +
        `late missing completeness timeliness } }`,
      'data.complianceByUnit',
      [
        str('unit.fullName', 'name'),
        str('unit.ref', 'ref'),
        num('expected'),
        num('received'),
        num('onTime'),
        num('late'),
        num('missing'),
        num('completeness'),
        num('timeliness'),
      ],
    ),
  missingReports: () =>
    q(
      `{ reportingCompliance(period: ${V.month}, unit: ${V.unit}) { missing { ref fullName parent { fullName } } } }`,
      'data.reportingCompliance.missing',
      [str('fullName', 'name'), str('ref'), str('parent.fullName', 'parent')],
    ),
  /** Annotations: the 30/7 national day and the 01/7–30/9 peak of each year of the time range. */
  campaigns: () =>
    q(`{ campaigns(from: ${V.from}, to: ${V.to}) { kind titleVi titleEn startMs endMs } }`, 'data.campaigns', [
      epoch('startMs', 'time'),
      epoch('endMs', 'timeEnd'),
      str('titleVi', 'title'),
      str('titleEn', 'text'),
      str('kind', 'tags'),
    ]),
};
