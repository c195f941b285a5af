/**
 * The sample generator's parts on their own (etl/sample/): its calendar, its random streams and the unit lists it
 * reads. The generated files themselves are checked in sample.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adminLists } from '../../etl/sample/admin.ts';
import { streamFor } from '../../etl/sample/random.ts';
import { dateIn, LAST_OLD_MONTH, monthId, monthIndex, quarterId } from '../../etl/sample/time.ts';
import { parsePeriod } from '../../schema/periods.ts';
import { readReform, readUnitList } from '../../schema/reference.ts';
import { REFORM_DATE } from '../../schema/units.ts';

describe('the calendar', () => {
  it('counts months from January 2019, and its months and quarters are the periods of schema/periods.ts', () => {
    expect(monthIndex('201901')).toBe(0);
    expect(monthId(LAST_OLD_MONTH)).toBe('202506');
    expect(parsePeriod(monthId(LAST_OLD_MONTH + 1)).start).toBe(REFORM_DATE);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 12 * 20 - 1 }), fc.integer({ min: 1, max: 28 }), (t, day) => {
        const month = parsePeriod(monthId(t));
        expect(monthIndex(month.id)).toBe(t);
        expect(dateIn(t, day)).toBe(`${month.start.slice(0, 8)}${String(day).padStart(2, '0')}`);
        // The quarter of month t contains it.
        const quarter = parsePeriod(quarterId(Math.floor(t / 3)));
        expect(quarter.start <= month.start && month.end <= quarter.end).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('random streams', () => {
  it('are a function of the seed and the key alone, and differ from key to key', () => {
    const draw = (seed: number, ...key: string[]) => {
      const r = streamFor(seed, ...key);
      return Array.from({ length: 8 }, () => r.next());
    };
    expect(draw(1, 'months', '2025-03', '26734')).toEqual(draw(1, 'months', '2025-03', '26734'));
    expect(draw(1, 'months', '2025-03', '26734')).not.toEqual(draw(1, 'months', '2025-03', '26737'));
    expect(draw(1, 'months', '2025-03', '26734')).not.toEqual(draw(2, 'months', '2025-03', '26734'));
    for (const x of draw(7, 'profile', '2025-07', '00004')) expect(x >= 0 && x < 1).toBe(true);
  });

  it('draw integers within their bounds and counts that are never negative', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -5, max: 5 }), fc.integer({ min: 0, max: 9 }), (seed, lo, span) => {
        const r = streamFor(seed, 'test');
        const n = r.int(lo, lo + span);
        expect(n >= lo && n <= lo + span && Number.isInteger(n)).toBe(true);
        expect(r.poisson(3)).toBeGreaterThanOrEqual(0);
        expect(r.binomial(50, 0.3)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('the unit lists, as the generator reads them', () => {
  const admin = adminLists();

  it('has every province, district and ward of the reference lists, each under its parent', () => {
    const old = readUnitList('2025-03');
    const byLevel = (level: string) => old.filter((u) => u.level === level).map((u) => u.code);
    expect(admin.oldProvinces).toEqual(byLevel('province').sort());
    expect([...admin.districtsOf.values()].flat().sort()).toEqual(byLevel('district').sort());
    expect([...admin.wardsOf.values()].flat().sort()).toEqual(byLevel('ward').sort());
    const misplaced = old.filter((u) => u.level === 'ward' && !admin.wardsOf.get(u.parent_code)?.includes(u.code));
    expect(misplaced).toEqual([]);
    const communes = readUnitList('2025-07').filter((u) => u.level === 'commune');
    expect([...admin.communesOf.values()].flat().sort()).toEqual(communes.map((u) => u.code).sort());
    expect(admin.newProvinces).toHaveLength(34);
  });

  it("gives every old province a successor, and shares each old ward's pieces out whole", () => {
    for (const p of admin.oldProvinces) expect(admin.newProvinces).toContain(admin.successorOf.get(p));
    const shares = new Map<string, number>();
    for (const list of admin.predecessorsOf.values())
      for (const p of list) shares.set(p.code, (shares.get(p.code) ?? 0) + p.share);
    for (const total of shares.values()) expect(total).toBeCloseTo(1, 9);
    const leaves = new Set(
      readReform()
        .filter((r) => r.old_level !== 'province')
        .map((r) => r.old_code),
    );
    expect(new Set(shares.keys())).toEqual(leaves);
  });
});
