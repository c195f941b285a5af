/**
 * Small-cell suppression across responses: everything a viewer can ask about one year, combined, must not give back
 * a withheld figure. The guarantee tested (README, "Access"):
 *
 * 1. One status per figure: a figure (unit, period, sex × age group) is withheld or shown alike in every answer
 *    that carries it: kpi, a breakdown row, a trend point at any granularity, the previousValue of the year after.
 * 2. No withheld figure a unit reported can be solved for: take every relation that holds between the figures (a
 *    parent is the sum of its children, a year of its halves, quarters or months, a half of its quarters or months,
 *    a quarter of its months, a total of its female and male or child and adult parts, a new unit before the
 *    reform of the old units it was made of), put in the figures the viewer sees, and no withheld old-list figure is
 *    determined: by exact linear algebra over the whole system, nor by the bound every withheld figure has (at
 *    least 1, since 0 is shown).
 * 3. A victims ratio is shown only when both its counts could be shown; discrepancies never carry victims figures.
 *
 * The figures (test/api/suppression-audit.ts): old Đồng Nai, its 11 districts, Biên Hòa's wards, old Bình Phước,
 * new Đồng Nai and the new communes made only of Biên Hòa's wards; every period of 2024; all nine sex × age cells.
 * test/soak/suppression-seeds.test.ts runs the same over more random years.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemp, freshWarehouse } from '../helpers.ts';
import {
  type Answers,
  answers,
  type Audited,
  cellId,
  INDICATOR,
  many,
  mixedStatuses,
  ok,
  PERIODS,
  serveVictimsYear,
  solvable,
  UNITS,
  YEAR,
} from './suppression-audit.ts';

let audited: Audited;

beforeAll(async () => {
  audited = await serveVictimsYear(await freshWarehouse(), 20240101);
}, 60_000);
afterAll(async () => {
  await audited?.server.close();
  await cleanupTemp();
});

describe('everything a viewer can ask about one year, combined', () => {
  let a: Answers;

  beforeAll(async () => {
    a = await answers(audited);
  }, 300_000);

  it('the analyst sees every figure the viewer was asked about', () => {
    expect([...a.viewer.keys()].filter((id) => !a.analyst.has(id))).toEqual([]);
    for (const [id, seen] of a.analyst) {
      expect(
        seen.filter((s) => s.withheld === true).map((s) => s.where),
        id,
      ).toEqual([]);
      expect(new Set(seen.map((s) => s.value)).size, `${id}: ${JSON.stringify(seen)}`).toBe(1);
    }
  });

  it('each figure has one status for the viewer: withheld in every answer, or shown with its true value in every answer', () => {
    const mixed = mixedStatuses(a);
    expect(mixed.slice(0, 10), `${mixed.length} figures withheld by some answers and shown by others`).toEqual([]);
  });

  it('the suppression is real: small figures withheld, zeros shown, complements withheld, large totals shown', () => {
    const small = [...a.truth].filter(([, v]) => v >= 1 && v <= 10).map(([id]) => id);
    expect(small.length).toBeGreaterThan(100);
    expect(small.filter((id) => !a.withheld.has(id))).toEqual([]);
    expect([...a.withheld].filter((id) => a.truth.get(id) === 0)).toEqual([]);
    // Biên Hòa's year is shown. Old Đồng Nai's is not: with VN's shown, it is the one figure that keeps old Bình
    // Phước's withheld 7 from being VN − old Đồng Nai (the other old provinces reported nothing).
    expect(a.withheld.has(cellId(UNITS.district, String(YEAR), 'total/total'))).toBe(false);
    expect(a.withheld.has(cellId(UNITS.other, String(YEAR), 'total/total'))).toBe(true);
    expect(a.withheld.has(cellId(UNITS.province, String(YEAR), 'total/total'))).toBe(true);
    const large = [...a.truth].filter(([, v]) => v > 10).map(([id]) => id);
    const complements = large.filter((id) => a.withheld.has(id));
    expect(complements.length, 'complementary suppression happened').toBeGreaterThan(0);
    expect(complements.length, 'not everything is withheld').toBeLessThan(large.length);
    console.log(
      `figures: ${a.truth.size}; small (1–10): ${small.length}; 11 and more: ${large.length}, of which withheld as complements: ${complements.length}`,
    );
  });

  it('no withheld figure is determined by the relations that hold, by linear algebra or by its bound (at least 1)', () => {
    const s = solvable(audited, a);
    expect(s.relations).toBeGreaterThan(1000);
    expect(s.reported.slice(0, 10), `${s.reported.length} withheld figures can be solved for`).toEqual([]);
    expect(s.ones.slice(0, 10), `${s.ones.length} relations give their withheld parts away (all 1)`).toEqual([]);
    // New units' figures for 2024 are sums of old units': withheld when one they add up is, such a sum may be solved
    // for as a sum the old figures' relations already give, which tells nothing new.
    if (s.derived.length) console.log(`derived figures solvable as sums of old ones: ${s.derived.join(', ')}`);
  });
});

describe('ratios and discrepancies', () => {
  it('a victim support rate is shown only when the viewer could see both its counts', async () => {
    const refs = [UNITS.district, ...audited.wards];
    const fields = refs
      .flatMap((ref) => PERIODS.slice(0, 7).map((p) => [ref, p]))
      .flatMap(([ref, p]) =>
        ['victim_support_rate', 'victims_supported', 'victims_returned'].map(
          (i) =>
            `kpi(indicator: "${i}", unit: "${ref}", period: "${p}") { indicator { code } unit { ref } period value suppressed }`,
        ),
      );
    const viewer = Object.values(
      await many(
        audited,
        'viewer',
        fields.map((f, i) => `r${i}: ${f}`),
        40,
      ),
    );
    const get = (i: string, ref: string, p: string) =>
      viewer.find((x: any) => x.indicator.code === i && x.unit.ref === ref && x.period === p);
    let shownRates = 0;
    let withheldRates = 0;
    for (const rate of viewer.filter((x: any) => x.indicator.code === 'victim_support_rate' && x.value !== null)) {
      shownRates++;
      for (const part of ['victims_supported', 'victims_returned']) {
        expect(
          get(part, rate.unit.ref, rate.period).suppressed,
          `${rate.unit.ref} ${rate.period}: rate ${rate.value} shown, ${part} withheld`,
        ).toBe(false);
      }
    }
    for (const rate of viewer.filter((x: any) => x.indicator.code === 'victim_support_rate' && x.suppressed)) {
      withheldRates++;
      expect(
        ['victims_supported', 'victims_returned'].some((part) => get(part, rate.unit.ref, rate.period).suppressed),
        `${rate.unit.ref} ${rate.period}`,
      ).toBe(true);
    }
    expect(shownRates).toBeGreaterThan(0);
    expect(withheldRates).toBeGreaterThan(0);
  });

  it('discrepancies never carry victims figures for a viewer; an analyst gets them', async () => {
    const query =
      '{ discrepancies(unit: "2025-03:75", period: "2023") { unit { ref } indicator reported childrenSum } }';
    expect((await ok(audited, 'analyst', query)).discrepancies).toContainEqual({
      unit: { ref: '2025-03:739' },
      indicator: INDICATOR,
      reported: 5,
      childrenSum: 12,
    });
    expect(
      (await ok(audited, 'viewer', query)).discrepancies.filter((d: { indicator: string }) =>
        d.indicator.startsWith('victims_'),
      ),
    ).toEqual([]);
  });
});
