/**
 * A figure re-sent after a correction, with the same submission date: on equal dates the later load wins, so the
 * re-sent value is current again and counts as a revision (it is not "identical to a row already held" in effect).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { cleanupTemp, csv, currentFacts, freshWarehouse, tempDir, writeFile } from '../helpers.ts';

const H = 'unit_code,period,indicator,value,submitted_on';

afterAll(cleanupTemp);

describe('re-sending a superseded value', () => {
  it('with the same submission date makes it current again, counted as revised', async () => {
    const w = await freshWarehouse();
    const dir = tempDir();
    // Each file also carries a row of its own, so that no two files have the same content.
    const load = (name: string, value: number, other: string) =>
      loadFiles(
        w,
        [
          writeFile(
            dir,
            name,
            csv(H, `2025-03:75,2024,cases_initiated,${value},2024-12-10`, `2025-03:70,2024,${other},1,2024-12-10`),
          ),
        ],
        { today: '2025-01-10' },
      );
    await load('first.csv', 100, 'hotline_calls');
    expect((await load('correction.csv', 200, 'media_items')).revised).toBe(1);
    const again = await load('resent.csv', 100, 'leaflets_distributed');
    expect(again.revised).toBe(1);
    expect((await currentFacts(w)).filter((f) => f.ref === '2025-03:75').map((f) => f.value)).toEqual([100]);
    // Loading the same file again changes nothing: its content was loaded before.
    expect((await load('resent.csv', 100, 'leaflets_distributed')).unchanged).toBe(1);
    // An identical copy of the current row in another file adds nothing either.
    expect((await load('copy.csv', 100, 'trainings_held')).revised).toBe(0);
    expect((await currentFacts(w)).filter((f) => f.ref === '2025-03:75').map((f) => f.value)).toEqual([100]);
  });
});

describe('re-sending a superseded value in the same run', () => {
  it('the last of the files wins on equal dates, whichever value it repeats', async () => {
    const w = await freshWarehouse();
    const dir = tempDir();
    const files = [
      ['a-first.csv', 100, 'hotline_calls'],
      ['b-correction.csv', 200, 'media_items'],
      ['c-resent.csv', 100, 'leaflets_distributed'],
    ].map(([name, value, other]) =>
      writeFile(
        dir,
        String(name),
        csv(H, `2025-03:75,2024,cases_initiated,${value},2024-12-10`, `2025-03:70,2024,${other},1,2024-12-10`),
      ),
    );
    expect((await loadFiles(w, files, { today: '2025-01-10' })).loaded).toBe(3);
    expect((await currentFacts(w)).filter((f) => f.ref === '2025-03:75').map((f) => f.value)).toEqual([100]);
  });
});
