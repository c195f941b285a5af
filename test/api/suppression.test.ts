/**
 * Small-cell suppression over real HTTP: a `viewer` key gets victims_* counts from 1 to k − 1 = 10 as null with
 * `suppressed: true` (0 and 11 and more are shown), ratios built on such a count likewise, and complementary
 * suppression so that no withheld value can be worked out from a total minus the values shown beside it. An
 * `analyst` key of the same scope sees everything. Expected numbers are worked out by hand in the comments.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { SUPPRESSION_K } from '../../api/aggregate/suppression.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';

let w: Warehouse;
let server: RunningServer;
const tokens = { viewer: '', analyst: '' };
type Role = keyof typeof tokens;
/** The first 12 of Biên Hòa's 25 wards, by code: they report victims_legal_aid 0, 1, …, 11 for 2024. */
let ladder: string[];

async function ok(role: Role, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(server.url, query, { token: tokens[role], variables });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
}

const KPI = `query Kpi($indicator: String!, $unit: String!, $period: String!) {
  kpi(indicator: $indicator, unit: $unit, period: $period) { value numerator denominator status previousValue change suppressed }
}`;
const kpi = async (role: Role, indicator: string, unit: string, period: string) =>
  (await ok(role, KPI, { indicator, unit, period })).kpi;

type Row = {
  unit: { ref: string };
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  rank: number | null;
  status: string;
  suppressed: boolean;
};
const BREAKDOWN = `query B($indicator: String!, $unit: String!, $period: String!, $level: AdminLevel, $asOf: String) {
  breakdown(indicator: $indicator, unit: $unit, period: $period, level: $level, asOf: $asOf) { unit { ref } value numerator denominator rank status suppressed }
}`;
const breakdown = async (
  role: Role,
  indicator: string,
  unit: string,
  period: string,
  o: { level?: string; asOf?: string } = {},
) => (await ok(role, BREAKDOWN, { indicator, unit, period, ...o })).breakdown as Row[];
const rowsByRef = (rows: Row[]) => new Map(rows.map((r) => [r.unit.ref, r]));

type Point = { period: string; value: number | null; suppressed: boolean };
const TREND = `query T($indicator: String!, $unit: String!, $from: String!, $to: String!, $granularity: Granularity!) {
  trend(indicator: $indicator, unit: $unit, from: $from, to: $to, granularity: $granularity) { period value suppressed }
}`;
const trend = async (role: Role, indicator: string, unit: string, from: string, to: string, granularity: string) =>
  (await ok(role, TREND, { indicator, unit, from, to, granularity })).trend as Point[];

beforeAll(async () => {
  w = await freshWarehouse();
  ladder = (
    await w.sql<{ ref: string }>(
      `SELECT ref FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = '2025-03:731') ORDER BY code LIMIT 12`,
    )
  ).map((r) => r.ref);
  const dir = tempDir('pcmbn-suppression-');
  writeFile(
    dir,
    'wards.csv',
    csv(
      H,
      // Every value from 0 to 11, one ward each: Biên Hòa 0 + 1 + … + 11 = 66.
      ...ladder.map((ref, v) => `${ref},2024,victims_legal_aid,${v},2025-01-05`),
      // Victims identified: Trung Dũng 0, An Bình 1, Hố Nai 10, Tân Hòa 11 (4 the year before): Biên Hòa 22.
      '2025-03:26041,2024,victims_identified,0,2025-01-05',
      '2025-03:26050,2024,victims_identified,1,2025-01-05',
      '2025-03:26002,2024,victims_identified,10,2025-01-05',
      '2025-03:26005,2024,victims_identified,11,2025-01-05',
      '2025-03:26005,2023,victims_identified,4,2024-01-05',
      // Victims rescued by Tân Hòa, by month: Jan 20, Feb 3, Mar 15, Jul 12 (year 50; Q1 38).
      '2025-03:26005,202401,victims_rescued,20,2024-02-05',
      '2025-03:26005,202402,victims_rescued,3,2024-03-05',
      '2025-03:26005,202403,victims_rescued,15,2024-04-05',
      '2025-03:26005,202407,victims_rescued,12,2024-08-05',
      // Old Hà Nội wards: a support rate on a small numerator (8 / 40) and one on a small denominator (0 / 3).
      '2025-03:00004,2024,victims_returned,40,2025-01-05',
      '2025-03:00004,2024,victims_supported,8,2025-01-05',
      '2025-03:00007,2024,victims_returned,3,2025-01-05',
      '2025-03:00007,2024,victims_supported,0,2025-01-05',
      // Not a victims_* count: a small value is shown.
      '2025-03:26041,2024,hotline_calls,3,2025-01-05',
    ),
  );
  writeFile(
    dir,
    'districts.csv',
    csv(
      H,
      // Old Đồng Nai's districts: victims returned Biên Hòa 5, Cẩm Mỹ 20, Xuân Lộc 30, Long Khánh 0: 55.
      '2025-03:731,2024,victims_returned,5,2024-12-10',
      '2025-03:739,2024,victims_returned,20,2024-12-10',
      '2025-03:741,2024,victims_returned,30,2024-12-10',
      '2025-03:732,2024,victims_returned,0,2024-12-10',
      // Supported: 5, 18, 30: rates 100 %, 90 %, 100 %; old Đồng Nai 53 / 55.
      '2025-03:731,2024,victims_supported,5,2024-12-10',
      '2025-03:739,2024,victims_supported,18,2024-12-10',
      '2025-03:741,2024,victims_supported,30,2024-12-10',
    ),
  );
  const result = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(result.files.map((f) => [f.name, f.status, f.issues.map((i) => i.message)])).toEqual(
    result.files.map((f) => [f.name, 'loaded', []]),
  );
  const vn = await unitId(w, 'VN');
  tokens.viewer = (await createApiKey(w, { role: 'viewer', unitId: vn })).token;
  tokens.analyst = (await createApiKey(w, { role: 'analyst', unitId: vn })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

/**
 * Checks one set of values that add up to a total the viewer also sees: no withheld value may be the only one, or
 * total − the shown ones would be it. `viewer` and `analyst` are the same rows as each role sees them.
 */
function expectNoSingleWithheld(
  viewer: { suppressed: boolean; value: number | null }[],
  analyst: { value: number | null }[],
  total: number | null,
  what: string,
) {
  const withheld = viewer.flatMap((v, i) => (v.suppressed ? [i] : []));
  if (total === null || withheld.length === 0) return;
  const shown = viewer.reduce((s, v) => s + (v.suppressed ? 0 : (v.value ?? 0)), 0);
  // What the viewer can work out: total − shown is the sum of the withheld values…
  expect(total - shown, what).toBe(withheld.reduce((s, i) => s + (analyst[i].value ?? 0), 0));
  // …which reveals nothing as long as at least two of them are not zero.
  expect(
    withheld.filter((i) => (analyst[i].value ?? 0) > 0).length,
    `${what}: withheld ${withheld.length} value(s)`,
  ).toBeGreaterThanOrEqual(2);
}

describe('primary suppression', () => {
  it('k is 11 by default', () => {
    expect(SUPPRESSION_K).toBe(11);
  });

  it('a viewer gets victims_* counts from 1 to 10 as null and suppressed; 0 and 11 are shown', async () => {
    const query = `{ ${ladder.map((ref, i) => `v${i}: kpi(indicator: "victims_legal_aid", unit: "${ref}", period: "2024") { value suppressed }`).join(' ')} }`;
    const viewer = await ok('viewer', query);
    const analyst = await ok('analyst', query);
    for (let v = 0; v <= 11; v++) {
      const small = v >= 1 && v <= 10;
      expect(viewer[`v${v}`], `viewer, ${v}`).toEqual(
        small ? { value: null, suppressed: true } : { value: v, suppressed: false },
      );
      expect(analyst[`v${v}`], `analyst, ${v}`).toEqual({ value: v, suppressed: false });
    }
    // Biên Hòa's total (66) is shown.
    expect(await kpi('viewer', 'victims_legal_aid', '2025-03:731', '2024')).toMatchObject({
      value: 66,
      suppressed: false,
    });
  });

  it('k = 11 boundary on another victims_* count: 10 withheld, 11 shown; the previous year’s 4 withheld too', async () => {
    expect(await kpi('viewer', 'victims_identified', '2025-03:26002', '2024')).toMatchObject({
      value: null,
      suppressed: true,
    });
    expect(await kpi('viewer', 'victims_identified', '2025-03:26005', '2024')).toMatchObject({
      value: 11,
      suppressed: false,
      previousValue: null,
      change: null,
    });
    expect(await kpi('viewer', 'victims_identified', '2025-03:26050', '2024')).toMatchObject({
      value: null,
      suppressed: true,
    });
    expect(await kpi('viewer', 'victims_identified', '2025-03:26041', '2024')).toMatchObject({
      value: 0,
      suppressed: false,
    });
    expect(await kpi('analyst', 'victims_identified', '2025-03:26002', '2024')).toMatchObject({
      value: 10,
      suppressed: false,
    });
    expect(await kpi('analyst', 'victims_identified', '2025-03:26005', '2024')).toMatchObject({
      value: 11,
      suppressed: false,
      previousValue: 4,
      change: 7,
    });
  });

  it('counts that are not victims_* are shown whatever their size', async () => {
    expect(await kpi('viewer', 'hotline_calls', '2025-03:26041', '2024')).toMatchObject({
      value: 3,
      suppressed: false,
      status: 'NO_TARGET',
    });
  });

  it('victim_support_rate built on a small count is withheld with its numerator and denominator', async () => {
    // Biên Hòa 5 / 5: both counts small.
    const small = await kpi('viewer', 'victim_support_rate', '2025-03:731', '2024');
    expect(small).toMatchObject({ value: null, numerator: null, denominator: null, suppressed: true });
    expect(['MET', 'NOT_MET']).not.toContain(small.status); // the status would tell something about the value
    // Trúc Bạch 8 / 40: the numerator is small.
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:00004', '2024')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    // Cống Vị 0 / 3: the denominator is small.
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:00007', '2024')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    // Xuân Lộc 30 / 30 = 100 %: shown, as a percentage only (a viewer never gets the victims counts behind a ratio).
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:741', '2024')).toMatchObject({
      value: 100,
      numerator: null,
      denominator: null,
      suppressed: false,
      status: 'MET',
    });
    // Cẩm Mỹ 18 / 20 = 90 % is withheld although neither count is small: its 20 victims returned are withheld as the
    // complement of Biên Hòa's 5 under old Đồng Nai (below), and 90 % beside its 18 victims supported, which are
    // shown, would give them back.
    expect(await kpi('viewer', 'victims_returned', '2025-03:739', '2024')).toMatchObject({
      value: null,
      suppressed: true,
    });
    expect(await kpi('viewer', 'victims_supported', '2025-03:739', '2024')).toMatchObject({
      value: 18,
      suppressed: false,
    });
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:739', '2024')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    // An analyst sees them all.
    expect(await kpi('analyst', 'victim_support_rate', '2025-03:731', '2024')).toMatchObject({
      value: 100,
      numerator: 5,
      denominator: 5,
      suppressed: false,
      status: 'MET',
    });
    expect(await kpi('analyst', 'victim_support_rate', '2025-03:00004', '2024')).toMatchObject({
      value: 20,
      numerator: 8,
      denominator: 40,
      suppressed: false,
    });
    expect(await kpi('analyst', 'victim_support_rate', '2025-03:00007', '2024')).toMatchObject({
      value: 0,
      numerator: 0,
      denominator: 3,
      suppressed: false,
    });
  });

  it('a breakdown withholds small values and leaves them out of the ranks', async () => {
    const viewer = await breakdown('viewer', 'victims_legal_aid', '2025-03:731', '2024');
    const shown = viewer.filter((r) => r.value !== null).map((r) => [r.unit.ref, r.value, r.rank]);
    expect(shown.sort()).toEqual(
      [
        [ladder[0], 0, 2],
        [ladder[11], 11, 1],
      ].sort(),
    );
    expect(
      viewer
        .filter((r) => r.suppressed)
        .map((r) => r.unit.ref)
        .sort(),
    ).toEqual(ladder.slice(1, 11).sort());
    expect(viewer.filter((r) => r.suppressed).every((r) => r.rank === null)).toBe(true);
    const analyst = await breakdown('analyst', 'victims_legal_aid', '2025-03:731', '2024');
    expect(analyst.filter((r) => r.suppressed)).toEqual([]);
    expect(rowsByRef(analyst).get(ladder[5])).toMatchObject({ value: 5, rank: 7 });
  });
});

describe('complementary suppression', () => {
  it('a breakdown with exactly one small child withholds a second one, so the parent minus the others reveals neither', async () => {
    // Old Đồng Nai's districts: Biên Hòa 5 (small), Cẩm Mỹ 20, Xuân Lộc 30, Long Khánh 0; old Đồng Nai 55 (shown).
    // Biên Hòa is withheld, and so is the smallest shown non-zero value, Cẩm Mỹ's 20; zero stays (it identifies no one).
    const viewer = await breakdown('viewer', 'victims_returned', '2025-03:75', '2024');
    const analyst = await breakdown('analyst', 'victims_returned', '2025-03:75', '2024');
    expect(viewer).toHaveLength(11);
    const v = rowsByRef(viewer);
    expect(v.get('2025-03:731')).toMatchObject({ value: null, suppressed: true, rank: null });
    expect(v.get('2025-03:739')).toMatchObject({ value: null, suppressed: true, rank: null });
    expect(v.get('2025-03:741')).toMatchObject({ value: 30, suppressed: false, rank: 1 });
    expect(v.get('2025-03:732')).toMatchObject({ value: 0, suppressed: false, rank: 2 });
    expect(viewer.filter((r) => r.suppressed)).toHaveLength(2);
    expect(analyst.filter((r) => r.suppressed)).toHaveLength(0);
    expect(rowsByRef(analyst).get('2025-03:739')).toMatchObject({ value: 20, rank: 2 });

    const parent = await kpi('viewer', 'victims_returned', '2025-03:75', '2024');
    expect(parent).toMatchObject({ value: 55, suppressed: false });
    // 55 − 30 − 0 = 25 = 5 + 20: two unknowns.
    expectNoSingleWithheld(viewer, analyst, parent.value, 'old Đồng Nai by district');
    // The same through a plain code as of before the reform.
    expect(await breakdown('viewer', 'victims_returned', '75', '2024', { asOf: '2024-12-31' })).toEqual(viewer);
  });

  it('every set of children in a multi-parent breakdown is protected on its own', async () => {
    // Biên Hòa's wards by level WARD under old Đồng Nai: victims_identified 0, 1, 10, 11: two small already.
    const viewer = await breakdown('viewer', 'victims_identified', '2025-03:75', '2024', { level: 'WARD' });
    const analyst = await breakdown('analyst', 'victims_identified', '2025-03:75', '2024', { level: 'WARD' });
    expect(viewer).toHaveLength(159);
    expect(
      viewer
        .filter((r) => r.suppressed)
        .map((r) => r.unit.ref)
        .sort(),
    ).toEqual(['2025-03:26002', '2025-03:26050']);
    const bienHoa = await kpi('viewer', 'victims_identified', '2025-03:731', '2024');
    expect(bienHoa).toMatchObject({ value: 22, suppressed: false });
    const inBienHoa = (rows: Row[]) =>
      rows.filter((r) => ['2025-03:26041', '2025-03:26050', '2025-03:26002', '2025-03:26005'].includes(r.unit.ref));
    expectNoSingleWithheld(inBienHoa(viewer), inBienHoa(analyst), bienHoa.value, 'Biên Hòa by ward');
  });

  it('a monthly trend with exactly one small month withholds a second one, so the year minus the others reveals neither', async () => {
    // Tân Hòa: Jan 20, Feb 3 (small), Mar 15, Jul 12; the year 50. Feb is withheld, and with it the smallest shown
    // non-zero month of the year, July's 12; then, so that neither is the only withheld part of a relation, July's
    // quarter and half (12 each: August and September are 0), the first half (38) and Feb's quarter (38).
    const viewer = await trend('viewer', 'victims_rescued', '2025-03:26005', '2024', '2024', 'MONTH');
    const analyst = await trend('analyst', 'victims_rescued', '2025-03:26005', '2024', '2024', 'MONTH');
    expect(viewer.filter((p) => p.value !== null).map((p) => [p.period, p.value])).toEqual([
      ['202401', 20],
      ['202403', 15],
    ]);
    expect(viewer.filter((p) => p.suppressed).map((p) => p.period)).toEqual(['202402', '202407']);
    const coarse = await trend('viewer', 'victims_rescued', '2025-03:26005', '2024', '2024', 'QUARTER');
    expect(coarse.map((p) => [p.period, p.value, p.suppressed])).toEqual([
      ['2024Q1', null, true],
      ['2024Q2', null, false],
      ['2024Q3', null, true],
      ['2024Q4', null, false],
    ]);
    expect(
      (await trend('viewer', 'victims_rescued', '2025-03:26005', '2024', '2024', 'HALF_YEAR')).map((p) => p.suppressed),
    ).toEqual([true, true]);
    expect(analyst.map((p) => p.value)).toEqual([20, 3, 15, null, null, null, 12, null, null, null, null, null]);
    expect(analyst.some((p) => p.suppressed)).toBe(false);
    const year = await kpi('viewer', 'victims_rescued', '2025-03:26005', '2024');
    expect(year).toMatchObject({ value: 50, suppressed: false });
    // 50 − 20 − 15 = 15 = 3 + 12: two unknowns.
    expectNoSingleWithheld(viewer, analyst, year.value, 'the year 2024');
  });

  it('no withheld month can be worked out from its quarter’s or half’s total either', async () => {
    const viewer = await trend('viewer', 'victims_rescued', '2025-03:26005', '2024', '2024', 'MONTH');
    const analyst = await trend('analyst', 'victims_rescued', '2025-03:26005', '2024', '2024', 'MONTH');
    for (const [total, months] of [
      ['2024Q1', [0, 1, 2]],
      ['2024Q2', [3, 4, 5]],
      ['2024Q3', [6, 7, 8]],
      ['2024Q4', [9, 10, 11]],
      ['2024S1', [0, 1, 2, 3, 4, 5]],
      ['2024S2', [6, 7, 8, 9, 10, 11]],
    ] as const) {
      const t = await kpi('viewer', 'victims_rescued', '2025-03:26005', total);
      expectNoSingleWithheld(
        months.map((i) => viewer[i]),
        months.map((i) => analyst[i]),
        t.suppressed ? null : t.value,
        total,
      );
    }
  });

  // A victims ratio's parts are counts of victims: a viewer gets the percentage only, so no row's numerator or
  // denominator can be recovered by subtracting the others from the parent's (old Đồng Nai 53 / 55).
  it('a ratio breakdown does not let the parent’s numerator and denominator reveal a withheld row', async () => {
    const viewer = await breakdown('viewer', 'victim_support_rate', '2025-03:75', '2024');
    const analyst = await breakdown('analyst', 'victim_support_rate', '2025-03:75', '2024');
    expect(rowsByRef(viewer).get('2025-03:731')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    expect(rowsByRef(analyst).get('2025-03:731')).toMatchObject({ value: 100, numerator: 5, denominator: 5 });
    expect(await kpi('analyst', 'victim_support_rate', '2025-03:75', '2024')).toMatchObject({
      numerator: 53,
      denominator: 55,
    });
    // Old Đồng Nai's own rate is withheld too, here: its 53 victims supported are the complement that keeps old Hà
    // Nội's 8 from being VN's 61 − 53 (no other old province reported any).
    expect(await kpi('viewer', 'victims_supported', '2025-03:75', '2024')).toMatchObject({
      value: null,
      suppressed: true,
    });
    expect(await kpi('viewer', 'victims_supported', 'VN', '2024')).toMatchObject({ value: 61, suppressed: false });
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:75', '2024')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
      suppressed: true,
    });
    for (const row of viewer) expect(row).toMatchObject({ numerator: null, denominator: null });
  });
});
