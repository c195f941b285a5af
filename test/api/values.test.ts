/**
 * kpi, kpis, trend, breakdown, reportingCompliance and discrepancies over real HTTP, against a real DuckDB file
 * loaded from small hand-written report CSVs. Every expected number is worked out by hand in the comments.
 *
 * The units (old list 2025-03 until 30/6/2025, new list 2025-07 from 1/7/2025):
 * - old Đồng Nai 75: districts Biên Hòa 731 (25 wards, among them Trung Dũng 26041, An Bình 26050, Hố Nai 26002),
 * Cẩm Mỹ 739 (ward Xuân Tây 26356), Xuân Lộc 741 (wards Xuân Hòa 26443 and Xuân Tâm 26449); 11 districts, 159 wards;
 * - old Bình Phước 70: 11 districts (Đồng Xoài 689 among them), 111 wards;
 * - new Đồng Nai 75 = old Đồng Nai + old Bình Phước: 95 communes. Trung Dũng and An Bình went wholly into Trấn Biên
 *   (2025-07:26041), Xuân Tây into Xuân Đông (2025-07:26359), Xuân Hòa into Xuân Hòa (2025-07:26446); Xuân Tâm was
 *   split between Xuân Đông and Xuân Hòa, without apportionment weights.
 * The key is an analyst's of the whole country: no suppression here (see suppression.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { codes, gql, type GqlResponse } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';
const BIEN_HOA_WARDS = 25;

let w: Warehouse;
let server: RunningServer;
let token: string;

const q = (query: string, variables?: Record<string, unknown>): Promise<GqlResponse> =>
  gql(server.url, query, { token, variables });
/** The data of a query that must succeed. */
async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await q(query, variables);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.body.data;
}

const KPI = `query Kpi($indicator: String!, $unit: String!, $period: String!, $asOf: String) {
  kpi(indicator: $indicator, unit: $unit, period: $period, asOf: $asOf) {
    indicator { code } unit { ref } period value numerator denominator target { operator value } status
      previousValue change suppressed complete
  }
}`;
const kpi = async (indicator: string, unit: string, period: string, asOf?: string) =>
  (await ok(KPI, { indicator, unit, period, asOf })).kpi;
const value = async (indicator: string, unit: string, period: string, asOf?: string) =>
  (await kpi(indicator, unit, period, asOf)).value as number | null;

const TREND = `query Trend($indicator: String!, $unit: String!, $from: String!, $to: String!, $granularity: Granularity!, $asOf: String) {
  trend(indicator: $indicator, unit: $unit, from: $from, to: $to, granularity: $granularity, asOf: $asOf) { period
    start value target suppressed complete }
}`;
const trend = async (indicator: string, unit: string, from: string, to: string, granularity: string, asOf?: string) =>
  (await ok(TREND, { indicator, unit, from, to, granularity, asOf })).trend as {
    period: string;
    start: string;
    value: number | null;
    target: number | null;
    suppressed: boolean;
    complete: boolean;
  }[];
const trendValues = async (...args: Parameters<typeof trend>) => (await trend(...args)).map((p) => [p.period, p.value]);

const BREAKDOWN = `query Breakdown($indicator: String!, $unit: String!, $period: String!, $level: AdminLevel, $asOf: String) {
  breakdown(indicator: $indicator, unit: $unit, period: $period, level: $level, asOf: $asOf) {
    unit { ref level } value numerator denominator rank status suppressed complete
  }
}`;
type Row = {
  unit: { ref: string; level: string };
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  rank: number | null;
  status: string;
  suppressed: boolean;
  complete: boolean;
};
const breakdown = async (indicator: string, unit: string, period: string, o: { level?: string; asOf?: string } = {}) =>
  (await ok(BREAKDOWN, { indicator, unit, period, ...o })).breakdown as Row[];
const byRef = (rows: Row[]) => new Map(rows.map((r) => [r.unit.ref, r]));
/** The rows that have a value, as [ref, value, rank]. */
const withValues = (rows: Row[]) => rows.filter((r) => r.value !== null).map((r) => [r.unit.ref, r.value, r.rank]);

const DISCREPANCIES = `query D($unit: String!, $period: String!, $asOf: String) {
  discrepancies(unit: $unit, period: $period, asOf: $asOf) { unit { ref } indicator period reported childrenSum children }
}`;
const discrepancies = async (unit: string, period: string, asOf?: string) =>
  (await ok(DISCREPANCIES, { unit, period, asOf })).discrepancies;

const COMPLIANCE = `query C($unit: String!, $period: String!, $level: AdminLevel, $asOf: String) {
  reportingCompliance(unit: $unit, period: $period, level: $level, asOf: $asOf) {
    period dueDate expected received onTime late pending missing { ref level } completeness timeliness
  }
}`;

/** The 5th of the month after a month id (YYYYMM): when a monthly report was sent on time. */
function fifthOfNextMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(4));
  return m === 12 ? `${y + 1}-01-05` : `${y}-${String(m + 1).padStart(2, '0')}-05`;
}
const MONTHS_2024 = Array.from({ length: 12 }, (_, i) => `2024${String(i + 1).padStart(2, '0')}`);

beforeAll(async () => {
  w = await freshWarehouse();
  const dir = tempDir('pcmbn-values-');
  writeFile(
    dir,
    'wards-monthly.csv',
    csv(
      H,
      // hotline_calls: Trung Dũng 1 a month, An Bình 2 a month, all of 2024, each sent on the 5th of the next month,
      // except An Bình's March report, sent on 12 April (the due day: late).
      ...MONTHS_2024.flatMap((m) => [
        `2025-03:26041,${m},hotline_calls,1,${fifthOfNextMonth(m)}`,
        `2025-03:26050,${m},hotline_calls,2,${m === '202403' ? '2024-04-12' : fifthOfNextMonth(m)}`,
      ]),
      // A flow by month: Trung Dũng's outreach sessions.
      '2025-03:26041,202401,outreach_sessions,1,2024-02-05',
      '2025-03:26041,202402,outreach_sessions,2,2024-03-05',
      '2025-03:26041,202403,outreach_sessions,4,2024-04-05',
      '2025-03:26041,202407,outreach_sessions,8,2024-08-05',
      // A stock by month: Trung Dũng's active community models (none reported in March), An Bình's in February.
      '2025-03:26041,202401,community_models_active,3,2024-02-05',
      '2025-03:26041,202402,community_models_active,5,2024-03-05',
      '2025-03:26041,202404,community_models_active,2,2024-05-05',
      '2025-03:26050,202402,community_models_active,4,2024-03-05',
      // Hố Nai's March report, sent late on 30 April.
      '2025-03:26002,202403,inspections_held,1,2024-04-30',
    ),
  );
  writeFile(
    dir,
    'wards-year.csv',
    csv(
      H,
      // Ranks: two wards tie at 5, a third has 3.
      '2025-03:26041,2024,leaflets_distributed,5,2025-01-05',
      '2025-03:26050,2024,leaflets_distributed,5,2025-01-05',
      '2025-03:26002,2024,leaflets_distributed,3,2025-01-05',
      // The split ward Xuân Tâm, and two wards that went whole into the communes sharing it.
      '2025-03:26449,2024,media_items,7,2025-01-05',
      '2025-03:26443,2024,media_items,4,2025-01-05',
      '2025-03:26356,2024,media_items,2,2025-01-05',
    ),
  );
  writeFile(
    dir,
    'districts.csv',
    csv(
      H,
      // Biên Hòa's own Q1 (its wards say 3 + 6 = 9) and 2025 Q1; nothing else of its own.
      '2025-03:731,2024Q1,hotline_calls,10,2024-03-10',
      '2025-03:731,2025Q1,hotline_calls,3,2025-03-10',
      // Cẩm Mỹ and Đồng Xoài report the year only (their wards nothing).
      '2025-03:739,2024,hotline_calls,50,2024-12-10',
      '2025-03:689,2024,hotline_calls,30,2024-12-10',
      // Ratios: Biên Hòa 1/1 and Cẩm Mỹ 9/19 in 2024; 9/10 and 91/100 in 2023.
      '2025-03:731,2024,cases_initiated,1,2024-12-10',
      '2025-03:731,2024,cases_solved,1,2024-12-10',
      '2025-03:739,2024,cases_initiated,19,2024-12-10',
      '2025-03:739,2024,cases_solved,9,2024-12-10',
      '2025-03:731,2023,cases_initiated,10,2023-12-10',
      '2025-03:731,2023,cases_solved,9,2023-12-10',
      '2025-03:739,2023,cases_initiated,100,2023-12-10',
      '2025-03:739,2023,cases_solved,91,2023-12-10',
      // Targets on their boundaries (Biên Hòa 2023): classified 10/10 = 100 (>= 100), resolved 9/10 = 90 (> 90).
      '2025-03:731,2023,tipoffs_received,10,2023-12-10',
      '2025-03:731,2023,tipoffs_classified,10,2023-12-10',
      '2025-03:731,2023,tipoffs_resolved,9,2023-12-10',
      // Model coverage: 20 of Biên Hòa's 25 wards keep the model at the end of 2024.
      '2025-03:731,2024Q4,wards_with_model,20,2025-01-05',
    ),
  );
  writeFile(
    dir,
    'provinces.csv',
    csv(
      H,
      // Old Bình Phước's own year (its district Đồng Xoài said 30) and first half of 2025; new Đồng Nai's second
      // half.
      '2025-03:70,2024,hotline_calls,100,2024-12-10',
      '2025-03:70,2025S1,hotline_calls,5,2025-06-10',
      '2025-07:75,2025S2,hotline_calls,7,2025-11-10',
      '2025-03:70,2024,wards_with_model,88,2024-12-10',
      '2025-07:75,2025S2,wards_with_model,95,2025-11-10',
      // VN's own figure agrees with its only child that reported (old Đồng Nai): no discrepancy.
      '2025-03:75,2024,illegal_exits_detected,12,2024-12-10',
      'VN,2024,illegal_exits_detected,12,2024-12-10',
    ),
  );
  const result = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(result.files.map((f) => [f.name, f.status, f.issues.map((i) => i.message)])).toEqual(
    result.files.map((f) => [f.name, 'loaded', []]),
  );
  token = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, 'VN') })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('over time: flows, stocks, ratios', () => {
  it('a flow sums over time: Trung Dũng’s outreach 1 + 2 + 4 in Q1, + 8 in July for the year', async () => {
    expect(await value('outreach_sessions', '2025-03:26041', '202402')).toBe(2);
    expect(await value('outreach_sessions', '2025-03:26041', '2024Q1')).toBe(7);
    expect(await value('outreach_sessions', '2025-03:26041', '2024S1')).toBe(7);
    expect(await value('outreach_sessions', '2025-03:26041', '2024S2')).toBe(8);
    expect(await value('outreach_sessions', '2025-03:26041', '2024')).toBe(15);
  });

  it('a stock takes the last value in the period, not the sum', async () => {
    // Trung Dũng: Jan 3, Feb 5, (Mar nothing), Apr 2. Q1 = 5 (Feb, the last with a value), Q2 = 2, S1 = 2, year 2.
    expect(await value('community_models_active', '2025-03:26041', '2024Q1')).toBe(5);
    expect(await value('community_models_active', '2025-03:26041', '2024Q2')).toBe(2);
    expect(await value('community_models_active', '2025-03:26041', '2024S1')).toBe(2);
    expect(await value('community_models_active', '2025-03:26041', '2024')).toBe(2);
    // Biên Hòa (no report of its own) adds its wards' stocks: Q1 5 + 4 = 9; S1 2 + 4 = 6 (An Bình's last is
    // February's 4).
    expect(await value('community_models_active', '2025-03:731', '2024Q1')).toBe(9);
    expect(await value('community_models_active', '2025-03:731', '2024S1')).toBe(6);
  });

  it('a ratio is sum(numerator) / sum(denominator) over the selection, not an average of ratios', async () => {
    // Biên Hòa 1/1 = 100 %, Cẩm Mỹ 9/19 = 47.4 %: old Đồng Nai (1 + 9) / (1 + 19) = 50 %, not (100 + 47.4) / 2 = 73.7
    // %.
    const k = await kpi('case_clearance_rate', '2025-03:75', '2024');
    expect(k).toMatchObject({
      value: 50,
      numerator: 10,
      denominator: 20,
      target: { operator: '>', value: 90 },
      status: 'NOT_MET',
    });
    expect(k.value).not.toBeCloseTo(((1 / 1 + 9 / 19) / 2) * 100, 1);
    // The same over the breakdown of its districts, and for the new province and VN (the same selection).
    const rows = byRef(await breakdown('case_clearance_rate', '2025-03:75', '2024'));
    expect(rows.get('2025-03:731')).toMatchObject({ value: 100, numerator: 1, denominator: 1, rank: 1, status: 'MET' });
    expect(rows.get('2025-03:739')!.value).toBeCloseTo((9 / 19) * 100, 10);
    expect(rows.get('2025-03:739')).toMatchObject({ numerator: 9, denominator: 19, rank: 2, status: 'NOT_MET' });
    expect(rows.get('2025-03:732')).toMatchObject({ value: null, rank: null, status: 'NO_DATA' });
    expect(await value('case_clearance_rate', '2025-07:75', '2024')).toBe(50);
    expect(await value('case_clearance_rate', 'VN', '2024')).toBe(50);
  });
});

describe('precedence', () => {
  // hotline_calls in Biên Hòa: wards Trung Dũng 1 and An Bình 2 every month of 2024 (3 a month between them);
  // Biên Hòa's own report for 2024Q1 only: 10.
  it("the unit's own report for exactly the period wins over its children's sum", async () => {
    expect(await value('hotline_calls', '2025-03:731', '2024Q1')).toBe(10); // not 9 (its wards), not 19 (both)
  });

  it('a period the unit did not report itself but reported within is made of its finer periods, each by the same rule', async () => {
    // S1: Biên Hòa reported within it (Q1), so S1 = Q1 (its own 10) + Q2 (no report of its own: its wards, 3 × 3 = 9)
    // = 19.
    expect(await value('hotline_calls', '2025-03:731', '2024Q2')).toBe(9);
    expect(await value('hotline_calls', '2025-03:731', '2024S1')).toBe(19);
    // The year: S1 (19) + S2 (nothing of its own within it: its wards, 6 × 3 = 18) = 37; its wards alone say 36.
    expect(await value('hotline_calls', '2025-03:731', '2024S2')).toBe(18);
    expect(await value('hotline_calls', '2025-03:731', '2024')).toBe(37);
    // A leaf: a ward's quarter is its months (1 + 1 + 1).
    expect(await value('hotline_calls', '2025-03:26041', '2024Q1')).toBe(3);
    expect(await value('hotline_calls', '2025-03:26041', '2024')).toBe(12);
  });

  it('a period the unit reported nothing within is the sum of its children; a parent is never added to its children', async () => {
    // January: Biên Hòa's own Q1 does not reach down into months: 1 + 2 = 3 from its wards.
    expect(await value('hotline_calls', '2025-03:731', '202401')).toBe(3);
    // Old Đồng Nai reported nothing: its districts, Biên Hòa 37 + Cẩm Mỹ 50 = 87 (Biên Hòa's wards are not added
    // again).
    expect(await value('hotline_calls', '2025-03:75', '2024')).toBe(87);
    // Old Bình Phước's own 100 wins over its district Đồng Xoài's 30: 100, not 130.
    expect(await value('hotline_calls', '2025-03:70', '2024')).toBe(100);
    expect(await value('hotline_calls', '2025-03:689', '2024')).toBe(30);
    // VN: old Đồng Nai 87 + old Bình Phước 100 (the new provinces' re-aggregated history is not added again).
    expect(await value('hotline_calls', 'VN', '2024')).toBe(187);
  });

  it('a coarser report is never split into finer periods', async () => {
    // Cẩm Mỹ reported 50 for the year only: no quarter or half of it has a value (not 12.5 or 25).
    expect(await kpi('hotline_calls', '2025-03:739', '2024Q1')).toMatchObject({ value: null, status: 'NO_TARGET' });
    expect(await value('hotline_calls', '2025-03:739', '2024S1')).toBeNull();
    expect(await value('hotline_calls', '2025-03:739', '2024')).toBe(50);
    // So VN's Q1 is Biên Hòa's 10 alone, with nothing of Cẩm Mỹ's or Bình Phước's years.
    expect(await value('hotline_calls', 'VN', '2024Q1')).toBe(10);
  });

  it('discrepancies lists units whose own figure disagrees with their children’s sum, and only those', async () => {
    const bienHoa = {
      unit: { ref: '2025-03:731' },
      indicator: 'hotline_calls',
      period: '2024Q1',
      reported: 10,
      childrenSum: 9,
      children: 2,
    };
    expect(await discrepancies('VN', '2024Q1')).toEqual([bienHoa]);
    expect(await discrepancies('2025-03:731', '2024Q1')).toEqual([bienHoa]);
    expect(await discrepancies('731', '2024Q1', '2025-06-30')).toEqual([bienHoa]);
    expect(await discrepancies('2025-03:731', '2024Q2')).toEqual([]); // it did not report Q2
    expect(await discrepancies('2025-03:739', '2024')).toEqual([]); // 50 of its own, nothing from its wards
    expect(await discrepancies('2025-03:26041', '2024Q1')).toEqual([]); // a ward has no children
  });

  it('VN’s own figure is compared with one list of provinces, not the two added together', async () => {
    const bienPhuoc = {
      unit: { ref: '2025-03:70' },
      indicator: 'hotline_calls',
      period: '2024',
      reported: 100,
      childrenSum: 30,
      children: 1,
    };
    expect(await discrepancies('VN', '2024')).toEqual([bienPhuoc]);
  });

  it('discrepancies of a unit of today for a period before the reform run through its predecessors', async () => {
    const bienPhuoc = {
      unit: { ref: '2025-03:70' },
      indicator: 'hotline_calls',
      period: '2024',
      reported: 100,
      childrenSum: 30,
      children: 1,
    };
    expect(await discrepancies('2025-03:70', '2024')).toEqual([bienPhuoc]);
    expect(await discrepancies('75', '2024')).toEqual([bienPhuoc]);
  });
});

describe('targets, the year before, completeness', () => {
  it('MET and NOT_MET on the boundaries: ">=" meets at the target, ">" does not', async () => {
    const rows = (
      await ok(`{ kpis(indicators: ["tipoff_classification_rate", "tipoff_resolution_rate", "case_clearance_rate", "hotline_calls", "trial_rate"], unit: "2025-03:731", period: "2023") {
      indicator { code } value numerator denominator target { operator value } status } }`)
    ).kpis;
    expect(rows).toEqual([
      // 10 / 10 = 100, target >= 100: met.
      {
        indicator: { code: 'tipoff_classification_rate' },
        value: 100,
        numerator: 10,
        denominator: 10,
        target: { operator: '>=', value: 100 },
        status: 'MET',
      },
      // 9 / 10 = 90, target > 90: not met.
      {
        indicator: { code: 'tipoff_resolution_rate' },
        value: 90,
        numerator: 9,
        denominator: 10,
        target: { operator: '>', value: 90 },
        status: 'NOT_MET',
      },
      {
        indicator: { code: 'case_clearance_rate' },
        value: 90,
        numerator: 9,
        denominator: 10,
        target: { operator: '>', value: 90 },
        status: 'NOT_MET',
      },
      // A count has no target, with or without a value.
      {
        indicator: { code: 'hotline_calls' },
        value: null,
        numerator: null,
        denominator: null,
        target: null,
        status: 'NO_TARGET',
      },
      // A ratio without data.
      {
        indicator: { code: 'trial_rate' },
        value: null,
        numerator: null,
        denominator: null,
        target: { operator: '>=', value: 90 },
        status: 'NO_DATA',
      },
    ]);
    // Cẩm Mỹ 91 / 100 = 91 > 90: met.
    expect(await kpi('case_clearance_rate', '2025-03:739', '2023')).toMatchObject({ value: 91, status: 'MET' });
    expect(await kpi('hotline_calls', '2025-03:731', '2024')).toMatchObject({
      value: 37,
      status: 'NO_TARGET',
      target: null,
    });
  });

  it('previousValue is the same period a year earlier, and change the difference', async () => {
    // Biên Hòa's own 2025Q1 3 against its own 2024Q1 10.
    expect(await kpi('hotline_calls', '2025-03:731', '2025Q1')).toMatchObject({
      value: 3,
      previousValue: 10,
      change: -7,
    });
    // Old Đồng Nai case clearance: 2024 = 50 %; 2023 = (9 + 91) / (10 + 100) = 90.909 %; change −40.909 points.
    const k = await kpi('case_clearance_rate', '75', '2024', '2024-12-31');
    expect(k.unit.ref).toBe('2025-03:75');
    expect(k.value).toBe(50);
    expect(k.previousValue).toBeCloseTo((100 / 110) * 100, 10);
    expect(k.change).toBeCloseTo(50 - (100 / 110) * 100, 10);
    // Across the reform: new Đồng Nai's own 2025S2 7 against 2024S2 of its predecessors (Biên Hòa's wards: 18).
    expect(await kpi('hotline_calls', '2025-07:75', '2025S2')).toMatchObject({
      value: 7,
      previousValue: 18,
      change: -11,
    });
    // No data a year earlier: no change.
    expect(await kpi('hotline_calls', '2025-03:731', '2024Q1')).toMatchObject({
      value: 10,
      previousValue: null,
      change: null,
    });
  });

  it('complete: false when expected monthly ward reports are missing; true when every one came', async () => {
    // Trung Dũng sent all twelve months of 2024; Biên Hòa's other 23 wards did not.
    expect(await kpi('hotline_calls', '2025-03:26041', '2024')).toMatchObject({ value: 12, complete: true });
    expect(await kpi('hotline_calls', '2025-03:731', '2024')).toMatchObject({ value: 37, complete: false });
  });

  it('model_coverage_rate = wards_with_model / the wards under the unit in force', async () => {
    // Biên Hòa: 20 of 25 wards = 80 % (the stock's last value in 2024 is Q4's 20).
    expect(await kpi('model_coverage_rate', '2025-03:731', '2024')).toMatchObject({
      value: 80,
      numerator: 20,
      denominator: BIEN_HOA_WARDS,
      status: 'NOT_MET',
    });
    // Old Đồng Nai: its districts' 20 over its 159 wards.
    const oldDongNai = await kpi('model_coverage_rate', '2025-03:75', '2024');
    expect(oldDongNai).toMatchObject({ numerator: 20, denominator: 159 });
    expect(oldDongNai.value).toBeCloseTo((20 / 159) * 100, 10);
    // New Đồng Nai before the reform: (20 + Bình Phước's 88) over the 159 + 111 = 270 old wards it was made of: 40 %.
    expect(await kpi('model_coverage_rate', '2025-07:75', '2024')).toMatchObject({
      value: 40,
      numerator: 108,
      denominator: 270,
    });
    // After: 95 of its 95 communes = 100 %, target >= 100: met.
    expect(await kpi('model_coverage_rate', '2025-07:75', '2025S2')).toMatchObject({
      value: 100,
      numerator: 95,
      denominator: 95,
      status: 'MET',
    });
    // The counts of wards agree with the unit tables.
    const wards = async (ref: string) =>
      (
        await w.sql<{ n: number }>(
          `SELECT count(*)::INTEGER AS n FROM unit_closure c JOIN units d ON d.unit_id = c.descendant_id
      WHERE c.ancestor_id = (SELECT unit_id FROM units WHERE ref = $1) AND d.level = 'ward'`,
          [ref],
        )
      )[0].n;
    expect([
      await wards('2025-03:731'),
      await wards('2025-03:75'),
      await wards('2025-03:70'),
      await wards('2025-07:75'),
    ]).toEqual([25, 159, 111, 95]);
  });
});

describe('the 2025 reform, both ways', () => {
  it('new Đồng Nai’s trend runs back through old Đồng Nai + old Bình Phước', async () => {
    // 2024: old Đồng Nai 87 + old Bình Phước 100 = 187. 2025: S1 = old Đồng Nai 3 (Biên Hòa’s Q1) + old Bình Phước 5
    // = 8, S2 = its own 7: 15.
    const expected = [
      ['2024', 187],
      ['2025', 15],
    ];
    expect(await trendValues('hotline_calls', '2025-07:75', '2024', '2025', 'YEAR')).toEqual(expected);
    expect(await trendValues('hotline_calls', '75', '2024', '2025', 'YEAR')).toEqual(expected); // today: the new list
    expect(await trendValues('hotline_calls', '75', '2024', '2025', 'YEAR', '2025-07-01')).toEqual(expected);
    // By half: 2024S1 19 and S2 18 (Biên Hòa; Bình Phước's and Cẩm Mỹ's years are not split), 2025S1 8, S2 7.
    expect(await trendValues('hotline_calls', '2025-07:75', '2024S1', '2025S2', 'HALF_YEAR')).toEqual([
      ['2024S1', 19],
      ['2024S2', 18],
      ['2025S1', 8],
      ['2025S2', 7],
    ]);
    // VN (the default unit) agrees.
    expect(
      (await ok('{ trend(indicator: "hotline_calls", from: "2024", to: "2025", granularity: YEAR) { period value } }'))
        .trend,
    ).toEqual([
      { period: '2024', value: 187 },
      { period: '2025', value: 15 },
    ]);
    expect(await value('hotline_calls', 'VN', '2025')).toBe(15);
  });

  it('the old units stay queryable as they were', async () => {
    expect(await value('hotline_calls', '2025-03:70', '2024')).toBe(100);
    expect(await value('hotline_calls', '70', '2024', '2024-12-31')).toBe(100);
    expect(await value('hotline_calls', '70', '2024', '2025-06-30')).toBe(100);
    // Old Đồng Nai: 87 in 2024; in 2025 it existed for the first half only: Biên Hòa's 3.
    expect(await trendValues('hotline_calls', '75', '2024', '2025', 'YEAR', '2024-12-31')).toEqual([
      ['2024', 87],
      ['2025', 3],
    ]);
    expect(await trendValues('hotline_calls', '2025-03:75', '2024', '2025', 'YEAR')).toEqual([
      ['2024', 87],
      ['2025', 3],
    ]);
    // A plain code on each side of 1 July 2025.
    expect((await kpi('hotline_calls', '75', '2024', '2025-06-30')).unit.ref).toBe('2025-03:75');
    expect(await kpi('hotline_calls', '75', '2024', '2025-07-01')).toMatchObject({
      unit: { ref: '2025-07:75' },
      value: 187,
    });
    expect((await kpi('hotline_calls', '75', '2024')).unit.ref).toBe('2025-07:75');
    // A new commune made whole of Trung Dũng (12) and An Bình (24), and others that reported nothing: 36.
    expect(await kpi('hotline_calls', '2025-07:26041', '2024')).toMatchObject({ value: 36, complete: true });
  });

  it('breakdown under VN by PROVINCE: the 34 new provinces today, the 63 old ones as of 2024-12-31', async () => {
    const today = await breakdown('hotline_calls', 'VN', '2024', { level: 'PROVINCE' });
    expect(today).toHaveLength(34);
    expect(today.every((r) => r.unit.ref.startsWith('2025-07:') && r.unit.level === 'PROVINCE')).toBe(true);
    expect(withValues(today)).toEqual([['2025-07:75', 187, 1]]);
    // The default level is the children: the same 34.
    expect((await breakdown('hotline_calls', 'VN', '2024')).map((r) => r.unit.ref)).toEqual(
      today.map((r) => r.unit.ref),
    );

    const before = await breakdown('hotline_calls', 'VN', '2024', { level: 'PROVINCE', asOf: '2024-12-31' });
    expect(before).toHaveLength(63);
    expect(before.every((r) => r.unit.ref.startsWith('2025-03:'))).toBe(true);
    expect(withValues(before)).toEqual([
      ['2025-03:70', 100, 1],
      ['2025-03:75', 87, 2],
    ]);
    // asOf on each side of 1 July 2025.
    expect(await breakdown('hotline_calls', 'VN', '2024', { level: 'PROVINCE', asOf: '2025-06-30' })).toEqual(before);
    expect(await breakdown('hotline_calls', 'VN', '2024', { level: 'PROVINCE', asOf: '2025-07-01' })).toEqual(today);
    expect(before.filter((r) => r.value === null).every((r) => r.rank === null && r.status === 'NO_TARGET')).toBe(true);

    // An old province by its districts, by prefix and by plain code as of before the reform.
    const binhPhuoc = await breakdown('hotline_calls', '2025-03:70', '2024');
    expect(binhPhuoc).toHaveLength(11);
    expect(withValues(binhPhuoc)).toEqual([['2025-03:689', 30, 1]]);
    expect(await breakdown('hotline_calls', '70', '2024', { asOf: '2025-06-30' })).toEqual(binhPhuoc);
  });

  it('a split old ward without weights counts in the province but in no commune; those communes are incomplete', async () => {
    // media_items 2024: Xuân Tâm (split between Xuân Đông and Xuân Hòa) 7, Xuân Hòa (old, whole into new Xuân Hòa) 4,
    // Xuân Tây (whole into Xuân Đông) 2. New Đồng Nai: 7 + 4 + 2 = 13; Xuân Đông 2, Xuân Hòa 4, both incomplete.
    expect(await kpi('media_items', '2025-07:75', '2024')).toMatchObject({ value: 13, complete: true });
    expect(await kpi('media_items', '2025-07:26359', '2024')).toMatchObject({ value: 2, complete: false });
    expect(await kpi('media_items', '2025-07:26446', '2024')).toMatchObject({ value: 4, complete: false });
    expect(await kpi('media_items', '2025-07:26041', '2024')).toMatchObject({ value: null, complete: true });
    expect(await trend('media_items', '2025-07:26359', '2024', '2024', 'YEAR')).toMatchObject([
      { period: '2024', value: 2, complete: false },
    ]);

    for (const level of [undefined, 'WARD']) {
      const communes = await breakdown('media_items', '2025-07:75', '2024', { level });
      expect(communes).toHaveLength(95);
      const rows = byRef(communes);
      expect(rows.get('2025-07:26359')).toMatchObject({ value: 2, complete: false, rank: 2 });
      expect(rows.get('2025-07:26446')).toMatchObject({ value: 4, complete: false, rank: 1 });
      expect(
        communes
          .filter((r) => !r.complete)
          .map((r) => r.unit.ref)
          .sort(),
      ).toEqual(['2025-07:26359', '2025-07:26446']);
      // The communes' sum (6) plus the unallocated split ward (7) is the province (13).
      const sum = communes.reduce((s, r) => s + (r.value ?? 0), 0);
      const unallocated = await value('media_items', '2025-03:26449', '2024');
      expect([sum, unallocated]).toEqual([6, 7]);
      expect(sum + unallocated!).toBe(await value('media_items', '2025-07:75', '2024'));
    }
  });
});

describe('breakdown ranks', () => {
  it('1 is the highest; equal values share a rank and the next rank skips; no value, no rank', async () => {
    const rows = await breakdown('leaflets_distributed', '2025-03:731', '2024');
    expect(rows).toHaveLength(BIEN_HOA_WARDS);
    expect(withValues(rows).sort()).toEqual([
      ['2025-03:26002', 3, 3],
      ['2025-03:26041', 5, 1],
      ['2025-03:26050', 5, 1],
    ]);
    expect(rows.filter((r) => r.value === null).every((r) => r.rank === null)).toBe(true);
    // The same by plain code and asOf, and by level WARD under old Đồng Nai.
    expect(await breakdown('leaflets_distributed', '731', '2024', { asOf: '2024-12-31' })).toEqual(rows);
    const wards = await breakdown('leaflets_distributed', '2025-03:75', '2024', { level: 'WARD' });
    expect(wards).toHaveLength(159);
    expect(withValues(wards).sort()).toEqual([
      ['2025-03:26002', 3, 3],
      ['2025-03:26041', 5, 1],
      ['2025-03:26050', 5, 1],
    ]);
  });
});

describe('trend granularity', () => {
  it('MONTH, QUARTER, HALF_YEAR and YEAR over 2024 for a ward’s flow', async () => {
    // Trung Dũng's outreach: Jan 1, Feb 2, Mar 4, Jul 8.
    const months = await trend('outreach_sessions', '2025-03:26041', '2024', '2024', 'MONTH');
    expect(months.map((p) => [p.period, p.start, p.value])).toEqual(
      MONTHS_2024.map((m, i) => [
        m,
        `2024-${m.slice(4)}-01`,
        [1, 2, 4, null, null, null, 8, null, null, null, null, null][i],
      ]),
    );
    expect(months.every((p) => p.target === null && !p.suppressed && p.complete)).toBe(true);
    expect(await trendValues('outreach_sessions', '2025-03:26041', '2024Q1', '2024Q4', 'QUARTER')).toEqual([
      ['2024Q1', 7],
      ['2024Q2', null],
      ['2024Q3', 8],
      ['2024Q4', null],
    ]);
    expect(await trendValues('outreach_sessions', '2025-03:26041', '2024', '2024', 'HALF_YEAR')).toEqual([
      ['2024S1', 7],
      ['2024S2', 8],
    ]);
    expect(await trendValues('outreach_sessions', '2025-03:26041', '2024', '2024', 'YEAR')).toEqual([['2024', 15]]);
    // from/to may be periods of other types: the points are those of the granularity between them.
    expect(await trendValues('outreach_sessions', '2025-03:26041', '202402', '2024Q2', 'MONTH')).toEqual([
      ['202402', 2],
      ['202403', 4],
      ['202404', null],
      ['202405', null],
      ['202406', null],
    ]);
  });

  it('each point by the precedence rules: Biên Hòa’s months from its wards, its Q1 its own', async () => {
    expect(await trendValues('hotline_calls', '2025-03:731', '2024', '2024', 'MONTH')).toEqual(
      MONTHS_2024.map((m) => [m, 3]),
    );
    expect(await trendValues('hotline_calls', '2025-03:731', '2024', '2024', 'QUARTER')).toEqual([
      ['2024Q1', 10],
      ['2024Q2', 9],
      ['2024Q3', 9],
      ['2024Q4', 9],
    ]);
    expect(await trendValues('hotline_calls', '731', '2024', '2024', 'HALF_YEAR', '2024-12-31')).toEqual([
      ['2024S1', 19],
      ['2024S2', 18],
    ]);
  });

  it('a ratio trend carries its target', async () => {
    const points = await trend('case_clearance_rate', '75', '2023', '2024', 'YEAR', '2024-12-31');
    expect(points.map((p) => [p.period, p.target])).toEqual([
      ['2023', 90],
      ['2024', 90],
    ]);
    expect(points[0].value).toBeCloseTo((100 / 110) * 100, 10);
    expect(points[1].value).toBe(50);
  });
});

describe('reportingCompliance', () => {
  it('March 2024 for Biên Hòa’s wards: expected 25, received 3, on time 1, late 2, missing 22', async () => {
    // Due 12 April: Trung Dũng sent on 5 April (on time), An Bình on 12 April (late), Hố Nai on 30 April (late).
    const wardRefs = (
      await w.sql<{ ref: string }>(
        `SELECT ref FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = '2025-03:731') ORDER BY ref`,
      )
    ).map((r) => r.ref);
    const reported = ['2025-03:26002', '2025-03:26041', '2025-03:26050'];
    const expected = {
      period: '202403',
      dueDate: '2024-04-12',
      expected: 25,
      received: 3,
      onTime: 1,
      late: 2,
      pending: 0,
      completeness: 12,
      timeliness: 4,
    };
    for (const vars of [{ unit: '2025-03:731' }, { unit: '731', asOf: '2024-12-31' }]) {
      const c = (await ok(COMPLIANCE, { ...vars, period: '202403', level: 'WARD' })).reportingCompliance;
      expect(c).toMatchObject(expected);
      expect(c.missing.map((u: { ref: string }) => u.ref).sort()).toEqual(
        wardRefs.filter((r) => !reported.includes(r)),
      );
      expect(c.missing.every((u: { level: string }) => u.level === 'WARD')).toBe(true);
    }
    // Without level: Biên Hòa itself is expected too (monthly reports come from districts and wards).
    const all = (await ok(COMPLIANCE, { unit: '2025-03:731', period: '202403' })).reportingCompliance;
    expect(all).toMatchObject({ expected: 26, received: 3, onTime: 1, late: 2 });
    expect(all.missing.map((u: { ref: string }) => u.ref)).toContain('2025-03:731');
    // Old Đồng Nai's 11 districts: none sent a March report of its own.
    const districts = (await ok(COMPLIANCE, { unit: '2025-03:75', period: '202403', level: 'DISTRICT' }))
      .reportingCompliance;
    expect(districts).toMatchObject({ expected: 11, received: 0, completeness: 0 });
    expect(districts.missing).toHaveLength(11);
  });

  it('after the reform, a plain code means the new province: its 95 communes, none of which reported September', async () => {
    const c = (await ok(COMPLIANCE, { unit: '75', period: '202509' })).reportingCompliance;
    expect(c).toMatchObject({ dueDate: '2025-10-12', expected: 95, received: 0, onTime: 0, late: 0, completeness: 0 });
    expect(c.missing).toHaveLength(95);
    expect(c.missing.every((u: { ref: string }) => u.ref.startsWith('2025-07:'))).toBe(true);
  });
});

describe('argument errors: BAD_USER_INPUT naming the argument, no data', () => {
  const cases: [string, string, string][] = [
    [
      'unknown indicator in a list',
      '{ kpis(indicators: ["hotline_calls", "nope"], period: "2024") { value } }',
      'indicators[1]',
    ],
    ['bad period', '{ kpi(indicator: "hotline_calls", period: "2024Q5") { value } }', 'period'],
    ['bad period (kpis)', '{ kpis(indicators: ["hotline_calls"], period: "2024Q5") { value } }', 'period'],
    ['bad period (breakdown)', '{ breakdown(indicator: "hotline_calls", period: "2024Q5") { value } }', 'period'],
    ['bad period (discrepancies)', '{ discrepancies(period: "2024Q5") { reported } }', 'period'],
    ['bad period (compliance)', '{ reportingCompliance(period: "2024Q5") { expected } }', 'period'],
    [
      'bad from',
      '{ trend(indicator: "hotline_calls", from: "2024Q5", to: "2025", granularity: YEAR) { value } }',
      'from',
    ],
    ['unknown unit', '{ kpi(indicator: "hotline_calls", unit: "2025-07:731", period: "2024") { value } }', 'unit'],
    ['an old code today', '{ kpi(indicator: "hotline_calls", unit: "70", period: "2024") { value } }', 'unit'],
    ['malformed unit', '{ breakdown(indicator: "hotline_calls", unit: "7", period: "2024") { value } }', 'unit'],
    [
      'unknown unit (trend)',
      '{ trend(indicator: "hotline_calls", unit: "99", from: "2024", to: "2025", granularity: YEAR) { value } }',
      'unit',
    ],
    [
      'unknown unit (compliance)',
      '{ reportingCompliance(unit: "2025-03:99999", period: "202403") { expected } }',
      'unit',
    ],
    ['unknown unit (discrepancies)', '{ discrepancies(unit: "2025-07:739", period: "2024") { reported } }', 'unit'],
    [
      'bad asOf',
      '{ kpi(indicator: "hotline_calls", unit: "75", period: "2024", asOf: "2024-02-30") { value } }',
      'asOf',
    ],
    [
      'from after to',
      '{ trend(indicator: "hotline_calls", from: "2025", to: "2024", granularity: YEAR) { value } }',
      'to',
    ],
    [
      'from after to (quarters)',
      '{ trend(indicator: "hotline_calls", from: "2024Q3", to: "2024Q2", granularity: MONTH) { value } }',
      'to',
    ],
    [
      'too many points',
      '{ trend(indicator: "hotline_calls", from: "2000", to: "2100", granularity: MONTH) { value } }',
      'from',
    ],
    ['NATIONAL reports to no one', '{ reportingCompliance(period: "202403", level: NATIONAL) { expected } }', 'level'],
  ];
  for (const [name, query, arg] of cases) {
    it(name, async () => {
      const r = await q(query);
      expect(r.status).toBe(200);
      expect(Object.values(r.body.data ?? {}).filter((v) => v !== null)).toEqual([]); // the refused field answers null
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.body.errors![0].extensions).toMatchObject({ argumentName: arg });
      expect(r.body.errors![0].message.startsWith(`${arg}: `), r.body.errors![0].message).toBe(true);
    });
  }

  it('unknown indicator (kpi): names the argument `indicator`', async () => {
    const r = await q('{ kpi(indicator: "nope", period: "2024") { value } }');
    expect(Object.values(r.body.data ?? {}).filter((v) => v !== null)).toEqual([]); // the refused field answers null
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors![0].message).toMatch(
      /^indicator: "nope" is not an indicator: expected one of tipoffs_received, /,
    );
    expect(r.body.errors![0].extensions).toMatchObject({ argumentName: 'indicator' });
  });

  it('unknown indicator (trend, breakdown): names the argument `indicator`', async () => {
    for (const query of [
      '{ trend(indicator: "nope", from: "2024", to: "2024", granularity: YEAR) { value } }',
      '{ breakdown(indicator: "nope", period: "2024") { value } }',
    ]) {
      const r = await q(query);
      expect(Object.values(r.body.data ?? {}).filter((v) => v !== null)).toEqual([]); // the refused field answers null
      expect(codes(r)).toEqual(['BAD_USER_INPUT']);
      expect(r.body.errors![0].extensions).toMatchObject({ argumentName: 'indicator' });
    }
  });

  it('a trend of at most 480 points is allowed: 40 years of months', async () => {
    const points = await trend('hotline_calls', 'VN', '2000', '2039', 'MONTH');
    expect(points).toHaveLength(480);
    expect(points.filter((p) => p.value !== null).map((p) => p.period)).toEqual(MONTHS_2024);
  });
});
