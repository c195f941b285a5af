/**
 * Bad input gets a clear, located error (file, line, column, what was expected) and is kept aside, never
 * half-loaded (DESIGN.md). One warehouse holding some good data for the whole file: every rejected load must leave
 * it exactly as it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadResult, loadFiles } from '../../etl/load.ts';
import type { LoadIssue } from '../../etl/issues.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, closeWarehouse, csv, freshWarehouse, HEADER, HEADER_FULL, snapshot, tempDir, writeFile } from '../helpers.ts';

const TODAY = '2026-01-15';

let shared: Warehouse;
let dir: string;
let fileNo = 0;

beforeAll(async () => {
  shared = await freshWarehouse();
  dir = tempDir();
  const r = await loadFiles(shared, [writeFile(dir, 'seed.csv', csv(HEADER_FULL,
    '2025-03:26734,2024,cases_initiated,3,,,2024-04-05',
    '2025-03:26734,2024,victims_returned,2,female,,2024-04-05',
    '2025-07:00004,202509,cases_solved,1,,,2025-10-01',
  ))], { today: TODAY, baseDir: dir });
  expect(r.loaded).toBe(1);
});
afterAll(cleanupTemp);

interface Expected {
  line: number | null;
  /** `undefined`: not checked. */
  col: number | null | undefined;
  column?: string | null;
  message: RegExp;
}

/**
 * Loads one bad file (text or bytes) under a unique name and checks: rejected, the warehouse unchanged, the issue
 * located as expected, and the same issue recorded in `rejects`. Returns the load result for further checks.
 */
async function expectRejected(content: string | Buffer, expected: Expected, options: { ext?: string; today?: string; w?: Warehouse } = {}): Promise<{ r: LoadResult; issue: LoadIssue }> {
  const w = options.w ?? shared;
  const name = `bad-${++fileNo}.${options.ext ?? 'csv'}`;
  const file = writeFile(dir, name, content);
  const before = await snapshot(w);
  const r = await loadFiles(w, [file], { today: options.today ?? TODAY, baseDir: dir });
  expect(await snapshot(w)).toEqual(before);
  expect(r).toMatchObject({ loaded: 0, rejected: 1, rows: 0 });
  const f = r.files[0];
  expect(f.status).toBe('rejected');
  expect(f.errors).toBeGreaterThan(0);
  const errors = f.issues.filter((i) => i.severity === 'error');
  const issue = errors.find((i) => i.line === expected.line && expected.message.test(i.message));
  expect(issue, `no error on line ${expected.line} matching ${expected.message}; got ${JSON.stringify(errors, null, 1)}`).toBeDefined();
  expect(issue!.file).toBe(name);
  if (expected.col !== undefined) expect(issue!.col).toBe(expected.col);
  if (expected.column !== undefined) expect(issue!.column).toBe(expected.column);
  // Recorded as rejected, its errors kept aside with their location.
  expect(await w.sql('SELECT status FROM source_files WHERE run_id = $1 AND file_name = $2', [r.runId, name])).toEqual([{ status: 'rejected' }]);
  const recorded = await w.sql<{ line: number | null; col: number | null; message: string }>(
    `SELECT line, col, message FROM rejects WHERE run_id = $1 AND file_name = $2 AND severity = 'error'`, [r.runId, name]);
  expect(recorded).toContainEqual({ line: issue!.line, col: issue!.col, message: issue!.message });
  return { r, issue: issue! };
}

const ok = '2025-03:26734,2024,cases_solved,1';

describe('header', () => {
  it('a header without "value" is an error on line 1', async () => {
    await expectRejected(csv('unit_code,period,indicator', '2025-03:26734,2024,cases_solved'),
      { line: 1, col: 4, message: /no "value" column; required: unit_code, period, indicator, value/ });
  });

  it('an unknown column is an error on line 1 at its column, listing the expected columns', async () => {
    await expectRejected(csv('unit_code,period,indicator,value,comment', `${ok},hello`),
      { line: 1, col: 5, message: /unknown column "comment".*expected the columns unit_code, period, indicator, value, sex, age_group, submitted_on, hierarchy/ });
  });

  it('a near-miss column name suggests the contract name', async () => {
    await expectRejected(csv('unit_code,period,Indicator,value', ok),
      { line: 1, col: 3, message: /unknown column "Indicator" \(did you mean "indicator"\?\)/ });
  });
});

describe('units', () => {
  it('an unknown unit code', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:99999,2024,cases_solved,1'),
      { line: 3, col: 1, column: 'unit_code', message: /unit 99999 is not in the 2025-03 list, used for period 2024/ });
  });

  it('a new-list commune code for a 2024 period', async () => {
    await expectRejected(csv(HEADER, ok, '2025-07:00004,2024,cases_solved,1'),
      { line: 3, col: 1, column: 'unit_code', message: /2025-07:00004 belongs to the list in force from 1\/7\/2025.*expected a 2025-03 code/ });
  });

  it('an old-list ward code for a 2026 period', async () => {
    await expectRejected(csv(HEADER, '2025-07:00004,2026,cases_solved,1', '2025-03:26734,2026,cases_solved,1'),
      { line: 3, col: 1, column: 'unit_code', message: /2025-03:26734 belongs to the list in force until 30\/6\/2025.*expected a 2025-07 code/ });
  });

  it('a code of the wrong shape', async () => {
    await expectRejected(csv(HEADER, ok, '2673,2024,cases_solved,1'),
      { line: 3, col: 1, column: 'unit_code', message: /"2673" is not a unit code; expected VN/ });
  });
});

describe('indicators', () => {
  it('an unknown indicator suggests the nearest code', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,victim_returned,1'),
      { line: 3, col: 3, column: 'indicator', message: /unknown indicator "victim_returned" \(did you mean victims_returned\?\)/ });
  });

  it('a ratio is computed, not reported', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,case_clearance_rate,95'),
      { line: 3, col: 3, column: 'indicator', message: /case_clearance_rate" is a ratio.*from cases_solved and cases_initiated/ });
  });

  it('sex on cases_solved', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,female,,'),
      { line: 2, col: 5, column: 'sex', message: /cases_solved is not broken down by sex.*leave sex empty/ });
  });

  it('a sex that is not female or male', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,victims_returned,1,F,,'),
      { line: 2, col: 5, column: 'sex', message: /sex "F" is not one of female, male/ });
  });

  it('an age group that is not child or adult', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,victims_returned,1,,under16,'),
      { line: 2, col: 6, column: 'age_group', message: /age_group "under16" is not one of child, adult/ });
  });
});

describe('values', () => {
  const value = (v: string) => csv(HEADER, ok, `2025-03:26734,2024,cases_initiated,${v}`);
  it.each([
    ['-1', /"-1" is negative; expected a count of 0 or more/],
    ['1.5', /"1.5" is fractional; expected a whole number/],
    ['abc', /"abc" is not a number; expected a whole number/],
    ['12.500', /"12.500" is written with Vietnamese thousands separators; write it as 12500/],
  ])('value %s', async (v, message) => {
    await expectRejected(value(v), { line: 3, col: 4, column: 'value', message });
  });

  it('an empty value', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,cases_initiated,'),
      { line: 3, col: 4, column: 'value', message: /"value" is empty; a value is required/ });
  });
});

describe('periods', () => {
  it('2024Q5', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024Q5,cases_initiated,1'),
      { line: 3, col: 2, column: 'period', message: /"2024Q5" is not a period: expected YYYY, YYYYS1–S2, YYYYQ1–Q4 or YYYYMM/ });
  });

  it('202413', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,202413,cases_initiated,1'),
      { line: 3, col: 2, column: 'period', message: /month 13 is not 01–12/ });
  });
});

describe('rows', () => {
  it('the same figure twice in one file names the first line', async () => {
    const w = await freshWarehouse();
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,cases_initiated,4', '2025-03:26734,2024,cases_initiated,5'),
      { line: 4, col: 3, message: /appear again \(first on line 3\); expected each figure once per file/ }, { w });
    await closeWarehouse(w);
  });

  it('a submitted_on that is not a date', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,05/04/2024'),
      { line: 2, col: 7, column: 'submitted_on', message: /submitted_on "05\/04\/2024" is not a date; expected YYYY-MM-DD/ });
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,2024-02-30'),
      { line: 2, col: 7, column: 'submitted_on', message: /not a date; expected YYYY-MM-DD/ });
  });

  it('a submitted_on after the load date', async () => {
    const w = await freshWarehouse();
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,2024-06-01'),
      { line: 2, col: 7, column: 'submitted_on', message: /in the future/ }, { today: '2024-05-01', w });
    await closeWarehouse(w);
  });

  it('a truncated last row (too few fields) names its exact line', async () => {
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,cases_solved,1\n2025-03:26734,2024Q2`,
      { line: 4, col: 3, message: /expected 4 fields.*found 2.*cut short/ });
  });

  it('a row with too many fields names its exact line', async () => {
    await expectRejected(csv(HEADER, ok, `${ok},extra`, '2025-03:26734,2024Q1,cases_solved,1'),
      { line: 3, col: 5, message: /expected 4 fields.*found 5/ });
  });

  it('an unterminated quote names the line and column where the quoted value opens', async () => {
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,"cases_solved,1\n2025-03:26734,2024Q2,cases_solved,1\n`,
      { line: 3, col: 3, message: /quoted value is never closed/ });
  });

  it('an unterminated quote on the last line (a truncated file) names that line', async () => {
    // The column is checked by the test above.
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,"cases_solv`, { line: 3, col: undefined, message: /quoted value is never closed/ });
  });
});

describe('encodings and layout', () => {
  it('a Windows-1258 byte names its line and column', async () => {
    // "2025-03:26734,2024,cases_initiated," is 35 characters; the byte 0xE0 ("à" in Windows-1258) is the 36th.
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n${ok}\n2025-03:26734,2024,cases_initiated,`), Buffer.from([0xe0]), Buffer.from('\n')]);
    await expectRejected(bytes, { line: 3, col: 36, message: /byte 0xE0 is not valid UTF-8.*Windows-1258.*expected UTF-8/ });
  });

  it('UTF-16 without a byte-order mark', async () => {
    await expectRejected(Buffer.from(csv(HEADER, ok), 'utf16le'), { line: 1, col: 1, message: /UTF-16 without a byte-order mark/ });
  });

  it('an empty file', async () => {
    await expectRejected('', { line: 1, col: 1, message: /the file is empty; expected a header line/ });
  });

  it('blank lines and a quoted multi-line field before a bad row: lines stay exact', async () => {
    const text = [
      HEADER, //                                  1
      ok, //                                      2
      '', //                                      3
      '"VN",2024,"cases', //                      4  a quoted field over two lines (a bad indicator)
      'solved",2', //                             5
      '', //                                      6
      '', //                                      7
      '2025-03:26734,2024,hotline_calls,x', //  8
    ].join('\n') + '\n';
    const { r } = await expectRejected(text, { line: 8, col: 4, column: 'value', message: /"x" is not a number/ });
    const lines = r.files[0].issues.map((i) => [i.line, i.col, i.column]);
    expect(lines).toContainEqual([4, 3, 'indicator']);
  });

  it('CRLF line endings (Excel on Windows): the line of a bad row is exact', async () => {
    const text = [HEADER, ok, '2025-03:26734,2024Q1,cases_solved,1', '2025-03:26734,2024Q2,cases_solved,x'].join('\r\n') + '\r\n';
    await expectRejected(text, { line: 4, col: 4, column: 'value', message: /"x" is not a number/ });
  });

  it('CRLF line endings, blank lines and a multi-line field: lines stay exact', async () => {
    const text = [HEADER, ok, '', '"VN",2024,"cases\r\nsolved",2', '', '2025-03:26734,2024,hotline_calls,x'].join('\r\n') + '\r\n';
    const { r } = await expectRejected(text, { line: 7, col: 4, column: 'value', message: /"x" is not a number/ });
    expect(r.files[0].issues.map((i) => [i.line, i.column])).toContainEqual([4, 'indicator']);
  });

  it('the column of an error follows the file\'s own column order', async () => {
    await expectRejected(csv('value,indicator,unit_code,period', '1,cases_solved,2025-03:26734,2024', '2,cases_initiated,2025-03:26734,2024Q7'),
      { line: 3, col: 4, column: 'period', message: /"2024Q7" is not a period/ });
  });

  it('a bad row deep in a large file, after a multi-line field, is located exactly', async () => {
    const rows: string[] = [];
    for (let y = 2000; y <= 2100; y++) {
      for (let m = 1; m <= 12; m++) {
        for (const i of ['cases_solved', 'cases_initiated', 'hotline_calls', 'media_items', 'trainings_held', 'inspections_held', 'outreach_sessions', 'leaflets_distributed']) {
          rows.push(`VN,${y}${String(m).padStart(2, '0')},${i},1`);
        }
      }
    }
    rows.splice(5, 0, '"VN",2024,"hotline\ncalls",3'); // file lines 7–8
    const bad = rows.length - 7;
    rows[bad] = rows[bad].replace(/,1$/, ',x');
    expect(rows.length).toBeGreaterThan(9000);
    const { r } = await expectRejected(csv(HEADER, ...rows), { line: bad + 3, col: 4, column: 'value', message: /"x" is not a number/ });
    expect(r.files[0].issues.map((i) => [i.line, i.column])).toEqual([[7, 'indicator'], [bad + 3, 'value']]);
  });

  it('an unsupported file type', async () => {
    const { r } = await expectRejected('hello', { line: null, col: null, message: /unsupported file type/ }, { ext: 'pdf' });
    expect(r.files[0].name).toMatch(/\.pdf$/);
  });
});

describe('many errors', () => {
  it('every bad row is reported, and the total counts them all', async () => {
    // Distinct months, so that the rows are not also duplicates of each other.
    const distinct = Array.from({ length: 250 }, (_, i) => `2025-03:26734,${2000 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')},cases_initiated,bad${i}`);
    const { r } = await expectRejected(csv(HEADER, ...distinct), { line: 2, col: 4, message: /"bad0" is not a number/ });
    expect(r.files[0].errors).toBe(250);
    expect(r.files[0].issues.length).toBeLessThanOrEqual(200);
  });
});
