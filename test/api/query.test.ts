/**
 * A query's arguments normalised once (api/graphql/query.ts), without a server: what each argument becomes, and
 * the BAD_USER_INPUT naming the first wrong argument, in the order the resolvers have always checked them.
 */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_TREND_POINTS } from '../../api/aggregate/queries.ts';
import { normaliseQuery, type QueryArgs } from '../../api/graphql/query.ts';
import { AdminLevel } from '../../api/graphql/types/units.ts';
import { Granularity, GRANULARITY_OF, PERIOD_TYPE_OF } from '../../api/graphql/types/values.ts';
import { vietnamToday } from '../../schema/periods.ts';

/** The argument a refusal names and its message; fails when the arguments are accepted. */
function refusal(args: QueryArgs): { argument: unknown; message: string } {
  try {
    normaliseQuery(args);
  } catch (e) {
    if (!(e instanceof GraphQLError)) throw e;
    expect(e.extensions.code).toBe('BAD_USER_INPUT');
    return { argument: e.extensions.argumentName, message: e.message };
  }
  throw new Error(`accepted: ${JSON.stringify(args)}`);
}

describe('normaliseQuery', () => {
  it('resolves indicators from the catalogue in the order asked, the period, and the total by default', () => {
    const q = normaliseQuery({ indicators: ['case_clearance_rate', 'cases_initiated'], period: '2024Q1', unit: '75' });
    expect(q.indicators.map((i) => [i.code, i.kind])).toEqual([
      ['case_clearance_rate', 'ratio'],
      ['cases_initiated', 'count'],
    ]);
    expect(q.period).toMatchObject({ id: '2024Q1', type: 'quarter', start: '2024-01-01', end: '2024-03-31' });
    expect(q.by).toEqual({ sex: 'total', ageGroup: 'total' });
    expect(q.unitCode).toBe('75');
    expect(q.level).toBeNull();
    expect(q.reporterLevel).toBeUndefined();
  });

  it('reads a plain unit code on asOf, or on today in Vietnam without it', () => {
    expect(normaliseQuery({ period: '2024', unit: '75', asOf: '2024-12-31' }).asOf).toBe('2024-12-31');
    expect(normaliseQuery({ period: '2024', unit: '75' }).asOf).toBe(vietnamToday());
    expect(refusal({ period: '2024', unit: '75', asOf: '2024-02-30' })).toMatchObject({
      argument: 'asOf',
      message: expect.stringContaining('is not a date: expected YYYY-MM-DD'),
    });
  });

  it('names the wrong indicator, in a list by its position', () => {
    expect(refusal({ indicator: 'cases', period: '2024', unit: 'VN' })).toMatchObject({
      argument: 'indicator',
      message: expect.stringMatching(/^indicator: "cases" is not an indicator: expected one of .*cases_initiated/),
    });
    expect(refusal({ indicators: ['cases_initiated', 'nope'], period: '2024', unit: 'VN' }).argument).toBe(
      'indicators[1]',
    );
  });

  it('takes sex and age group for victims figures only', () => {
    const q = normaliseQuery({ indicator: 'victims_rescued', period: '2024', unit: 'VN', sex: 'female' });
    expect(q.by).toEqual({ sex: 'female', ageGroup: 'total' });
    expect(normaliseQuery({ indicator: 'victims_rescued', period: '2024', unit: 'VN', ageGroup: 'child' }).by).toEqual({
      sex: 'total',
      ageGroup: 'child',
    });
    expect(refusal({ indicator: 'victims_rescued', period: '2024', unit: 'VN', sex: 'woman' })).toMatchObject({
      argument: 'sex',
      message: 'sex: "woman" is not a sex: expected female or male, or no argument for the total',
    });
    expect(refusal({ indicator: 'victims_rescued', period: '2024', unit: 'VN', ageGroup: 'teen' }).argument).toBe(
      'ageGroup',
    );
    expect(
      refusal({ indicators: ['victims_rescued', 'cases_initiated'], period: '2024', unit: 'VN', ageGroup: 'child' }),
    ).toEqual({
      argument: 'ageGroup',
      message: 'ageGroup: cases_initiated is not broken down by sex or age group: only the victims_* figures are',
    });
  });

  it('reports the first wrong argument: indicator, then sex, then period, then asOf', () => {
    const all = { indicator: 'nope', period: '2024Q5', unit: 'VN', asOf: 'today', sex: 'x' };
    expect(refusal(all).argument).toBe('indicator');
    expect(refusal({ ...all, indicator: 'victims_rescued' }).argument).toBe('sex');
    expect(refusal({ ...all, indicator: 'victims_rescued', sex: null }).argument).toBe('period');
    expect(refusal({ ...all, indicator: 'victims_rescued', sex: null, period: '2024Q4' }).argument).toBe('asOf');
  });

  it('turns a trend’s range into its ends and the period type of its granularity', () => {
    const q = normaliseQuery({
      indicator: 'cases_initiated',
      from: '2024',
      to: '1735664400000', // 2025-01-01T00:00+07:00 as Grafana sends it: January 2025
      granularity: Granularity.HALF_YEAR,
      unit: 'VN',
    });
    expect([q.range.from.id, q.range.to.id, q.range.type]).toEqual(['2024', '202501', 'half']);
    for (const [g, type] of [
      [Granularity.MONTH, 'month'],
      [Granularity.QUARTER, 'quarter'],
      [Granularity.YEAR, 'year'],
    ] as const)
      expect(normaliseQuery({ from: '2024', to: '2025', granularity: g, unit: 'VN' }).range.type).toBe(type);
  });

  it('refuses a range that ends before it starts, or of more than the points a trend holds', () => {
    expect(refusal({ from: '2025', to: '2024Q4', granularity: Granularity.MONTH, unit: 'VN' })).toEqual({
      argument: 'to',
      message: 'to: 2024Q4 ends before 2025 starts: expected from ≤ to',
    });
    expect(refusal({ from: '2024', to: '2024Q5', granularity: Granularity.MONTH, unit: 'VN' }).argument).toBe('to');
    const long = refusal({ from: '2000', to: '2100', granularity: Granularity.MONTH, unit: 'VN' });
    expect(long.argument).toBe('from');
    expect(long.message).toMatch(
      new RegExp(`^from: 2000–2100 by MONTH is about \\d+ points: expected at most ${MAX_TREND_POINTS}`),
    );
    // The same range by year is short enough.
    expect(normaliseQuery({ from: '2000', to: '2100', granularity: Granularity.YEAR, unit: 'VN' }).range.type).toBe(
      'year',
    );
  });

  it('takes a level of reporters, never NATIONAL, and a breakdown level as it is', () => {
    expect(normaliseQuery({ period: '2024Q1', unit: 'VN', reporterLevel: AdminLevel.WARD }).reporterLevel).toBe('ward');
    expect(refusal({ period: '2024Q1', unit: 'VN', reporterLevel: AdminLevel.NATIONAL })).toEqual({
      argument: 'level',
      message: 'level: NATIONAL reports to no one: expected PROVINCE, DISTRICT or WARD',
    });
    // A bad period is named before the level.
    expect(refusal({ period: '2024Q5', unit: 'VN', reporterLevel: AdminLevel.NATIONAL }).argument).toBe('period');
    expect(
      normaliseQuery({ indicator: 'cases_initiated', period: '2024', unit: 'VN', level: AdminLevel.DISTRICT }).level,
    ).toBe(AdminLevel.DISTRICT);
  });
});

describe('the granularity table', () => {
  it('pairs each granularity with one period type, both ways', () => {
    expect(Object.values(Granularity).map((g) => PERIOD_TYPE_OF[g])).toEqual(['month', 'quarter', 'half', 'year']);
    for (const g of Object.values(Granularity)) expect(GRANULARITY_OF[PERIOD_TYPE_OF[g]]).toBe(g);
    expect(Object.keys(GRANULARITY_OF).sort()).toEqual(['half', 'month', 'quarter', 'year']);
  });
});
