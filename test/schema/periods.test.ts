import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  allPeriods,
  childPeriods,
  contains,
  isInstant,
  isPeriodId,
  MAX_YEAR,
  MIN_YEAR,
  MONTHS_IN,
  monthOfInstant,
  nextPeriod,
  parentPeriod,
  parsePeriod,
  type Period,
  PeriodError,
  periodContaining,
  periodId,
  periodRange,
  periodsOfTypeWithin,
  type PeriodType,
  previousYear,
  vietnamDay,
} from '../../schema/periods.ts';

/** The ISO day after `iso` (YYYY-MM-DD), computed independently of the module under test. */
function dayAfter(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

const ids = (ps: Period[]) => ps.map((p) => p.id);

describe('parsePeriod', () => {
  it.each([
    ['2024', 'year', 1, '2024-01-01', '2024-12-31'],
    ['2024S1', 'half', 1, '2024-01-01', '2024-06-30'],
    ['2024S2', 'half', 2, '2024-07-01', '2024-12-31'],
    ['2024Q1', 'quarter', 1, '2024-01-01', '2024-03-31'],
    ['2024Q2', 'quarter', 2, '2024-04-01', '2024-06-30'],
    ['2024Q3', 'quarter', 3, '2024-07-01', '2024-09-30'],
    ['2024Q4', 'quarter', 4, '2024-10-01', '2024-12-31'],
    ['202403', 'month', 3, '2024-03-01', '2024-03-31'],
    ['202401', 'month', 1, '2024-01-01', '2024-01-31'],
    ['202404', 'month', 4, '2024-04-01', '2024-04-30'],
    ['202412', 'month', 12, '2024-12-01', '2024-12-31'],
    ['202402', 'month', 2, '2024-02-01', '2024-02-29'], // leap year
    ['202302', 'month', 2, '2023-02-01', '2023-02-28'],
    ['210002', 'month', 2, '2100-02-01', '2100-02-28'], // 2100 is not a leap year
    ['200002', 'month', 2, '2000-02-01', '2000-02-29'], // 2000 is
  ] as const)('%s is a %s #%i from %s to %s', (id, type, index, start, end) => {
    const p = parsePeriod(id);
    expect(p).toEqual({ id, type, year: Number(id.slice(0, 4)), index, start, end });
    expect(isPeriodId(id)).toBe(true);
  });

  it.each([
    '2024Q5',
    '202413',
    '202400',
    '2024S3',
    '24',
    '1999',
    '2024-03',
    '',
    '2101',
    '2024Q0',
    '2024S0',
    '20244',
    '2024q1',
    ' 2024',
  ])('rejects %j with a PeriodError naming the input', (id) => {
    let error: unknown;
    try {
      parsePeriod(id);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PeriodError);
    expect((error as Error).message).toContain(`"${id}"`);
    expect(isPeriodId(id)).toBe(false);
  });

  it('accepts the first and last years of the range only', () => {
    expect(parsePeriod(String(MIN_YEAR)).year).toBe(MIN_YEAR);
    expect(parsePeriod(String(MAX_YEAR)).year).toBe(MAX_YEAR);
    expect(() => parsePeriod(String(MIN_YEAR - 1))).toThrow(PeriodError);
    expect(() => parsePeriod(String(MAX_YEAR + 1))).toThrow(PeriodError);
  });
});

describe('contains', () => {
  it('is true for a period and everything inside it, false for overlaps and outsiders', () => {
    const year = parsePeriod('2024');
    expect(contains(year, year)).toBe(true);
    expect(contains(year, parsePeriod('2024S2'))).toBe(true);
    expect(contains(year, parsePeriod('2024Q4'))).toBe(true);
    expect(contains(year, parsePeriod('202412'))).toBe(true);
    expect(contains(parsePeriod('2024S1'), parsePeriod('2024Q2'))).toBe(true);
    expect(contains(parsePeriod('2024S1'), parsePeriod('2024Q3'))).toBe(false);
    expect(contains(parsePeriod('2024Q1'), parsePeriod('202403'))).toBe(true);
    expect(contains(parsePeriod('2024Q1'), parsePeriod('202404'))).toBe(false);
    expect(contains(parsePeriod('2024Q1'), year)).toBe(false);
    expect(contains(year, parsePeriod('2025Q1'))).toBe(false);
    expect(contains(year, parsePeriod('202312'))).toBe(false);
  });
});

describe('childPeriods and periodsOfTypeWithin', () => {
  it('splits a year into two halves, a half into two quarters, a quarter into three months; a month has none', () => {
    expect(ids(childPeriods(parsePeriod('2024')))).toEqual(['2024S1', '2024S2']);
    expect(ids(childPeriods(parsePeriod('2024S1')))).toEqual(['2024Q1', '2024Q2']);
    expect(ids(childPeriods(parsePeriod('2024S2')))).toEqual(['2024Q3', '2024Q4']);
    expect(ids(childPeriods(parsePeriod('2024Q1')))).toEqual(['202401', '202402', '202403']);
    expect(ids(childPeriods(parsePeriod('2024Q4')))).toEqual(['202410', '202411', '202412']);
    expect(childPeriods(parsePeriod('202402'))).toEqual([]);
  });

  it('lists the twelve months of a year, in order', () => {
    const months = periodsOfTypeWithin('month', parsePeriod('2024'));
    expect(months).toHaveLength(12);
    expect(ids(months)).toEqual(Array.from({ length: 12 }, (_, i) => `2024${String(i + 1).padStart(2, '0')}`));
    expect(months[1].end).toBe('2024-02-29');
  });

  it('lists finer periods within a coarser one at any depth', () => {
    expect(ids(periodsOfTypeWithin('quarter', parsePeriod('2024')))).toEqual(['2024Q1', '2024Q2', '2024Q3', '2024Q4']);
    expect(ids(periodsOfTypeWithin('month', parsePeriod('2024S2')))).toEqual([
      '202407',
      '202408',
      '202409',
      '202410',
      '202411',
      '202412',
    ]);
    expect(ids(periodsOfTypeWithin('quarter', parsePeriod('2024Q3')))).toEqual(['2024Q3']);
  });

  it('refuses a coarser type than the period', () => {
    expect(() => periodsOfTypeWithin('year', parsePeriod('2024Q1'))).toThrow(PeriodError);
    expect(() => periodsOfTypeWithin('half', parsePeriod('202401'))).toThrow(PeriodError);
  });
});

describe('periodContaining, periodRange, nextPeriod, previousYear', () => {
  it('finds the period of each type containing a day', () => {
    expect(periodContaining('year', '2024-05-15').id).toBe('2024');
    expect(periodContaining('half', '2024-06-30').id).toBe('2024S1');
    expect(periodContaining('half', '2024-07-01').id).toBe('2024S2');
    expect(periodContaining('quarter', '2024-05-15').id).toBe('2024Q2');
    expect(periodContaining('quarter', '2024-12-31').id).toBe('2024Q4');
    expect(periodContaining('month', '2024-02-29').id).toBe('202402');
  });

  it('ranges across a year boundary', () => {
    expect(ids(periodRange('quarter', '2024-11-15', '2025-02-01'))).toEqual(['2024Q4', '2025Q1']);
    expect(ids(periodRange('month', '2024-11-15', '2025-02-10'))).toEqual(['202411', '202412', '202501', '202502']);
    expect(ids(periodRange('half', '2024-03-01', '2025-08-01'))).toEqual(['2024S1', '2024S2', '2025S1', '2025S2']);
    expect(ids(periodRange('year', '2023-12-31', '2025-01-01'))).toEqual(['2023', '2024', '2025']);
    expect(ids(periodRange('month', '2024-03-05', '2024-03-20'))).toEqual(['202403']);
    expect(periodRange('month', '2024-05-01', '2024-03-01')).toEqual([]);
  });

  it('steps to the next period, rolling over the year', () => {
    expect(nextPeriod(parsePeriod('2024')).id).toBe('2025');
    expect(nextPeriod(parsePeriod('2024S1')).id).toBe('2024S2');
    expect(nextPeriod(parsePeriod('2024S2')).id).toBe('2025S1');
    expect(nextPeriod(parsePeriod('2024Q3')).id).toBe('2024Q4');
    expect(nextPeriod(parsePeriod('2024Q4')).id).toBe('2025Q1');
    expect(nextPeriod(parsePeriod('202411')).id).toBe('202412');
    expect(nextPeriod(parsePeriod('202412'))).toEqual(parsePeriod('202501'));
  });

  it('goes back one year to the same period', () => {
    expect(previousYear(parsePeriod('2025Q3'))).toEqual(parsePeriod('2024Q3'));
    expect(previousYear(parsePeriod('2025S2'))).toEqual(parsePeriod('2024S2'));
    expect(previousYear(parsePeriod('2025'))).toEqual(parsePeriod('2024'));
    // Leap day in 2024, none in 2023: the end moves.
    expect(previousYear(parsePeriod('202402'))).toEqual({
      id: '202302',
      type: 'month',
      year: 2023,
      index: 2,
      start: '2023-02-01',
      end: '2023-02-28',
    });
    expect(previousYear(parsePeriod('202502')).end).toBe('2024-02-29');
  });
});

describe('allPeriods', () => {
  it('holds 19 periods for each of the 101 years, each id once', () => {
    const all = allPeriods();
    expect(MAX_YEAR - MIN_YEAR + 1).toBe(101);
    expect(all).toHaveLength(101 * 19);
    expect(new Set(ids(all)).size).toBe(all.length);
    expect(all[0].id).toBe('2000');
    expect(all.at(-1)!.id).toBe('210012');
    for (const p of all) expect(parsePeriod(p.id)).toEqual(p);
  });
});

describe('properties', () => {
  const TYPES: PeriodType[] = ['year', 'half', 'quarter', 'month'];
  const anyPeriod = fc.constantFrom(...TYPES).chain((type) =>
    fc.record({
      type: fc.constant(type),
      year: fc.integer({ min: MIN_YEAR, max: MAX_YEAR }),
      index: fc.integer({ min: 1, max: 12 / MONTHS_IN[type] }),
    }),
  );

  it('parsePeriod(periodId(type, year, index)) round-trips', () => {
    fc.assert(
      fc.property(anyPeriod, ({ type, year, index }) => {
        const id = periodId(type, year, index);
        const p = parsePeriod(id);
        expect(p.id).toBe(id);
        expect(p.type).toBe(type);
        expect(p.year).toBe(year);
        expect(p.index).toBe(index);
        expect(p.start <= p.end).toBe(true);
        expect(p.start.slice(0, 4)).toBe(String(year));
        expect(p.end.slice(0, 4)).toBe(String(year));
      }),
      { numRuns: 500 },
    );
  });

  it('children exactly tile their parent: consecutive, from its first day to its last', () => {
    fc.assert(
      fc.property(anyPeriod, ({ type, year, index }) => {
        const parent = parsePeriod(periodId(type, year, index));
        const children = childPeriods(parent);
        if (type === 'month') {
          expect(children).toEqual([]);
          return;
        }
        expect(children.length).toBe(type === 'quarter' ? 3 : 2);
        expect(children[0].start).toBe(parent.start);
        expect(children.at(-1)!.end).toBe(parent.end);
        for (let i = 1; i < children.length; i++) expect(children[i].start).toBe(dayAfter(children[i - 1].end));
        for (const c of children) {
          expect(contains(parent, c)).toBe(true);
          expect(parsePeriod(c.id)).toEqual(c);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('parentPeriod is the one step coarser period whose children include the period; a year has none', () => {
    const coarser: Record<PeriodType, PeriodType | null> = {
      year: null,
      half: 'year',
      quarter: 'half',
      month: 'quarter',
    };
    fc.assert(
      fc.property(anyPeriod, ({ type, year, index }) => {
        const p = parsePeriod(periodId(type, year, index));
        const parent = parentPeriod(p);
        if (type === 'year') {
          expect(parent).toBeNull();
          return;
        }
        expect(parent!.type).toBe(coarser[type]);
        expect(contains(parent!, p)).toBe(true);
        expect(ids(childPeriods(parent!))).toContain(p.id);
      }),
      { numRuns: 500 },
    );
  });

  it('nextPeriod starts the day after the period ends', () => {
    fc.assert(
      fc.property(
        anyPeriod.filter(({ year }) => year < MAX_YEAR),
        ({ type, year, index }) => {
          const p = parsePeriod(periodId(type, year, index));
          const n = nextPeriod(p);
          expect(n.type).toBe(type);
          expect(n.start).toBe(dayAfter(p.end));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('parentPeriod', () => {
  it.each([
    ['202403', '2024Q1'],
    ['202404', '2024Q2'],
    ['202412', '2024Q4'],
    ['2024Q2', '2024S1'],
    ['2024Q3', '2024S2'],
    ['2024S2', '2024'],
  ])('of %s is %s', (id, parent) => {
    expect(parentPeriod(parsePeriod(id))?.id).toBe(parent);
  });
});

describe('vietnamDay', () => {
  it('dates an instant by the day in Hà Nội (UTC+7): 17:00 UTC is already the next day', () => {
    expect(vietnamDay(new Date('2025-06-30T16:59:59.999Z'))).toBe('2025-06-30');
    expect(vietnamDay(new Date('2025-06-30T17:00:00Z'))).toBe('2025-07-01');
    expect(vietnamDay(new Date('2024-02-28T17:00:00Z'))).toBe('2024-02-29');
    expect(vietnamDay(new Date('2025-12-31T23:00:00-05:00'))).toBe('2026-01-01');
  });
});

describe('instants as Grafana sends a time range', () => {
  it('fall in the month of their day in Vietnam, not in UTC', () => {
    const newYear = Date.parse('2026-01-01T00:00:00+07:00'); // 2025-12-31T17:00Z
    expect(monthOfInstant(String(newYear)).id).toBe('202601');
    expect(monthOfInstant(String(newYear - 1)).id).toBe('202512');
    expect(monthOfInstant('2025-12-31T17:00:00Z').id).toBe('202601');
    expect(monthOfInstant('2025-12-31T16:59:59.999Z').id).toBe('202512');
    expect(monthOfInstant('2026-03-31T23:59:00+07:00').id).toBe('202603');
    expect(monthOfInstant('2026-03-31T23:59+0700').id).toBe('202603');
  });

  it('are told apart from period ids; a time without its zone or a bad date is refused, saying what is expected', () => {
    for (const id of ['2026', '202601', '2026Q1', '2026S2']) expect(isInstant(id)).toBe(false);
    expect(isInstant('1767200400000')).toBe(true);
    expect(() => monthOfInstant('2026-01-01T00:00')).toThrow(
      /expected epoch milliseconds .* ISO 8601 time with its zone/,
    );
    expect(() => monthOfInstant('2026-13-45T00:00:00Z')).toThrow(PeriodError);
    expect(() => monthOfInstant(String(Date.parse('2150-01-01T00:00:00Z')))).toThrow(/outside 2000–2100/);
  });
});
