/**
 * Small-cell suppression over real HTTP: a `viewer` key gets victims_* counts only as yearly totals of VN and the
 * provinces; of those, 0 to k − 1 = 10 come as null with `suppressed: true`, with complements so that each withheld
 * one can be anything from 0 to 10 or more; ratios built on a withheld count likewise. An `analyst` key of the same
 * scope sees everything. Expected numbers are worked out by hand in the comments.
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
  breakdown(indicator: $indicator, unit: $unit, period: $period, level: $level, asOf: $asOf) { unit { ref } value
    numerator denominator rank status suppressed }
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
  const dir = tempDir('pcmbn-suppression-');
  writeFile(
    dir,
    'provinces.csv',
    csv(
      H,
      // Legal aid: old Đồng Nai 25 (Trung Dũng: January 20, February 5) and old Bình Phước 4 (new Đồng Nai 29), Hà
      // Nội 30, Huế 12, every other province 0: VN 71.
      '2025-03:26041,202401,victims_legal_aid,20,2024-02-05',
      '2025-03:26041,202402,victims_legal_aid,5,2024-03-05',
      '2025-03:70,2024,victims_legal_aid,4,2025-01-05',
      '2025-03:01,2024,victims_legal_aid,30,2025-01-05',
      '2025-03:46,2024,victims_legal_aid,12,2025-01-05',
      // Identified: Hà Nội 11, Quảng Ninh 11, Huế 10 (VN 32); Huế 4 the year before.
      '2025-03:01,2024,victims_identified,11,2025-01-05',
      '2025-03:22,2024,victims_identified,11,2025-01-05',
      '2025-03:46,2024,victims_identified,10,2025-01-05',
      '2025-03:46,2023,victims_identified,4,2024-01-05',
      // Returned and supported: Quảng Ninh 50 / 45, Huế 40 / 36 (VN 81 / 90 = 90 %).
      '2025-03:22,2024,victims_returned,50,2025-01-05',
      '2025-03:22,2024,victims_supported,45,2025-01-05',
      '2025-03:46,2024,victims_returned,40,2025-01-05',
      '2025-03:46,2024,victims_supported,36,2025-01-05',
      // Not a victims_* count: a small value is shown, at any level.
      '2025-03:26041,2024,hotline_calls,3,2025-01-05',
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

const withheld = { value: null, suppressed: true };

describe('what a viewer gets at all', () => {
  it('k is 11 by default', () => {
    expect(SUPPRESSION_K).toBe(11);
  });

  it('victims counts below the province, below the year or by sex and age are withheld whatever their value', async () => {
    // Trung Dũng's 25 and Biên Hòa's 25: a ward and a district.
    expect(await kpi('viewer', 'victims_legal_aid', '2025-03:26041', '2024')).toMatchObject(withheld);
    expect(await kpi('viewer', 'victims_legal_aid', '2025-03:731', '2024')).toMatchObject(withheld);
    expect(await kpi('analyst', 'victims_legal_aid', '2025-03:731', '2024')).toMatchObject({ value: 25 });
    // Hà Nội's 30 for 2024 is a yearly provincial figure (withheld below as a complement); its halves are not.
    for (const period of ['2024S1', '2024Q1', '202401'])
      expect(await kpi('viewer', 'victims_legal_aid', 'VN', period), period).toMatchObject(withheld);
    expect(await kpi('analyst', 'victims_legal_aid', 'VN', '2024Q1')).toMatchObject({ value: 25 });
    const female = (
      await ok(
        'viewer',
        `{ kpi(indicator: "victims_legal_aid", unit: "VN", period: "2024", sex: "female") { value suppressed } }`,
      )
    ).kpi;
    expect(female).toEqual(withheld);
    const months = await trend('viewer', 'victims_legal_aid', '2025-03:75', '2024', '2024', 'MONTH');
    expect(months.every((p) => p.suppressed && p.value === null)).toBe(true);
    expect((await trend('analyst', 'victims_legal_aid', '2025-03:75', '2024', '2024', 'MONTH'))[0].value).toBe(20);
    const wards = await breakdown('viewer', 'victims_legal_aid', '2025-03:731', '2024');
    expect(wards.length).toBeGreaterThan(20);
    expect(wards.every((r) => r.suppressed && r.value === null && r.rank === null)).toBe(true);
  });

  it('counts that are not victims_* are shown whatever their size and level', async () => {
    expect(await kpi('viewer', 'hotline_calls', '2025-03:26041', '2024')).toMatchObject({
      value: 3,
      suppressed: false,
      status: 'NO_TARGET',
    });
  });
});

describe('primary and complementary suppression of the yearly provincial figures', () => {
  it('k = 11: 10 withheld, 11 shown; the previous year’s 4 withheld too', async () => {
    // VN 32 = Hà Nội 11 + Quảng Ninh 11 + Huế 10: Huế is withheld, and so is the first province in code order that
    // is shown, Hà Nội, so that Huế can be anything from 0 to 21.
    const rows = rowsByRef(await breakdown('viewer', 'victims_identified', 'VN', '2024'));
    expect(rows.get('2025-07:46')).toMatchObject(withheld);
    expect(rows.get('2025-07:01')).toMatchObject(withheld);
    expect(rows.get('2025-07:22')).toMatchObject({ value: 11, suppressed: false, rank: 1 });
    expect(await kpi('viewer', 'victims_identified', 'VN', '2024')).toMatchObject({ value: 32, suppressed: false });
    expect(await kpi('viewer', 'victims_identified', '2025-03:46', '2025')).toMatchObject({ previousValue: null });
    expect(await kpi('analyst', 'victims_identified', '2025-03:46', '2024')).toMatchObject({
      value: 10,
      previousValue: 4,
      change: 6,
    });
  });

  it('zeros are withheld, and a withheld figure always has a withheld sibling of 11 or more beside a shown total', async () => {
    // New Đồng Nai 29 = old Đồng Nai 25 + old Bình Phước 4: Bình Phước withheld, Đồng Nai as its complement. Under VN
    // (71), every province of 0 is withheld, and Hà Nội (30), first in code order, as their complement.
    const today = rowsByRef(await breakdown('viewer', 'victims_legal_aid', 'VN', '2024'));
    const old = rowsByRef(await breakdown('viewer', 'victims_legal_aid', 'VN', '2024', { asOf: '2024-12-31' }));
    expect(today.size).toBe(34);
    expect(old.size).toBe(63);
    expect(today.get('2025-07:75')).toMatchObject({ value: 29, suppressed: false, rank: 1 });
    expect(today.get('2025-07:46')).toMatchObject({ value: 12, suppressed: false, rank: 2 });
    expect(old.get('2025-03:46')).toMatchObject({ value: 12, suppressed: false });
    for (const ref of ['2025-03:75', '2025-03:70', '2025-03:01', '2025-07:01'])
      expect(old.get(ref) ?? today.get(ref), ref).toMatchObject(withheld);
    const shown = [...today, ...old].filter(([, r]) => !r.suppressed).map(([ref]) => ref);
    expect(shown.sort()).toEqual(['2025-03:46', '2025-07:46', '2025-07:75']);
    expect(await kpi('viewer', 'victims_legal_aid', 'VN', '2024')).toMatchObject({ value: 71, suppressed: false });
    const analyst = rowsByRef(await breakdown('analyst', 'victims_legal_aid', 'VN', '2024', { asOf: '2024-12-31' }));
    expect(analyst.get('2025-03:70')).toMatchObject({ value: 4, suppressed: false });
  });

  it('victim_support_rate: a percentage only, withheld where a count it rests on is', async () => {
    // Returned: VN 90 = Quảng Ninh 50 + Huế 40, the rest 0; the zeros' complement is Quảng Ninh (first in code
    // order), so Huế's 40 is shown; supported likewise (Huế 36). Huế's 90 % is shown, Quảng Ninh's withheld.
    expect(await kpi('viewer', 'victim_support_rate', '2025-03:46', '2024')).toMatchObject({
      value: 90,
      numerator: null,
      denominator: null,
      suppressed: false,
    });
    const qn = await kpi('viewer', 'victim_support_rate', '2025-03:22', '2024');
    expect(qn).toMatchObject({ value: null, numerator: null, denominator: null, suppressed: true });
    expect(['MET', 'NOT_MET']).not.toContain(qn.status);
    expect(await kpi('viewer', 'victim_support_rate', 'VN', '2024')).toMatchObject({ value: 90, suppressed: false });
    expect(await kpi('analyst', 'victim_support_rate', '2025-03:22', '2024')).toMatchObject({
      value: 90,
      numerator: 45,
      denominator: 50,
    });
    const rows = await breakdown('viewer', 'victim_support_rate', 'VN', '2024');
    for (const row of rows) expect(row).toMatchObject({ numerator: null, denominator: null });
  });
});
