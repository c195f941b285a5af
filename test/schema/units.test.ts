import { describe, expect, it } from 'vitest';
import {
  defaultHierarchyFor,
  formatUnitRef,
  hierarchyCovers,
  hierarchyOn,
  NATION,
  parseUnitRef,
  REFORM_DATE,
  UnitRefError,
} from '../../schema/units.ts';
import { parsePeriod } from '../../schema/periods.ts';

describe('parseUnitRef', () => {
  it.each([
    ['VN', null, 'VN'],
    ['2025-03:26734', '2025-03', '26734'],
    ['2025-07:00004', '2025-07', '00004'],
    ['2025-07:75', '2025-07', '75'],
    ['2025-03:318', '2025-03', '318'],
    ['75', null, '75'],
    ['731', null, '731'],
    ['00004', null, '00004'],
    [' 2025-03:26734 ', '2025-03', '26734'],
  ] as const)('reads %j as list %s, code %s', (text, hierarchy, code) => {
    expect(parseUnitRef(text)).toEqual({ hierarchy, code });
  });

  it.each(['2025-05:75', '7', 'abc', '2025-03:1234', '', '1234', '123456', 'vn', '2025-07:', ':75'])(
    'rejects %j with a UnitRefError saying what was expected',
    (text) => {
      let error: unknown;
      try {
        parseUnitRef(text);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnitRefError);
      const message = (error as Error).message;
      expect(message).toContain(`"${text}"`);
      expect(message).toMatch(/expected/);
      expect(message).toContain('VN');
      expect(message).toMatch(/2 \(province\), 3 \(district\) or 5 \(ward\/commune\) digits/);
      expect(message).toContain('2025-03:26734');
    },
  );
});

describe('hierarchies by date', () => {
  it('uses the old list up to 30 June 2025 and the new one from 1 July 2025', () => {
    expect(REFORM_DATE).toBe('2025-07-01');
    expect(hierarchyOn('2024-12-31')).toBe('2025-03');
    expect(hierarchyOn('2025-06-30')).toBe('2025-03');
    expect(hierarchyOn('2025-07-01')).toBe('2025-07');
    expect(hierarchyOn('2026-01-01')).toBe('2025-07');
    expect(defaultHierarchyFor('2025-06-30')).toBe('2025-03');
    expect(defaultHierarchyFor('2025-12-31')).toBe('2025-07');
  });

  it('lets the lists that were in force during a period name its reporter', () => {
    const covers = (id: string) => {
      const p = parsePeriod(id);
      return (['2025-03', '2025-07'] as const).filter((h) => hierarchyCovers(h, p.start, p.end));
    };
    expect(covers('2024')).toEqual(['2025-03']);
    expect(covers('2024Q4')).toEqual(['2025-03']);
    expect(covers('2025')).toEqual(['2025-03', '2025-07']);
    expect(covers('2025S1')).toEqual(['2025-03']);
    expect(covers('202506')).toEqual(['2025-03']);
    expect(covers('2025S2')).toEqual(['2025-07']);
    expect(covers('202507')).toEqual(['2025-07']);
    expect(covers('2026')).toEqual(['2025-07']);
    expect(covers('2026Q1')).toEqual(['2025-07']);
  });

  it('formats refs as they are parsed', () => {
    expect(formatUnitRef('national', 'VN')).toBe(NATION);
    expect(formatUnitRef('2025-03', '26734')).toBe('2025-03:26734');
    expect(parseUnitRef(formatUnitRef('2025-07', '00004'))).toEqual({ hierarchy: '2025-07', code: '00004' });
  });
});
