/**
 * The cross-response suppression audit of test/api/suppression-combined.test.ts over more random years (a minute
 * each): for every seed, each figure has one status in every answer, and no withheld figure a unit reported can be
 * solved for from what a viewer sees, exactly or by its bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeWarehouse, cleanupTemp, freshWarehouse } from '../helpers.ts';
import { answers, mixedStatuses, serveVictimsYear, solvable } from '../api/suppression-audit.ts';

const SEEDS = [7, 99, 2024, 31337, 5, 6];

afterAll(cleanupTemp);

describe('cross-response suppression over random years', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}`, async () => {
      const w = await freshWarehouse();
      const audited = await serveVictimsYear(w, seed);
      try {
        const a = await answers(audited);
        expect(mixedStatuses(a).slice(0, 10)).toEqual([]);
        const s = solvable(audited, a);
        expect(s.reported.slice(0, 10), `${s.reported.length} withheld figures can be solved for`).toEqual([]);
        expect(s.ones.slice(0, 10)).toEqual([]);
        console.log(
          `seed ${seed}: ${a.truth.size} figures, ${a.withheld.size} withheld, ${s.relations} relations; derived sums solvable: ${s.derived.length}`,
        );
      } finally {
        await audited.server.close();
        await closeWarehouse(w);
      }
    }, 600_000);
  }
});
