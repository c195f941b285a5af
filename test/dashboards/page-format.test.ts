/**
 * The page's pure helpers, without a browser: numbers, percentages, months and dates in the reader's language, the
 * unit beside a value, step names, and the order of table rows. The page itself is test/dashboards/page.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  compareBy,
  formatDate,
  formatMonth,
  formatNumber,
  formatPercent,
  statusColor,
  stepNames,
  unitText,
} from '../../dashboards/page/format.ts';
import { findIndicator } from '../../schema/catalogue.ts';

describe("the page's formats", () => {
  it('write numbers and percentages as each language does', () => {
    expect(formatNumber('vi', 12500)).toBe('12.500');
    expect(formatNumber('en', 12500)).toBe('12,500');
    expect(formatNumber('vi', 2.25, 1)).toMatch(/^2,[23]$/);
    expect(formatPercent('vi', 95)).toBe('95,0 %');
    expect(formatPercent('en', 95)).toBe('95.0 %');
  });

  it('write months and days in Vietnamese as reports do, in English in words', () => {
    expect(formatMonth('vi', '202603')).toBe('Tháng 3/2026');
    expect(formatMonth('en', '202603')).toBe('March 2026');
    expect(formatDate('vi', '2026-04-05')).toBe('5/4/2026');
    expect(formatDate('en', '2026-04-05')).toBe('5 April 2026');
  });

  it("put the catalogue's unit beside a count, in English when reading English, and % beside a ratio", () => {
    const returned = findIndicator('victims_returned')!;
    expect(unitText('vi', returned)).toBe('người');
    expect(unitText('en', returned)).not.toBe('người');
    expect(unitText('vi', findIndicator('case_clearance_rate')!)).toBe('%');
    expect(unitText('en', { kind: 'count', unit: 'no such unit' })).toBe('no such unit');
  });

  it('colour a tile by its status against the target', () => {
    expect(['MET', 'NOT_MET', 'NO_DATA', 'NO_TARGET', undefined].map(statusColor)).toEqual([
      'met',
      'not-met',
      'no-data',
      'neutral',
      'neutral',
    ]);
  });

  it('name the steps of a funnel without the words they share', () => {
    expect(
      stepNames([
        'Tố giác, tin báo, kiến nghị khởi tố tiếp nhận',
        'Tố giác, tin báo, kiến nghị khởi tố được phân loại',
        'Tố giác, tin báo, kiến nghị khởi tố được giải quyết',
      ]),
    ).toEqual(['Tiếp nhận', 'Được phân loại', 'Được giải quyết']);
    expect(stepNames(['Tip-offs received', 'Tip-offs classified'])).toEqual(['Received', 'Classified']);
    // Nothing shared: the names as they are.
    expect(stepNames(['Cases tried', 'Victims supported'])).toEqual(['Cases tried', 'Victims supported']);
  });

  it('sort table rows by a column, numbers as numbers, names in Vietnamese order, empty cells last', () => {
    const rows = [
      { name: 'Đồng Nai', v: 10 },
      { name: 'An Giang', v: null },
      { name: 'Cà Mau', v: 2 },
    ];
    expect([...rows].sort(compareBy({ alias: 'v', desc: false })).map((r) => r.v)).toEqual([2, 10, null]);
    expect([...rows].sort(compareBy({ alias: 'v', desc: true })).map((r) => r.v)).toEqual([10, 2, null]);
    expect([...rows].sort(compareBy({ alias: 'name', desc: false })).map((r) => r.name)).toEqual([
      'An Giang',
      'Cà Mau',
      'Đồng Nai',
    ]);
  });
});
