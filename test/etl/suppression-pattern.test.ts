/**
 * The suppression pattern as a pure function (etl/marts/suppressionPattern.ts): which units of a year's published
 * table a viewer gets, from the figures alone. Units are plain ids here: 0 is VN, 1–3 today's provinces, 11–13 the
 * old provinces 1 was made of. k is 11.
 */
import { describe, expect, it } from 'vitest';
import { type PublishedTable, shownUnits, SUPPRESSION_K } from '../../etl/marts/suppressionPattern.ts';

const after: PublishedTable = { root: 0, provinces: [1, 2, 3], parts: new Map() };
const before: PublishedTable = { root: 0, provinces: [1, 2, 3], parts: new Map([[1, [11, 12, 13]]]) };
const figures = (values: Record<number, number>) => (u: number) => values[u] ?? 0;

describe('the suppression pattern', () => {
  it('k is 11', () => expect(SUPPRESSION_K).toBe(11));

  it('shows every figure of k or more when none is small', () => {
    expect(shownUnits(after, figures({ 0: 90, 1: 30, 2: 30, 3: 30 }))).toEqual(new Set([0, 1, 2, 3]));
  });

  it('withholds a small province and the next province in code order as its complement, VN staying shown', () => {
    // 3 alone withheld would be VN − 1 − 2 = 5; with 1 withheld too, 3 can be anything from 0 to 35.
    expect(shownUnits(after, figures({ 0: 65, 1: 30, 2: 30, 3: 5 }))).toEqual(new Set([0, 2]));
  });

  it('chooses complements by code order, not by value: the same smallness gives the same pattern', () => {
    const a = shownUnits(after, figures({ 0: 65, 1: 30, 2: 30, 3: 5 }));
    const b = shownUnits(after, figures({ 0: 1005, 1: 12, 2: 988, 3: 5 }));
    expect(b).toEqual(a);
  });

  it('withholds a zero like any small figure', () => {
    expect(shownUnits(after, figures({ 0: 60, 1: 30, 2: 30, 3: 0 })).has(3)).toBe(false);
  });

  it('hangs the provinces from an unknown root when VN disagrees with their sum: a lone small one needs no complement', () => {
    expect(shownUnits(after, figures({ 0: 100, 1: 30, 2: 30, 3: 5 }))).toEqual(new Set([0, 1, 2]));
  });

  it('before the reform, protects a small old province inside its new one with a sibling complement', () => {
    const shown = shownUnits(before, figures({ 0: 90, 1: 30, 2: 30, 3: 30, 11: 5, 12: 12, 13: 13 }));
    expect(shown.has(11)).toBe(false);
    expect([12, 13].filter((u) => !shown.has(u))).toHaveLength(1);
    expect(shown.has(1)).toBe(true);
  });

  it("leaves the old provinces out, all withheld, when they disagree with today's province", () => {
    const shown = shownUnits(before, figures({ 0: 90, 1: 30, 2: 30, 3: 30, 11: 15, 12: 12, 13: 13 }));
    expect([11, 12, 13].some((u) => shown.has(u))).toBe(false);
    expect(shown).toEqual(new Set([0, 1, 2, 3]));
  });

  it('shows a province the reform left whole under both its codes, or neither', () => {
    const whole: PublishedTable = {
      root: 0,
      provinces: [1, 2],
      parts: new Map([
        [1, [11]],
        [2, [12]],
      ]),
    };
    expect(shownUnits(whole, figures({ 0: 60, 1: 30, 2: 30, 11: 30, 12: 30 }))).toEqual(new Set([0, 1, 2, 11, 12]));
    const small = shownUnits(whole, figures({ 0: 35, 1: 30, 2: 5, 11: 30, 12: 5 }));
    expect(small.has(2) || small.has(12)).toBe(false);
    expect(small.has(1) || small.has(11)).toBe(false);
  });
});
