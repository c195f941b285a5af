/**
 * Apportionment weights for split wards: Xuân Tâm (old 26449) went partly into communes 26359 and 26446.
 * Without weights its history counts in the province and in no commune; with them, each commune gets its share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileRejected } from '../../etl/issues.ts';
import { loadFiles } from '../../etl/load.ts';
import { loadWeights } from '../../etl/weights.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, snapshot, tempDir, unitId, writeFile } from '../helpers.ts';

async function value(
  w: Warehouse,
  ref: string,
  period: string,
): Promise<{ value: number | null; partial: boolean } | undefined> {
  const [row] = await w.sql<{ value: number | null; partial: boolean }>(
    `
    SELECT r.value, r.partial FROM rollup r JOIN periods p USING (period_no)
    WHERE r.unit_id = $1 AND p.period_id = $2 AND r.series = (SELECT indicator_no * 16 FROM indicators WHERE code = 'victims_returned')`,
    [await unitId(w, ref), period],
  );
  return row;
}

describe('apportionment weights', () => {
  let w: Warehouse;
  let dir: string;

  beforeAll(async () => {
    w = await freshWarehouse();
    dir = tempDir();
    writeFile(
      dir,
      'reports/xuan-tam.csv',
      csv('unit_code,period,indicator,value,submitted_on', '2025-03:26449,2024,victims_returned,10,2024-12-20'),
    );
    await loadFiles(w, [`${dir}/reports`], { today: '2025-01-10' });
  });
  afterAll(cleanupTemp);

  it('without weights, a split ward counts in the province but in no commune: no value there (not 0), partial', async () => {
    expect(await value(w, '2025-07:26359', '2024')).toEqual({ value: null, partial: true });
    expect(await value(w, '2025-07:75', '2024')).toEqual({ value: 10, partial: false });
  });

  it('a file with any error changes nothing, and says where and what was expected', async () => {
    const before = await snapshot(w);
    const bad = writeFile(
      dir,
      'bad.csv',
      csv('old_ward,new_commune,share', '26449,26359,0.5', '26449,26446,0.4', '26041,26041,1', '26449,99999,x'),
    );
    const error = await loadWeights(w, bad, 'bad.csv').catch((e) => e);
    expect(error).toBeInstanceOf(FileRejected);
    const messages = (error as FileRejected).issues.map((i) => `${i.line}:${i.col} ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^4:1 2025-03:26041 went whole into 2025-07:26041/),
        expect.stringMatching(/^5:3 "x" is not a share/),
        expect.stringMatching(/^2:3 the shares of this old ward add up to 0\.900; expected 1/),
      ]),
    );
    expect(await snapshot(w)).toEqual(before);
    expect(await value(w, '2025-07:26359', '2024')).toEqual({ value: null, partial: true });
  });

  it('with weights, each commune gets its share and is complete; the province is unchanged', async () => {
    const good = writeFile(
      dir,
      'weights.csv',
      csv('old_ward,new_commune,share', '2025-03:26449,2025-07:26359,0.3', '26449,26446,0.7'),
    );
    expect(await loadWeights(w, good)).toEqual({ wards: 1, pairs: 2 });
    expect(await value(w, '2025-07:26359', '2024')).toEqual({ value: 3, partial: false });
    expect(await value(w, '2025-07:26446', '2024')).toEqual({ value: 7, partial: false });
    expect(await value(w, '2025-07:75', '2024')).toEqual({ value: 10, partial: false });
  });
});
