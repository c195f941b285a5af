/**
 * The cross-response suppression audit of test/api/suppression-combined.test.ts over more random years: for every
 * seed, each figure has one status in every answer, and no withheld figure from 1 to 10 can be narrowed below 1 to
 * 10 from what a viewer sees (integer programming).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { closeWarehouse, cleanupTemp, freshWarehouse } from '../helpers.ts';
import { answers, mixedStatuses, protection, serveVictimsYear } from '../api/suppression-audit.ts';

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
        const p = protection(audited, a);
        expect(p.narrower.slice(0, 10), `${p.narrower.length} withheld figures narrowed`).toEqual([]);
        console.log(
          `seed ${seed}: ${a.truth.size} figures, ${a.withheld.size} withheld, ${p.relations} relations, ` +
            `${p.ranges.length} from 1 to 10: none narrowed`,
        );
      } finally {
        await audited.server.close();
        await closeWarehouse(w);
      }
    }, 600_000);
  }
});
