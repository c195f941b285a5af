/**
 * The roll-up's precedence rules, one by one, on small hand-made reports whose answers are worked out by hand.
 * Units: Biên Hòa (old district 731) and two of its wards, Trung Dũng 26041 and An Bình 26050 (both went wholly
 * into new commune 26041); old Đồng Nai 75 and Bình Phước 70 (both into new Đồng Nai 75); Xuân Tâm 26449, an old
 * ward split between communes 26359 and 26446.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';

const H = 'unit_code,period,indicator,value,submitted_on';

async function cell(
  w: Warehouse,
  ref: string,
  period: string,
  indicator: string,
): Promise<{ value: number | null; source: string; partial: boolean } | undefined> {
  const rows = await w.sql<{ value: number | null; source: string; partial: boolean }>(
    `
    SELECT r.value, r.source::VARCHAR AS source, r.partial FROM rollup r
    JOIN periods p USING (period_no) JOIN indicators i ON i.indicator_no = r.series // 16
    WHERE r.unit_id = $1 AND p.period_id = $2 AND i.code = $3 AND r.series % 16 = 0`,
    [await unitId(w, ref), period, indicator],
  );
  expect(rows.length).toBeLessThanOrEqual(1);
  return rows[0];
}

describe('roll-up precedence', () => {
  let w: Warehouse;

  beforeAll(async () => {
    w = await freshWarehouse();
    const dir = tempDir();
    writeFile(
      dir,
      'wards.csv',
      csv(
        H,
        // Wards report monthly for the whole year.
        ...['26041', '26050'].flatMap((ward, k) =>
          Array.from(
            { length: 12 },
            (_, m) => `2025-03:${ward},2024${String(m + 1).padStart(2, '0')},victims_returned,${k + 1},2024-12-01`,
          ),
        ),
        // A stock: Trung Dũng's models in Jan and Feb, nothing in March.
        '2025-03:26041,202401,community_models_active,3,2024-12-01',
        '2025-03:26041,202402,community_models_active,5,2024-12-01',
        // The split ward reports too.
        '2025-03:26449,2024,victims_returned,7,2024-12-20',
      ),
    );
    writeFile(
      dir,
      'district.csv',
      csv(
        H,
        // Biên Hòa's own Q1 and Q2 (which disagree with its wards' months), nothing for the second half.
        '2025-03:731,2024Q1,victims_returned,10,2024-12-01',
        '2025-03:731,2024Q2,victims_returned,20,2024-12-01',
      ),
    );
    writeFile(
      dir,
      'provinces.csv',
      csv(
        H,
        '2025-03:70,2024,victims_returned,100,2024-12-20',
        '2025-03:75,2025S1,victims_returned,40,2025-06-20',
        '2025-07:75,2025S2,victims_returned,60,2025-11-10',
      ),
    );
    const r = await loadFiles(w, [dir], { today: '2025-11-20' });
    expect(r.rejected).toBe(0);
  });
  afterAll(cleanupTemp);

  it('a ward with monthly reports sums its months into quarters and the year', async () => {
    expect(await cell(w, '2025-03:26041', '202403', 'victims_returned')).toEqual({
      value: 1,
      source: 'own',
      partial: false,
    });
    expect(await cell(w, '2025-03:26041', '2024Q1', 'victims_returned')).toEqual({
      value: 3,
      source: 'periods',
      partial: false,
    });
    expect(await cell(w, '2025-03:26050', '2024', 'victims_returned')).toMatchObject({ value: 24 });
  });

  it('a stock takes the latest value in the period, not the sum', async () => {
    expect(await cell(w, '2025-03:26041', '2024Q1', 'community_models_active')).toMatchObject({ value: 5 });
  });

  it("the unit's own report for exactly the period wins over its children", async () => {
    // Wards sum to 9 for Q1; Biên Hòa said 10.
    expect(await cell(w, '2025-03:731', '2024Q1', 'victims_returned')).toEqual({
      value: 10,
      source: 'own',
      partial: false,
    });
  });

  it('a period the unit reported within is made of its finer periods, each by the same rule', async () => {
    // S1 = own Q1 + own Q2; S2: Biên Hòa reported nothing within it, so its wards' S2 (6 × 1 + 6 × 2 = 18).
    expect(await cell(w, '2025-03:731', '2024S1', 'victims_returned')).toMatchObject({ value: 30, source: 'periods' });
    expect(await cell(w, '2025-03:731', '2024S2', 'victims_returned')).toMatchObject({ value: 18, source: 'children' });
    expect(await cell(w, '2025-03:731', '2024', 'victims_returned')).toMatchObject({ value: 48, source: 'periods' });
  });

  it('a month the district did not report comes from its wards; a parent is never added to its children', async () => {
    expect(await cell(w, '2025-03:731', '202401', 'victims_returned')).toMatchObject({ value: 3, source: 'children' });
  });

  it('a unit with no report at all is the sum of its children', async () => {
    // Old Đồng Nai: Biên Hòa (48) + the district of Xuân Tâm (7) for 2024.
    expect(await cell(w, '2025-03:75', '2024', 'victims_returned')).toMatchObject({ value: 55, source: 'children' });
    expect(await cell(w, 'VN', '2024', 'victims_returned')).toMatchObject({ value: 155, source: 'children' });
  });

  it("history re-aggregates onto today's units: new Đồng Nai = old Đồng Nai + old Bình Phước", async () => {
    expect(await cell(w, '2025-07:75', '2024', 'victims_returned')).toEqual({
      value: 155,
      source: 'lineage',
      partial: false,
    });
    // Old units stay as they were.
    expect(await cell(w, '2025-03:70', '2024', 'victims_returned')).toMatchObject({ value: 100, source: 'own' });
  });

  it('a commune formed whole from old wards carries their history', async () => {
    expect(await cell(w, '2025-07:26041', '2024', 'victims_returned')).toEqual({
      value: 36,
      source: 'lineage',
      partial: false,
    });
  });

  it('a split ward without weights counts in the province but in no commune: no value (not 0), flagged partial', async () => {
    expect(await cell(w, '2025-07:26359', '2024', 'victims_returned')).toEqual({
      value: null,
      source: 'lineage',
      partial: true,
    });
    expect(await cell(w, '2025-07:26446', '2024', 'victims_returned')).toEqual({
      value: null,
      source: 'lineage',
      partial: true,
    });
  });

  it("the 2025 year straddles the reform: its halves from each list, for VN and for today's province", async () => {
    expect(await cell(w, '2025-07:75', '2025', 'victims_returned')).toMatchObject({ value: 100, source: 'periods' });
    expect(await cell(w, 'VN', '2025', 'victims_returned')).toMatchObject({ value: 100, source: 'periods' });
    // The old province exists only for the first half.
    expect(await cell(w, '2025-03:75', '2025', 'victims_returned')).toMatchObject({ value: 40 });
  });

  it('a later load rebuilds only what it touched, and gives the same roll-up as loading everything at once', async () => {
    const dir = tempDir();
    writeFile(dir, 'revision.csv', csv(H, '2025-03:731,2024Q1,victims_returned,12,2024-12-15'));
    await loadFiles(w, [dir], { today: '2025-11-20' });
    expect(await cell(w, '2025-03:731', '2024', 'victims_returned')).toMatchObject({ value: 50 });
    expect(await cell(w, '2025-07:75', '2024', 'victims_returned')).toMatchObject({ value: 157 });
    const incremental = await w.sql(
      'SELECT fact_key, value, source::VARCHAR AS s, partial FROM rollup ORDER BY fact_key',
    );

    const { refreshRollup } = await import('../../etl/marts/rollup.ts');
    const conn = await w.connect();
    await refreshRollup(conn, 'all');
    conn.closeSync();
    expect(await w.sql('SELECT fact_key, value, source::VARCHAR AS s, partial FROM rollup ORDER BY fact_key')).toEqual(
      incremental,
    );
  });

  it('a whole rebuild streamed province by province gives the same roll-up as all at once', async () => {
    const before = await w.sql('SELECT fact_key, value, source::VARCHAR AS s, partial FROM rollup ORDER BY fact_key');
    expect(before.length).toBeGreaterThan(0);
    const { refreshRollup } = await import('../../etl/marts/rollup.ts');
    const conn = await w.connect();
    await conn.run('DELETE FROM rollup');
    // One fact per bin: every independent part (a new province with the old ones that went into it) apart, VN last.
    await refreshRollup(conn, 'all', async () => {}, { factsPerBin: 1 });
    conn.closeSync();
    expect(await w.sql('SELECT fact_key, value, source::VARCHAR AS s, partial FROM rollup ORDER BY fact_key')).toEqual(
      before,
    );
  });
});
