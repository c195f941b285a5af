/** The start summary's period range: by end date, not by period id (`2026Q3` sorts after `202611` as text). */
import { afterAll, expect, it } from 'vitest';
import { describeWarehouse } from '../../api/cli/start.ts';
import { loadFiles } from '../../etl/load.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, writeFile } from '../helpers.ts';

afterAll(cleanupTemp);

it('ranges from the period that ends first to the one that ends last', async () => {
  const w = await freshWarehouse();
  const file = writeFile(
    tempDir(),
    'province.csv',
    csv(
      'unit_code,period,indicator,value,submitted_on',
      '2025-07:75,2026Q3,hotline_calls,3,2026-10-05',
      '2025-07:75,202611,hotline_calls,1,2026-12-05',
      '2025-07:75,2025S2,hotline_calls,9,2026-01-05',
    ),
  );
  expect((await loadFiles(w, [file], { today: '2026-12-06' })).loaded).toBe(1);
  expect(await describeWarehouse(w)).toMatch(/2025-07 +province .* 2025S2…202611$/m);
});
