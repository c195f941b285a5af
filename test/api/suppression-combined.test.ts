/**
 * Small-cell suppression across responses and loads: everything a viewer can ask about one year, combined, must not
 * narrow a withheld victims count down from the whole protected range. The guarantee tested (README, "Access"):
 *
 * 1. One status per figure: a figure (unit, period, sex × age group) is withheld or shown alike in every answer
 *    that carries it: kpi, a breakdown row, a trend point at any granularity, the previousValue of the year after.
 * 2. No withheld figure from 1 to 10 can be narrowed to less than 1 to 10: take every relation that holds between
 *    the figures (a parent is the sum of its children, in both lists; a new unit before the reform the sum of the
 *    old units it was made of; a year of its halves, quarters or months …; a total of its female and male or child
 *    and adult parts), put in the figures the viewer sees, and solve for each withheld one as a whole number (at
 *    least 1 if zeros were shown): it can still be 1 or less and 10 or more. Integer programming (HiGHS).
 * 3. The same over two loads together, the second revising some figures (none across 10).
 * 4. A victims ratio is shown only when both its counts could be shown; discrepancies never carry victims figures.
 *
 * The figures (test/api/suppression-audit.ts): VN, every old and new province, old Đồng Nai's 11 districts, Biên
 * Hòa's 25 wards, new Đồng Nai and the new communes made only of Biên Hòa's wards; every period of 2024; all nine
 * sex × age cells. test/soak/suppression-seeds.test.ts runs the same over more random years.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTemp, freshWarehouse } from '../helpers.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import {
  type Answers,
  answers,
  type Audited,
  INDICATOR,
  many,
  mixedStatuses,
  ok,
  audit2025,
  PERIODS,
  protection,
  revise,
  settle,
  serveVictimsYear,
  UNITS,
} from './suppression-audit.ts';

let w: Warehouse;
let audited: Audited;

beforeAll(async () => {
  w = await freshWarehouse();
  audited = await serveVictimsYear(w, 20240101);
}, 60_000);
afterAll(async () => {
  await audited?.server.close();
  await cleanupTemp();
});

describe('everything a viewer can ask about one year, combined, over two loads', () => {
  let first: Answers;
  let second: Answers;
  let revised: string[];

  beforeAll(async () => {
    first = await answers(audited);
    revised = await revise(w, audited, 4);
    second = await answers(audited);
  }, 600_000);

  it('the analyst sees every figure the viewer was asked about, and the revision changed some', () => {
    for (const a of [first, second]) {
      expect(
        [...a.viewer.keys()].filter((id) => audited.refs.includes(id.split('|')[0]) && !a.analyst.has(id)),
      ).toEqual([]);
      for (const [id, seen] of a.analyst) {
        expect(
          seen.filter((s) => s.withheld === true).map((s) => s.where),
          id,
        ).toEqual([]);
        expect(new Set(seen.map((s) => s.value)).size, `${id}: ${JSON.stringify(seen)}`).toBe(1);
      }
    }
    expect(revised).toHaveLength(4);
    expect([...second.truth].filter(([id, v]) => first.truth.get(id) !== v).length).toBeGreaterThan(4);
  });

  it(
    'each figure has one status for the viewer: withheld in every answer, or shown with its true value in every ' +
      'answer',
    () => {
      for (const a of [first, second]) {
        const mixed = mixedStatuses(a);
        expect(mixed.slice(0, 10), `${mixed.length} figures withheld by some answers and shown by others`).toEqual([]);
      }
    },
  );

  it('what is shown: yearly totals of VN and the provinces of 11 or more, and not all of them', () => {
    const small = [...first.truth].filter(([, v]) => v >= 1 && v <= 10).map(([id]) => id);
    expect(small.length).toBeGreaterThan(100);
    expect(small.filter((id) => !first.withheld.has(id))).toEqual([]);
    const shown = [...first.viewer].filter(([, seen]) => seen.some((s) => s.withheld === false)).map(([id]) => id);
    expect(
      shown.every((id) => /^(VN|2025-0[37]:\d\d)\|2024\|total\/total$/.test(id)),
      shown.join(' '),
    ).toBe(true);
    expect(shown.length).toBeGreaterThan(0);
    const large = [...first.truth].filter(([id, v]) => v > 10 && /^(VN|2025-0[37]:\d\d)\|2024\|total\/total$/.test(id));
    expect(large.filter(([id]) => first.withheld.has(id)).length, 'complements').toBeGreaterThan(0);
    console.log(
      `figures: ${first.truth.size}; small (1–10): ${small.length}; shown: ${shown.length} of ${large.length} ` +
        `yearly provincial or national figures of 11 or more`,
    );
  });

  it('no withheld figure from 1 to 10 can be narrowed below 1 to 10, in one load or in two together', async () => {
    // Both loads in one system: each load's answers alone give a subset of its constraints, so no narrower range.
    const p = protection(audited, first, second);
    expect(p.relations).toBeGreaterThan(10_000);
    expect(p.ranges.length).toBeGreaterThan(1000);
    expect(p.narrower.slice(0, 10), `${p.narrower.length} of ${p.ranges.length} narrowed`).toEqual([]);
    console.log(
      `two loads: ${p.ranges.length} withheld figures from 1 to 10, ${p.relations} relations, least ${p.least}: ` +
        `none narrowed`,
    );
    await settle();
  }, 600_000);
});

describe("2025: the new list's own yearly reports", () => {
  it('withheld like any figure: communes and sex × age cells always, provinces by the tree; nothing narrowed', async () => {
    const a = await audit2025(w, audited, 2025);
    const shown = [...a.shown.keys()];
    expect(
      shown.every((id) => /^(VN|2025-07:\d\d)\|2025\|total\/total$/.test(id)),
      shown.join(' '),
    ).toBe(true);
    expect(a.communes.length).toBeGreaterThan(50);
    expect(a.newProvinces.some((p) => (a.truth.get(`${p}|2025|total/total`) ?? 0) > 10)).toBe(true);
    expect(a.found.length).toBeGreaterThan(20);
    expect(a.narrower.slice(0, 10), `${a.narrower.length} of ${a.found.length} narrowed`).toEqual([]);
    console.log(
      `2025: ${a.truth.size} figures, ${shown.length} shown, ${a.found.length} withheld from 1 to 10: none narrowed`,
    );
  }, 300_000);
});

describe('ratios and discrepancies', () => {
  it('a victim support rate is shown only when the viewer could see both its counts', async () => {
    const refs = ['VN', UNITS.province, UNITS.district, ...audited.wards];
    const fields = refs
      .flatMap((ref) => PERIODS.slice(0, 7).map((p) => [ref, p]))
      .flatMap(([ref, p]) =>
        ['victim_support_rate', 'victims_supported', 'victims_returned'].map(
          (i) =>
            `kpi(indicator: "${i}", unit: "${ref}", period: "${p}") { indicator { code } unit { ref } period value ` +
            `suppressed }`,
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
