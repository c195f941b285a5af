import { describe, expect, it } from 'vitest';
import {
  AREAS,
  COUNT_INDICATORS,
  type CountIndicator,
  findIndicator,
  INDICATORS,
  indicatorsOf,
  meetsTarget,
  PLAUSIBILITY_CHECKS,
  RATIO_INDICATORS,
  type Target,
  targetStatus,
  WARDS_IN_FORCE,
} from '../../schema/catalogue.ts';

const STOCKS = ['community_models_active', 'wards_with_model', 'suspects_monitored', 'persons_missing_suspected'];

function countIndicator(code: string): CountIndicator | undefined {
  const i = findIndicator(code);
  return i?.kind === 'count' ? i : undefined;
}

describe('the indicator catalogue', () => {
  it('has unique, snake_case codes and a name in both languages for every indicator', () => {
    const codes = INDICATORS.map((i) => i.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const i of INDICATORS) {
      expect(i.code).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(i.nameVi.trim()).not.toBe('');
      expect(i.nameEn.trim()).not.toBe('');
      expect(i.unit.trim()).not.toBe('');
      expect(findIndicator(i.code)).toBe(i);
    }
    expect(findIndicator('no_such_indicator')).toBeUndefined();
    expect(findIndicator(WARDS_IN_FORCE)).toBeUndefined();
  });

  it('splits into counts and ratios with nothing left over', () => {
    expect(COUNT_INDICATORS.length + RATIO_INDICATORS.length).toBe(INDICATORS.length);
    expect(COUNT_INDICATORS.every((i) => i.kind === 'count')).toBe(true);
    expect(RATIO_INDICATORS.every((i) => i.kind === 'ratio')).toBe(true);
  });

  it('builds every ratio from count indicators (the denominator may be wards_in_force)', () => {
    for (const r of RATIO_INDICATORS) {
      expect(countIndicator(r.numerator), `${r.code} numerator ${r.numerator}`).toBeDefined();
      if (r.denominator !== WARDS_IN_FORCE)
        expect(countIndicator(r.denominator), `${r.code} denominator ${r.denominator}`).toBeDefined();
      expect(r.unit).toBe('%');
      expect(r.target.source.trim()).not.toBe('');
    }
    expect(RATIO_INDICATORS.filter((r) => r.denominator === WARDS_IN_FORCE).map((r) => r.code)).toEqual([
      'model_coverage_rate',
    ]);
  });

  it('declares the seven ratios with their formulas and targets', () => {
    const ratios = Object.fromEntries(
      RATIO_INDICATORS.map((r) => [
        r.code,
        { numerator: r.numerator, denominator: r.denominator, operator: r.target.operator, value: r.target.value },
      ]),
    );
    expect(ratios).toEqual({
      tipoff_classification_rate: {
        numerator: 'tipoffs_classified',
        denominator: 'tipoffs_received',
        operator: '>=',
        value: 100,
      },
      tipoff_resolution_rate: {
        numerator: 'tipoffs_resolved',
        denominator: 'tipoffs_received',
        operator: '>',
        value: 90,
      },
      case_clearance_rate: { numerator: 'cases_solved', denominator: 'cases_initiated', operator: '>', value: 90 },
      indictment_rate: { numerator: 'cases_indicted', denominator: 'cases_solved', operator: '>=', value: 95 },
      trial_rate: { numerator: 'cases_tried', denominator: 'cases_indicted', operator: '>=', value: 90 },
      victim_support_rate: {
        numerator: 'victims_supported',
        denominator: 'victims_returned',
        operator: '>=',
        value: 100,
      },
      model_coverage_rate: { numerator: 'wards_with_model', denominator: WARDS_IN_FORCE, operator: '>=', value: 100 },
    });
  });

  it('lets only victims_* indicators be broken down by sex and age group', () => {
    for (const i of COUNT_INDICATORS) {
      if (i.code.startsWith('victims_')) expect(i.disaggregations, i.code).toEqual(['sex', 'age_group']);
      else expect(i.disaggregations, i.code).toEqual([]);
    }
    expect(COUNT_INDICATORS.filter((i) => i.code.startsWith('victims_')).length).toBeGreaterThan(0);
  });

  it('sums flows over time and takes the last value of the four stocks', () => {
    const stocks = COUNT_INDICATORS.filter((i) => i.aggregation === 'last').map((i) => i.code);
    expect(stocks.sort()).toEqual([...STOCKS].sort());
    for (const i of COUNT_INDICATORS) expect(i.aggregation, i.code).toBe(STOCKS.includes(i.code) ? 'last' : 'sum');
  });

  it('checks plausibility only between count indicators', () => {
    for (const { part, whole } of PLAUSIBILITY_CHECKS) {
      expect(countIndicator(part), part).toBeDefined();
      expect(countIndicator(whole), whole).toBeDefined();
    }
  });
});

describe('the areas of work', () => {
  it('place every indicator in exactly one area, each area with counts and a title in both languages', () => {
    const codes = AREAS.map((a) => a.code);
    expect(codes).toEqual(['outreach', 'cases', 'victims', 'models']);
    for (const i of INDICATORS) expect(codes, i.code).toContain(i.area);
    expect(AREAS.flatMap((a) => indicatorsOf(a.code)).length).toBe(INDICATORS.length);
    for (const a of AREAS) {
      expect(a.titleVi.trim()).not.toBe('');
      expect(a.titleEn.trim()).not.toBe('');
      expect(
        indicatorsOf(a.code).some((i) => i.kind === 'count'),
        a.code,
      ).toBe(true);
    }
  });

  it("put a ratio in its numerator's area, and keep the catalogue's order within an area", () => {
    for (const r of RATIO_INDICATORS) expect(r.area, r.code).toBe(findIndicator(r.numerator)!.area);
    expect(indicatorsOf('outreach').map((i) => i.code)).toEqual([
      'outreach_sessions',
      'outreach_participants',
      'leaflets_distributed',
      'media_items',
      'trainings_held',
      'training_participants',
    ]);
    expect(indicatorsOf('victims').map((i) => i.code)).toEqual([
      'victims_identified',
      'victims_rescued',
      'victims_returned',
      'victims_supported',
      'victims_legal_aid',
      'hotline_calls',
      'victim_support_rate',
    ]);
    expect(indicatorsOf('models').map((i) => i.code)).toEqual([
      'community_models_active',
      'wards_with_model',
      'model_coverage_rate',
    ]);
  });
});

describe('meetsTarget', () => {
  const above: Target = { operator: '>', value: 90, source: 'test' };
  const atLeast: Target = { operator: '>=', value: 95, source: 'test' };

  it('with ">" excludes the boundary', () => {
    expect(meetsTarget(90, above)).toBe(false);
    expect(meetsTarget(90.0001, above)).toBe(true);
    expect(meetsTarget(89.9, above)).toBe(false);
    expect(meetsTarget(100, above)).toBe(true);
  });

  it('with ">=" includes the boundary', () => {
    expect(meetsTarget(95, atLeast)).toBe(true);
    expect(meetsTarget(94.9999, atLeast)).toBe(false);
    expect(meetsTarget(120, atLeast)).toBe(true);
  });

  it('applies to the catalogue targets', () => {
    const target = (code: string) => RATIO_INDICATORS.find((r) => r.code === code)!.target;
    expect(meetsTarget(90, target('case_clearance_rate'))).toBe(false);
    expect(meetsTarget(91, target('case_clearance_rate'))).toBe(true);
    expect(meetsTarget(100, target('victim_support_rate'))).toBe(true);
    expect(meetsTarget(99.9, target('victim_support_rate'))).toBe(false);
    expect(meetsTarget(90, target('trial_rate'))).toBe(true);
  });
});

describe('targetStatus', () => {
  const ratio = (code: string) => RATIO_INDICATORS.find((r) => r.code === code)!;

  it('a ratio against its target, on both sides of the boundary', () => {
    expect(targetStatus(91, ratio('case_clearance_rate'))).toBe('MET');
    expect(targetStatus(90, ratio('case_clearance_rate'))).toBe('NOT_MET');
    expect(targetStatus(100, ratio('victim_support_rate'))).toBe('MET');
    expect(targetStatus(99.9, ratio('victim_support_rate'))).toBe('NOT_MET');
  });

  it('a ratio without a value has no data; a count has no target, whatever its value', () => {
    expect(targetStatus(null, ratio('case_clearance_rate'))).toBe('NO_DATA');
    expect(targetStatus(0, findIndicator('cases_initiated')!)).toBe('NO_TARGET');
    expect(targetStatus(null, findIndicator('cases_initiated')!)).toBe('NO_TARGET');
  });
});
