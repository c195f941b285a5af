/**
 * The wrong figures a differential run against an independent reference found (test/api/figures-differential.test.ts),
 * each pinned on the smallest report that shows it, over real HTTP against a real DuckDB file.
 *
 * Units: old ward Xuân Tâm 26449 was split between communes Xuân Đông 26359 and Xuân Hòa 26446 (no apportionment
 * weights here); old ward Xuân Hòa 26443 went wholly into 26446.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';

let w: Warehouse;
let server: RunningServer;
let token: string;

async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await gql(server.url, query, { token, variables });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
}

const KPI = `query Kpi($indicator: String!, $unit: String!, $period: String!) {
  kpi(indicator: $indicator, unit: $unit, period: $period) { value numerator denominator previousValue change complete }
}`;
const kpi = async (indicator: string, unit: string, period: string) => (await ok(KPI, { indicator, unit, period })).kpi;

beforeAll(async () => {
  w = await freshWarehouse();
  const dir = tempDir('pcmbn-cases-');
  writeFile(
    dir,
    'split-ward.csv',
    csv(
      H,
      '2025-03:26449,2024Q3,cases_initiated,18,2024-10-19',
      '2025-03:26443,2024Q3,cases_initiated,4,2024-10-10',
      '2025-07:26359,2025Q3,cases_initiated,5,2025-10-10',
    ),
  );
  const r = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(r.files.map((f) => f.status)).toEqual(r.files.map(() => 'loaded'));
  token = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, 'VN') })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('no data is not 0', () => {
  it('a commune whose history comes only from a split ward without weights has no value, and says it is incomplete', async () => {
    expect(await kpi('cases_initiated', '2025-07:26359', '2024Q3')).toMatchObject({ value: null, complete: false });
    expect(await kpi('cases_initiated', '2025-07:26359', '2025Q3')).toMatchObject({
      value: 5,
      previousValue: null,
      change: null,
    });
    expect(await kpi('case_clearance_rate', '2025-07:26359', '2024Q3')).toMatchObject({
      value: null,
      numerator: null,
      denominator: null,
    });
  });

  it('a commune with a predecessor that went into it whole keeps that sum, still incomplete', async () => {
    expect(await kpi('cases_initiated', '2025-07:26446', '2024Q3')).toMatchObject({ value: 4, complete: false });
  });

  it('a breakdown ranks only the units that have a value', async () => {
    const rows = (
      await ok(
        `{ breakdown(indicator: "cases_initiated", unit: "2025-07:75", period: "2024Q3") { unit { ref } value rank } }`,
      )
    ).breakdown as { unit: { ref: string }; value: number | null; rank: number | null }[];
    expect(rows.filter((r) => r.rank !== null).map((r) => [r.unit.ref, r.value, r.rank])).toEqual([
      ['2025-07:26446', 4, 1],
    ]);
  });
});

describe('breakdown by a level the list does not have', () => {
  it('is refused, naming the levels that exist there', async () => {
    const r = await gql(
      server.url,
      `{ breakdown(indicator: "cases_initiated", unit: "2025-07:75", period: "2025Q3", level: DISTRICT) { value } }`,
      { token },
    );
    expect(r.body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      ['BAD_USER_INPUT', expect.stringMatching(/DISTRICT under 2025-07:75: expected WARD$/)],
    ]);
    const underNation = await gql(
      server.url,
      `{ breakdown(indicator: "cases_initiated", period: "2025Q3", level: DISTRICT) { value } }`,
      { token },
    );
    expect(underNation.body.errors?.[0].message).toMatch(
      /the 2025-07 list has no DISTRICT under VN: expected PROVINCE or WARD$/,
    );
    const old = await ok(
      `{ breakdown(indicator: "cases_initiated", unit: "2025-03:75", period: "2024Q3", level: DISTRICT) { unit { ref } } }`,
    );
    expect(old.breakdown).toHaveLength(11);
  });
});

describe('a refused field leaves the others their data', () => {
  it('one FORBIDDEN kpi beside one in scope: that field is null, the other answers', async () => {
    const province = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, '2025-07:75') })).token;
    const r = await gql(
      server.url,
      `{ a: kpi(indicator: "cases_initiated", unit: "2025-07:26359", period: "2025Q3") { value }
         b: kpi(indicator: "cases_initiated", unit: "VN", period: "2025Q3") { value } }`,
      { token: province },
    );
    expect(r.body.data).toEqual({ a: { value: 5 }, b: null });
    expect(r.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['b'], 'FORBIDDEN']]);
  });
});

describe('a total reported only as its parts', () => {
  it('is the sum of the finest breakdown sent; a sex total the sum of its sex × age cells; a sent total wins', async () => {
    const dir = tempDir('pcmbn-parts-');
    writeFile(
      dir,
      'parts.csv',
      csv(
        'unit_code,period,indicator,sex,age_group,value,submitted_on',
        // Old Bình Phước: victims by sex × age only, no total.
        '2025-03:70,2024,victims_identified,female,child,2,2024-12-10',
        '2025-03:70,2024,victims_identified,female,adult,5,2024-12-10',
        '2025-03:70,2024,victims_identified,male,adult,1,2024-12-10',
        // Old Đồng Nai: by sex only; and its total for returned victims beside parts that add up to less.
        '2025-03:75,2024,victims_identified,female,,4,2024-12-10',
        '2025-03:75,2024,victims_identified,male,,3,2024-12-10',
        '2025-03:75,2024,victims_returned,,,9,2024-12-10',
        '2025-03:75,2024,victims_returned,female,,4,2024-12-10',
        '2025-03:75,2024,victims_returned,male,,6,2024-12-10',
      ),
    );
    const r = await loadFiles(w, [dir], { today: '2025-11-20', holdReaders: server.holdReaders });
    expect(r.files.map((f) => f.status)).toEqual(['loaded']);
    // Both sexes sent, adding up to 10 beside a total of 9: kept, with a warning on the total's line.
    expect(r.files[0].issues.map((i) => [i.severity, i.line, i.message])).toEqual([
      [
        'warning',
        7,
        'victims_returned total 9 disagrees with its parts (by sex 10) for the same unit and period; the total is kept, but check it',
      ],
    ]);
    const victims = async (unit: string, indicator = 'victims_identified', sex?: string) =>
      (
        await ok(
          `query($u: String!, $i: String!, $s: String) { kpi(indicator: $i, unit: $u, period: "2024", sex: $s) { value } }`,
          {
            u: unit,
            i: indicator,
            s: sex,
          },
        )
      ).kpi.value;
    expect(await victims('2025-03:70')).toBe(8);
    expect(await victims('2025-03:70', 'victims_identified', 'female')).toBe(7);
    expect(await victims('2025-03:75')).toBe(7);
    expect(await victims('2025-03:75', 'victims_returned')).toBe(9);
    // Parents and today's province add the derived totals like any figure.
    expect(await victims('VN')).toBe(15);
    expect(await victims('2025-07:75')).toBe(15);
  });
});

describe('the year 2025', () => {
  it("an old-list unit's row for 2025 as a whole is rejected, located, saying what to report", async () => {
    const file = writeFile(
      tempDir(),
      'old-year.csv',
      csv(H, '2025-03:26443,2025S1,cases_initiated,3,2025-07-10', '2025-03:26449,2025,cases_initiated,7,2025-12-10'),
    );
    const r = await loadFiles(w, [file], { today: '2025-12-20', holdReaders: server.holdReaders });
    expect(r.files[0].status).toBe('rejected');
    expect(r.files[0].issues.map((i) => [i.line, i.col, i.column, i.message])).toEqual([
      [
        3,
        2,
        'period',
        'unit 2025-03:26449 cannot report 2025 as a whole: report 2025S1 or finer: this unit existed until 30/6/2025',
      ],
    ]);
  });
});

describe('the year 2025 means one thing at every level', () => {
  beforeAll(async () => {
    const file = writeFile(
      tempDir(),
      'year-2025.csv',
      csv(
        H,
        // New Đồng Nai reports the year whole (and its halves, which its own year report overrides).
        '2025-03:75,2025S1,hotline_calls,40,2025-07-10',
        '2025-07:75,2025S2,hotline_calls,50,2025-12-10',
        '2025-07:75,2025,hotline_calls,9000,2025-12-10',
        '2025-03:75,2024S1,hotline_calls,30,2024-07-10',
        '2025-03:75,2024,hotline_calls,70,2025-01-10',
        // Hà Nội by halves only: 3 before the reform, 7 after.
        '2025-03:01,2025S1,hotline_calls,3,2025-07-10',
        '2025-07:01,2025S2,hotline_calls,7,2025-12-10',
      ),
    );
    const r = await loadFiles(w, [file], { today: '2025-12-20', holdReaders: server.holdReaders });
    expect(r.files.map((f) => f.status)).toEqual(['loaded']);
  });

  it("a parent with no report of its own sums its children's 2025, whole or by halves", async () => {
    expect(await kpi('hotline_calls', '2025-07:75', '2025')).toMatchObject({ value: 9000 });
    expect(await kpi('hotline_calls', '2025-07:01', '2025')).toMatchObject({ value: 10 });
    expect(await kpi('hotline_calls', 'VN', '2025')).toMatchObject({ value: 9010 });
  });

  it("an old unit's 2025 is its first half, incomplete, compared with the first half of 2024", async () => {
    expect(await kpi('hotline_calls', '2025-03:75', '2025')).toMatchObject({
      value: 40,
      complete: false,
      previousValue: 30,
      change: 10,
    });
  });
});
