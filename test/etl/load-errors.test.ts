/**
 * Bad input gets a clear, located error (file, line, column, what was expected) and is kept aside, never
 * half-loaded (docs/architecture.md). One warehouse holding some good data for the whole file: every rejected load
 * must leave
 * it exactly as it was.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoadResult, loadFiles } from '../../etl/load.ts';
import type { LoadIssue } from '../../etl/issues.ts';
import { crc32Portable } from '../../etl/sources/zip.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import {
  cleanupTemp,
  closeWarehouse,
  csv,
  freshWarehouse,
  HEADER,
  HEADER_FULL,
  snapshot,
  tempDir,
  writeFile,
} from '../helpers.ts';

const TODAY = '2026-01-15';

let shared: Warehouse;
let dir: string;
let fileNo = 0;

beforeAll(async () => {
  shared = await freshWarehouse();
  dir = tempDir();
  const r = await loadFiles(
    shared,
    [
      writeFile(
        dir,
        'seed.csv',
        csv(
          HEADER_FULL,
          '2025-03:26734,2024,cases_initiated,3,,,2024-04-05',
          '2025-03:26734,2024,victims_returned,2,female,,2024-04-05',
          '2025-07:00004,202509,cases_solved,1,,,2025-10-01',
        ),
      ),
    ],
    { today: TODAY, baseDir: dir },
  );
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
async function expectRejected(
  content: string | Buffer,
  expected: Expected,
  options: { ext?: string; today?: string; w?: Warehouse } = {},
): Promise<{ r: LoadResult; issue: LoadIssue }> {
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
  expect(
    issue,
    `no error on line ${expected.line} matching ${expected.message}; got ${JSON.stringify(errors, null, 1)}`,
  ).toBeDefined();
  expect(issue!.file).toBe(name);
  if (expected.col !== undefined) expect(issue!.col).toBe(expected.col);
  if (expected.column !== undefined) expect(issue!.column).toBe(expected.column);
  // Recorded as rejected, its errors kept aside with their location.
  expect(await w.sql('SELECT status FROM source_files WHERE run_id = $1 AND file_name = $2', [r.runId, name])).toEqual([
    { status: 'rejected' },
  ]);
  const recorded = await w.sql<{ line: number | null; col: number | null; message: string }>(
    `SELECT line, col, message FROM rejects WHERE run_id = $1 AND file_name = $2 AND severity = 'error'`,
    [r.runId, name],
  );
  expect(recorded).toContainEqual({ line: issue!.line, col: issue!.col, message: issue!.message });
  return { r, issue: issue! };
}

const ok = '2025-03:26734,2024,cases_solved,1';

describe('header', () => {
  it('a header without "value" is an error on line 1', async () => {
    await expectRejected(csv('unit_code,period,indicator', '2025-03:26734,2024,cases_solved'), {
      line: 1,
      col: 4,
      message: /no "value" column; required: unit_code, period, indicator, value/,
    });
  });

  it('an unknown column is an error on line 1 at its column, listing the expected columns', async () => {
    await expectRejected(csv('unit_code,period,indicator,value,comment', `${ok},hello`), {
      line: 1,
      col: 5,
      message:
        /unknown column "comment".*expected the columns unit_code, period, indicator, value, sex, age_group, submitted_on, hierarchy/,
    });
  });

  it('a near-miss column name suggests the contract name', async () => {
    await expectRejected(csv('unit_code,period,Indicator,value', ok), {
      line: 1,
      col: 3,
      message: /unknown column "Indicator" \(did you mean "indicator"\?\)/,
    });
  });
});

describe('units', () => {
  it('an unknown unit code', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:99999,2024,cases_solved,1'), {
      line: 3,
      col: 1,
      column: 'unit_code',
      message: /unit 99999 is not in the 2025-03 list, used for period 2024/,
    });
  });

  it('a new-list commune code for a 2024 period', async () => {
    await expectRejected(csv(HEADER, ok, '2025-07:00004,2024,cases_solved,1'), {
      line: 3,
      col: 1,
      column: 'unit_code',
      message: /2025-07:00004 belongs to the list in force from 1\/7\/2025.*expected a 2025-03 code/,
    });
  });

  it('an old-list ward code for a 2026 period', async () => {
    await expectRejected(csv(HEADER, '2025-07:00004,2026,cases_solved,1', '2025-03:26734,2026,cases_solved,1'), {
      line: 3,
      col: 1,
      column: 'unit_code',
      message: /2025-03:26734 belongs to the list in force until 30\/6\/2025.*expected a 2025-07 code/,
    });
  });

  it('a code of the wrong shape', async () => {
    await expectRejected(csv(HEADER, ok, '2673,2024,cases_solved,1'), {
      line: 3,
      col: 1,
      column: 'unit_code',
      message: /"2673" is not a unit code; expected VN/,
    });
  });
});

describe('indicators', () => {
  it('an unknown indicator suggests the nearest code', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,victim_returned,1'), {
      line: 3,
      col: 3,
      column: 'indicator',
      message: /unknown indicator "victim_returned" \(did you mean victims_returned\?\)/,
    });
  });

  it('a ratio is computed, not reported', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,case_clearance_rate,95'), {
      line: 3,
      col: 3,
      column: 'indicator',
      message: /case_clearance_rate" is a ratio.*from cases_solved and cases_initiated/,
    });
  });

  it('sex on cases_solved', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,female,,'), {
      line: 2,
      col: 5,
      column: 'sex',
      message: /cases_solved is not broken down by sex.*leave sex empty/,
    });
  });

  it('a sex that is not female or male', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,victims_returned,1,F,,'), {
      line: 2,
      col: 5,
      column: 'sex',
      message: /sex "F" is not one of female, male/,
    });
  });

  it('an age group that is not child or adult', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,victims_returned,1,,under16,'), {
      line: 2,
      col: 6,
      column: 'age_group',
      message: /age_group "under16" is not one of child, adult/,
    });
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
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,cases_initiated,'), {
      line: 3,
      col: 4,
      column: 'value',
      message: /"value" is empty; a value is required/,
    });
  });
});

describe('periods', () => {
  it('2024Q5', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024Q5,cases_initiated,1'), {
      line: 3,
      col: 2,
      column: 'period',
      message: /"2024Q5" is not a period: expected YYYY, YYYYS1–S2, YYYYQ1–Q4 or YYYYMM/,
    });
  });

  it('202413', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,202413,cases_initiated,1'), {
      line: 3,
      col: 2,
      column: 'period',
      message: /month 13 is not 01–12/,
    });
  });
});

describe('rows', () => {
  it('the same figure twice in one file names the first line', async () => {
    const w = await freshWarehouse();
    await expectRejected(
      csv(HEADER, ok, '2025-03:26734,2024,cases_initiated,4', '2025-03:26734,2024,cases_initiated,5'),
      { line: 4, col: 3, message: /appear again \(first on line 3\); expected each figure once per file/ },
      { w },
    );
    await closeWarehouse(w);
  });

  it('a submitted_on that is not a date', async () => {
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,05/04/2024'), {
      line: 2,
      col: 7,
      column: 'submitted_on',
      message: /submitted_on "05\/04\/2024" is not a date; expected YYYY-MM-DD/,
    });
    await expectRejected(csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,2024-02-30'), {
      line: 2,
      col: 7,
      column: 'submitted_on',
      message: /not a date; expected YYYY-MM-DD/,
    });
  });

  it('a submitted_on after the load date', async () => {
    const w = await freshWarehouse();
    await expectRejected(
      csv(HEADER_FULL, '2025-03:26734,2024,cases_solved,1,,,2024-06-01'),
      { line: 2, col: 7, column: 'submitted_on', message: /in the future/ },
      { today: '2024-05-01', w },
    );
    await closeWarehouse(w);
  });

  it('a truncated last row (too few fields) names its exact line', async () => {
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,cases_solved,1\n2025-03:26734,2024Q2`, {
      line: 4,
      col: 3,
      message: /expected 4 fields.*found 2.*cut short/,
    });
  });

  it('a row with too many fields names its exact line', async () => {
    await expectRejected(csv(HEADER, ok, `${ok},extra`, '2025-03:26734,2024Q1,cases_solved,1'), {
      line: 3,
      col: 5,
      message: /expected 4 fields.*found 5/,
    });
  });

  it('an unterminated quote names the line and column where the quoted value opens', async () => {
    await expectRejected(
      `${HEADER}\n${ok}\n2025-03:26734,2024Q1,"cases_solved,1\n2025-03:26734,2024Q2,cases_solved,1\n`,
      { line: 3, col: 3, message: /quoted value is never closed/ },
    );
  });

  it('a quoted value that goes on after its closing quote names the line and column', async () => {
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,"cases_solved"x,1\n`, {
      line: 3,
      col: 3,
      column: 'indicator',
      message:
        /^a quoted value goes on after its closing quote \(with "x"\); expected the whole value in quotes, its own quotes doubled/,
    });
  });

  it('an unterminated quote on the last line (a truncated file) names that line', async () => {
    // The column is checked by the test above.
    await expectRejected(`${HEADER}\n${ok}\n2025-03:26734,2024Q1,"cases_solv`, {
      line: 3,
      col: undefined,
      message: /quoted value is never closed/,
    });
  });
});

describe('encodings and layout', () => {
  it('a Windows-1258 byte names its line and column', async () => {
    // "2025-03:26734,2024,cases_initiated," is 35 characters; the byte 0xE0 ("à" in Windows-1258) is the 36th.
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}\n${ok}\n2025-03:26734,2024,cases_initiated,`),
      Buffer.from([0xe0]),
      Buffer.from('\n'),
    ]);
    await expectRejected(bytes, {
      line: 3,
      col: 36,
      message: /byte 0xE0 is not valid UTF-8.*Windows-1258.*expected UTF-8/,
    });
  });

  it('UTF-16 without a byte-order mark', async () => {
    await expectRejected(Buffer.from(csv(HEADER, ok), 'utf16le'), {
      line: 1,
      col: 1,
      message: /UTF-16 without a byte-order mark/,
    });
  });

  it('a NUL byte (a damaged copy) is pointed at, line and column', async () => {
    // "2025-03:26734,2024,cases_initiated,1" is 36 characters; the NUL is the 37th.
    const bytes = Buffer.from(`${HEADER}\n${ok}\n2025-03:26734,2024,cases_initiated,1\0\n`);
    await expectRejected(bytes, {
      line: 3,
      col: 37,
      message: /holds a NUL byte at offset \d+: it is binary, not a text report; expected UTF-8 text/,
    });
  });

  it('an empty file', async () => {
    await expectRejected('', { line: 1, col: 1, message: /the file is empty; expected a header line/ });
  });

  it('blank lines and a quoted multi-line field before a bad row: lines stay exact', async () => {
    const text =
      [
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
    const text =
      [HEADER, ok, '2025-03:26734,2024Q1,cases_solved,1', '2025-03:26734,2024Q2,cases_solved,x'].join('\r\n') + '\r\n';
    await expectRejected(text, { line: 4, col: 4, column: 'value', message: /"x" is not a number/ });
  });

  it('CRLF line endings, blank lines and a multi-line field: lines stay exact', async () => {
    const text =
      [HEADER, ok, '', '"VN",2024,"cases\r\nsolved",2', '', '2025-03:26734,2024,hotline_calls,x'].join('\r\n') + '\r\n';
    const { r } = await expectRejected(text, { line: 7, col: 4, column: 'value', message: /"x" is not a number/ });
    expect(r.files[0].issues.map((i) => [i.line, i.column])).toContainEqual([4, 'indicator']);
  });

  it("the column of an error follows the file's own column order", async () => {
    await expectRejected(
      csv(
        'value,indicator,unit_code,period',
        '1,cases_solved,2025-03:26734,2024',
        '2,cases_initiated,2025-03:26734,2024Q7',
      ),
      { line: 3, col: 4, column: 'period', message: /"2024Q7" is not a period/ },
    );
  });

  it('a bad row deep in a large file, after a multi-line field, is located exactly', async () => {
    const rows: string[] = [];
    for (let y = 2000; y <= 2100; y++) {
      for (let m = 1; m <= 12; m++) {
        for (const i of [
          'cases_solved',
          'cases_initiated',
          'hotline_calls',
          'media_items',
          'trainings_held',
          'inspections_held',
          'outreach_sessions',
          'leaflets_distributed',
        ]) {
          rows.push(`VN,${y}${String(m).padStart(2, '0')},${i},1`);
        }
      }
    }
    rows.splice(5, 0, '"VN",2024,"hotline\ncalls",3'); // file lines 7–8
    const bad = rows.length - 7;
    rows[bad] = rows[bad].replace(/,1$/, ',x');
    expect(rows.length).toBeGreaterThan(9000);
    const { r } = await expectRejected(csv(HEADER, ...rows), {
      line: bad + 3,
      col: 4,
      column: 'value',
      message: /"x" is not a number/,
    });
    expect(r.files[0].issues.map((i) => [i.line, i.column])).toEqual([
      [7, 'indicator'],
      [bad + 3, 'value'],
    ]);
  });

  describe('past the first 4 MiB a file is read in (files with problems are read as streams)', () => {
    /** Province-month reports of the old list: ~150,000 distinct, valid rows, about 5.6 MB. */
    let rows: string[];
    beforeAll(async () => {
      const provinces = (
        await shared.sql<{ code: string }>(
          `SELECT code FROM units WHERE hierarchy = '2025-03' AND level = 'province' ORDER BY code`,
        )
      ).map((r) => r.code);
      rows = [];
      for (const p of provinces) {
        for (let y = 2000; y <= 2024; y++) {
          for (let m = 1; m <= 12; m++) {
            for (const i of [
              'cases_solved',
              'cases_initiated',
              'hotline_calls',
              'media_items',
              'trainings_held',
              'inspections_held',
              'outreach_sessions',
              'leaflets_distributed',
            ]) {
              rows.push(`2025-03:${p},${y}${String(m).padStart(2, '0')},${i},1`);
            }
          }
        }
      }
    });
    /** The index (in `rows`) of the row whose line, in csv(HEADER, ...rows) with a two-line field at row 5, spans
     * byte 4 MiB. */
    const straddling = (lines: string[]) => {
      let bytes = 0;
      for (const [k, l] of lines.entries()) {
        if (bytes + l.length + 1 > 4 << 20) return k;
        bytes += l.length + 1;
      }
      throw new Error('too short');
    };

    it('a Windows-1258 byte on the line that spans the 4 MiB mark', async () => {
      const text = [HEADER, ...rows.slice(0, 5), '"VN",2024,"hotline', 'calls",3', ...rows.slice(5)];
      const k = straddling(text);
      const line = text[k];
      const at = line.length - 2; // inside the value, across the 4 MiB boundary or near it
      const bytes = Buffer.concat([
        Buffer.from(text.slice(0, k).join('\n') + '\n' + line.slice(0, at)),
        Buffer.from([0xe0]),
        Buffer.from(line.slice(at) + '\n' + text.slice(k + 1).join('\n') + '\n'),
      ]);
      expect(bytes.length).toBeGreaterThan(5 << 20);
      await expectRejected(bytes, { line: k + 1, col: at + 1, message: /byte 0xE0 is not valid UTF-8/ });
    });

    it('a quoted value never closed, after 4 MiB of rows and a two-line field', async () => {
      const text = [HEADER, ...rows.slice(0, 5), '"VN",2024,"hotline', 'calls",3', ...rows.slice(5)];
      const k = text.length - 10;
      text[k] = text[k].replace(/,([a-z_]+),1$/, ',"$1,1');
      await expectRejected(text.join('\n') + '\n', {
        line: k + 1,
        col: 3,
        column: 'indicator',
        message: /quoted value is never closed/,
      });
    });

    it('a short row after 4 MiB of rows and a two-line field, and every short row after it', async () => {
      const text = [HEADER, ...rows.slice(0, 5), '"VN",2024,"hotline', 'calls",3', ...rows.slice(5)];
      const k = text.length - 10;
      text[k] = text[k].replace(/,1$/, '');
      text[k + 3] = text[k + 3].replace(/,1$/, '');
      const { r } = await expectRejected(text.join('\n') + '\n', {
        line: k + 1,
        col: 4,
        message: /expected 4 fields.*found 3/,
      });
      expect(r.files[0].issues.map((i) => i.line)).toEqual([k + 1, k + 4]);
    });

    it('a bad value near the end of an 11 MB UTF-16 file is located on its line', async () => {
      const text = [HEADER, ...rows];
      const k = text.length - 7;
      text[k] = text[k].replace(/,1$/, ',một');
      const bytes = Buffer.concat([
        Buffer.from([0xfe, 0xff]),
        Buffer.from(text.join('\r\n') + '\r\n', 'utf16le').swap16(),
      ]);
      expect(bytes.length).toBeGreaterThan(10 << 20);
      await expectRejected(
        bytes,
        { line: k + 1, col: 4, column: 'value', message: /"một" is not a number/ },
        { ext: 'txt' },
      );
    }, 120_000);
  });

  it('an unsupported file type', async () => {
    const { r } = await expectRejected(
      'hello',
      { line: null, col: null, message: /unsupported file type/ },
      { ext: 'pdf' },
    );
    expect(r.files[0].name).toMatch(/\.pdf$/);
  });
});

describe('formulas in cells', () => {
  const NOTE = `${HEADER},source_note`;

  it.each([
    ['=1+1', /^"=1\+1" is not a number; expected a whole number/],
    [
      '"=HYPERLINK(""http://x"",""12"")"',
      /^"=HYPERLINK\("http:\/\/x","12"\)" is not a number; expected a whole number/,
    ],
  ])('in the value column, %s is not a number', async (v, message) => {
    await expectRejected(csv(HEADER, ok, `2025-03:26734,2024,cases_initiated,${v}`), {
      line: 3,
      col: 4,
      column: 'value',
      message,
    });
  });

  it('an unquoted =HYPERLINK("…","12") is malformed CSV, located at its field', async () => {
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,cases_initiated,=HYPERLINK("http://x","12")'), {
      line: 3,
      col: 4,
      column: 'value',
      message:
        /^a quote inside an unquoted value \(it begins "=HYPERLINK\("\); expected the whole value in quotes, its own quotes doubled/,
    });
  });

  it('in the coded text columns, a formula is not a code', async () => {
    await expectRejected(csv(HEADER, ok, '=1+1,2024,cases_initiated,1'), {
      line: 3,
      col: 1,
      column: 'unit_code',
      message: /"=1\+1" is not a unit code/,
    });
    await expectRejected(csv(HEADER, ok, '2025-03:26734,2024,"=HYPERLINK(""http://x"",""cases_solved"")",1'), {
      line: 3,
      col: 3,
      column: 'indicator',
      message: /unknown indicator "=HYPERLINK/,
    });
  });

  // source_note is the one free-text column: its text goes back out through the API, into spreadsheets.
  it.each([
    ['"=HYPERLINK(""http://x"",""12"")"', '='],
    ['@SUM(A1:A9)', '@'],
    ['"+cmd|\' /C calc\'!A0"', '+'],
    ['-2+3', '-'],
    ['"  =1+1"', '='],
    ['"\t=1+1"', '\\t'],
  ])('a source_note of %s is refused: it begins with %s', async (note, first) => {
    const { issue } = await expectRejected(
      csv(NOTE, `${ok},Báo cáo số 12`, `2025-03:26734,2024,cases_initiated,1,${note}`),
      {
        line: 3,
        col: 5,
        column: 'source_note',
        message: /begins with .*, which a spreadsheet runs as a formula when the data is exported; expected plain text/,
      },
    );
    expect(issue.message).toContain(`begins with "${first}"`);
  });

  it('a source_note with formula characters inside (not first) loads', async () => {
    const w = await freshWarehouse();
    const r = await loadFiles(
      w,
      [
        writeFile(
          dir,
          'notes-ok.csv',
          csv(NOTE, '2025-03:26734,2024,cases_initiated,1,"Tổng = 1 + 0, theo @Công an tỉnh"'),
        ),
      ],
      { today: TODAY, baseDir: dir },
    );
    expect(r.files[0]).toMatchObject({ status: 'loaded', issues: [] });
    expect(await w.sql('SELECT source_note FROM facts')).toEqual([{ source_note: 'Tổng = 1 + 0, theo @Công an tỉnh' }]);
    await closeWarehouse(w);
  });

  it('in JSON, a source_note formula is located at its value', async () => {
    const text =
      '[\n  {"unit_code": "VN", "period": "2024", "indicator": "cases_solved", "value": 1, "source_note": ' +
      '"@SUM(A1)"}\n]\n';
    await expectRejected(
      text,
      { line: 2, col: text.split('\n')[1].indexOf('"@SUM') + 1, column: 'source_note', message: /begins with "@"/ },
      { ext: 'json' },
    );
  });

  it(
    "in XLSX, a text cell holding a formula's text is refused like the CSV one; a real formula cell is refused as " +
      'a formula',
    async () => {
      const wb = new ExcelJS.Workbook();
      const sheet = wb.addWorksheet('Báo cáo');
      sheet.addRows([
        ['unit_code', 'period', 'indicator', 'value', 'source_note'],
        ['VN', '2024', 'cases_solved', 1, '=HYPERLINK("http://x","12")'],
      ]);
      await expectRejected(
        Buffer.from(await wb.xlsx.writeBuffer()),
        { line: 2, col: 5, column: 'source_note', message: /begins with "="/ },
        { ext: 'xlsx' },
      );
      sheet.getCell('E2').value = { formula: 'HYPERLINK("http://x","12")', result: '12' };
      await expectRejected(
        Buffer.from(await wb.xlsx.writeBuffer()),
        { line: 2, col: 5, column: 'source_note', message: /^cell E2 holds a formula; expected a plain value/ },
        { ext: 'xlsx' },
      );
    },
  );
});

describe('many errors', () => {
  it('every bad row is reported, and the total counts them all', async () => {
    // Distinct months, so that the rows are not also duplicates of each other.
    const distinct = Array.from(
      { length: 250 },
      (_, i) =>
        `2025-03:26734,${2000 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')},cases_initiated,bad${i}`,
    );
    const { r } = await expectRejected(csv(HEADER, ...distinct), {
      line: 2,
      col: 4,
      message: /"bad0" is not a number/,
    });
    expect(r.files[0].errors).toBe(250);
    expect(r.files[0].issues.length).toBeLessThanOrEqual(200);
  });
});

/** A part of a zip archive written by hand, so that a test can make the archive declare whatever it likes. */
interface RawPart {
  name: string;
  method: 0 | 8;
  data: Buffer;
  crc: number;
  size: number;
  /** What the headers say the part unzips to, when it lies. */
  declaredSize?: number;
}

function part(name: string, content: string | Buffer, method: 0 | 8 = 8): RawPart {
  const bytes = Buffer.from(content);
  return {
    name,
    method,
    data: method === 8 ? zlib.deflateRawSync(bytes) : bytes,
    crc: zlib.crc32(bytes),
    size: bytes.length,
  };
}

/**
 * A zip archive of `parts`, as Excel writes one (UTF-8 names, no data descriptors), optionally with ZIP64 records.
 */
function zipOf(parts: RawPart[], o: { zip64?: boolean } = {}): Buffer {
  const u16 = (n: number) => Buffer.from([n & 0xff, (n >>> 8) & 0xff]);
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n >>> 0);
    return b;
  };
  const u64 = (n: number) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(n));
    return b;
  };
  const big = 0xffffffff;
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const size = p.declaredSize ?? p.size;
    const common = [u16(o.zip64 ? 45 : 20), u16(0x800), u16(p.method), u16(0), u16(0x21), u32(p.crc)];
    const localExtra = o.zip64 ? Buffer.concat([u16(1), u16(16), u64(size), u64(p.data.length)]) : Buffer.alloc(0);
    const local = Buffer.concat([
      u32(0x04034b50),
      ...common,
      u32(o.zip64 ? big : p.data.length),
      u32(o.zip64 ? big : size),
      u16(name.length),
      u16(localExtra.length),
      name,
      localExtra,
      p.data,
    ]);
    const centralExtra = o.zip64
      ? Buffer.concat([u16(1), u16(24), u64(size), u64(p.data.length), u64(offset)])
      : Buffer.alloc(0);
    centrals.push(
      Buffer.concat([
        u32(0x02014b50),
        u16(o.zip64 ? 45 : 20),
        ...common,
        u32(o.zip64 ? big : p.data.length),
        u32(o.zip64 ? big : size),
        u16(name.length),
        u16(centralExtra.length),
        u16(0),
        u16(0),
        u16(0),
        u32(0),
        u32(o.zip64 ? big : offset),
        name,
        centralExtra,
      ]),
    );
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (o.zip64) {
    const recordAt = offset + directory.length;
    tail.push(
      u32(0x06064b50),
      u64(44),
      u16(45),
      u16(45),
      u32(0),
      u32(0),
      u64(parts.length),
      u64(parts.length),
      u64(directory.length),
      u64(offset),
    );
    tail.push(u32(0x07064b50), u32(0), u64(recordAt), u32(1));
  }
  const n = o.zip64 ? 0xffff : parts.length;
  tail.push(
    u32(0x06054b50),
    u16(0),
    u16(0),
    u16(n),
    u16(n),
    u32(o.zip64 ? big : directory.length),
    u32(o.zip64 ? big : offset),
    u16(0),
  );
  return Buffer.concat([...locals, directory, ...tail]);
}

const SHEET_HEAD =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet ' +
  'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>';
const SHEET_TAIL = '</sheetData></worksheet>';

/** Sheet XML rows of inline strings, as some tools write them. */
function sheetRows(rows: string[][]): string {
  const col = (i: number) => String.fromCharCode(65 + i);
  return rows
    .map(
      (cells, r) =>
        `<row ` +
        `r="${r + 1}">${cells.map((v, i) => `<c r="${col(i)}${r + 1}" t="inlineStr"><is><t>${v}</t></is></c>`).join('')}</row>`,
    )
    .join('');
}

/** The parts of a minimal Excel workbook around one sheet part. */
function workbookParts(sheet: RawPart): RawPart[] {
  const rels = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
  return [
    part(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types ' +
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ' +
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ' +
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override ' +
        'PartName="/xl/worksheets/sheet1.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    ),
    part(
      '_rels/.rels',
      `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" ` +
        `Type="${rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    part(
      'xl/workbook.xml',
      `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="${rels}"><sheets><sheet ` +
        `name="Báo cáo" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    ),
    part(
      'xl/_rels/workbook.xml.rels',
      `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" ` +
        `Type="${rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
    ),
    sheet,
  ];
}

const GOOD_ROWS = [
  ['unit_code', 'period', 'indicator', 'value'],
  ['2025-03:26734', '2023', 'cases_solved', '4'],
  ['VN', '2023Q2', 'hotline_calls', '17'],
];

/**
 * A sheet part of `spaces` blank bytes between two real rows, deflated as a stream (level 9, about 1,030:1):
 * the size of a zip bomb without ever holding it in memory.
 */
async function bombSheet(spaces: number): Promise<RawPart> {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  let size = 0;
  const write = async (chunk: Buffer) => {
    crc = zlib.crc32(chunk, crc);
    size += chunk.length;
    if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once('drain', resolve));
  };
  await write(Buffer.from(SHEET_HEAD + sheetRows(GOOD_ROWS)));
  const blank = Buffer.alloc(2 ** 20, 0x20);
  for (let left = spaces; left > 0; left -= blank.length)
    await write(left >= blank.length ? blank : blank.subarray(0, left));
  await write(Buffer.from(SHEET_TAIL));
  deflate.end();
  await ended;
  return { name: 'xl/worksheets/sheet1.xml', method: 8, data: Buffer.concat(out), crc, size };
}

const GiB = 2 ** 30;
const MiB = 2 ** 20;

/**
 * The process's peak resident memory above its level at the start of `fn` (Linux: VmHWM, reset through clear_refs).
 */
async function peakGrowth<T>(fn: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  const kib = (field: string) =>
    Number(fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`${field}:\\s+(\\d+) kB`))![1]) * 1024;
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = kib('VmRSS');
  const result = await fn();
  return { result, bytes: kib('VmHWM') - before };
}

describe('workbooks that are not what they claim (.xlsx)', () => {
  let bomb: RawPart;
  beforeAll(async () => {
    bomb = await bombSheet(GiB);
    expect(bomb.data.length).toBeLessThan(2 * MiB);
  }, 60_000);

  it('the hand-written workbook itself loads: the rejections below are for their size, not their shape', async () => {
    const w = await freshWarehouse();
    for (const [name, zip] of [
      [
        'plain.xlsx',
        zipOf(workbookParts(part('xl/worksheets/sheet1.xml', SHEET_HEAD + sheetRows(GOOD_ROWS) + SHEET_TAIL))),
      ],
      [
        'zip64.xlsx',
        zipOf(
          workbookParts(
            part('xl/worksheets/sheet1.xml', SHEET_HEAD + sheetRows(GOOD_ROWS) + ' '.repeat(1000) + SHEET_TAIL),
          ),
          { zip64: true },
        ),
      ],
    ] as const) {
      const r = await loadFiles(w, [writeFile(dir, name, zip)], { today: TODAY, baseDir: dir });
      expect(r.files[0].issues).toEqual([]);
      expect(r.files[0]).toMatchObject({ status: 'loaded', rows: 2 });
    }
    await closeWarehouse(w);
  });

  it('a zip bomb: a sheet that declares 1 GiB is refused before anything is inflated, in bounded memory', async () => {
    const zip = zipOf(workbookParts(bomb));
    const { bytes } = await peakGrowth(() =>
      expectRejected(
        zip,
        {
          line: null,
          col: null,
          message:
            /^expands to more than 256\.0 MiB once unzipped \(xl\/worksheets\/sheet1\.xml alone declares 1\.0 GiB\); expected an Excel workbook of reasonable size/,
        },
        { ext: 'xlsx' },
      ),
    );
    console.log('PEAK', bytes / MiB);
    expect(bytes).toBeLessThan(256 * MiB);
  });

  it('a zip bomb within the size limit: a part that would expand over 100 times is refused', async () => {
    const sheet = await bombSheet(200 * MiB);
    await expectRejected(
      zipOf(workbookParts(sheet)),
      {
        line: null,
        col: null,
        message:
          /^part xl\/worksheets\/sheet1\.xml would expand 1,0\d\d times \(from 19\d\.\d KiB to 200\.0 MiB\), as a zip bomb does; expected an Excel workbook of reasonable size/,
      },
      { ext: 'xlsx' },
    );
  });

  it(
    'a zip bomb that lies about its size: inflating stops at the first byte beyond the 4 KiB it declares, in ' +
      'bounded memory',
    async () => {
      const zip = zipOf(workbookParts({ ...bomb, declaredSize: 4096 }));
      const { bytes } = await peakGrowth(() =>
        expectRejected(
          zip,
          {
            line: null,
            col: null,
            message:
              /^part xl\/worksheets\/sheet1\.xml holds more than the 4\.0 KiB its directory declares \(stopped there\).*expected an Excel workbook of reasonable size/,
          },
          { ext: 'xlsx' },
        ),
      );
      console.log('PEAK', bytes / MiB);
      expect(bytes).toBeLessThan(256 * MiB);
    },
  );

  it('the same lie in ZIP64 records', async () => {
    await expectRejected(
      zipOf(workbookParts({ ...bomb, declaredSize: 4096 }), { zip64: true }),
      { line: null, col: null, message: /holds more than the 4\.0 KiB its directory declares/ },
      { ext: 'xlsx' },
    );
  });

  it('a CSV file named .xlsx', async () => {
    await expectRejected(
      csv(HEADER, ok),
      {
        line: null,
        col: null,
        message: /^is text, not a zip archive.*a CSV file renamed \.xlsx\?\); expected an Excel workbook/,
      },
      { ext: 'xlsx' },
    );
  });

  it('an old .xls workbook (or a password-protected one) named .xlsx', async () => {
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]);
    await expectRejected(
      ole,
      {
        line: null,
        col: null,
        message:
          /Excel 97–2003 \(\.xls\) and password-protected workbooks.*expected an unprotected Excel workbook \(\.xlsx\)/,
      },
      { ext: 'xlsx' },
    );
  });

  it('binary that is not a zip', async () => {
    await expectRejected(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      { line: null, col: null, message: /^is not a zip archive \(it starts with the bytes 89 50 4e 47\)/ },
      { ext: 'xlsx' },
    );
  });

  it('a zip archive without xl/workbook.xml (a Word document renamed)', async () => {
    const docx = zipOf([part('[Content_Types].xml', '<Types/>'), part('word/document.xml', '<w:document/>')]);
    await expectRejected(
      docx,
      {
        line: null,
        col: null,
        message:
          /^is a zip archive without xl\/workbook\.xml, so not an Excel workbook \(it holds \[Content_Types\]\.xml, word\/document\.xml: a \.docx/,
      },
      { ext: 'xlsx' },
    );
  });

  it('a workbook cut short (a truncated download)', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Báo cáo').addRows(GOOD_ROWS);
    const full = Buffer.from(await wb.xlsx.writeBuffer());
    await expectRejected(
      full.subarray(0, Math.floor(full.length * 0.7)),
      { line: null, col: null, message: /no end record: the file is truncated or damaged/ },
      { ext: 'xlsx' },
    );
  });

  it('one changed byte inside a stored sheet is caught by its checksum, not loaded as another figure', async () => {
    const xml = SHEET_HEAD + sheetRows(GOOD_ROWS) + SHEET_TAIL;
    const zip = zipOf(workbookParts(part('xl/worksheets/sheet1.xml', xml, 0)));
    const at = zip.indexOf('<t>17</t>') + 3;
    zip[at] = '2'.charCodeAt(0); // 17 → 27: well-formed, plausible, wrong
    await expectRejected(
      zip,
      {
        line: null,
        col: null,
        message: /^part xl\/worksheets\/sheet1\.xml is damaged \(its checksum does not match its content\)/,
      },
      { ext: 'xlsx' },
    );
  });

  it("the portable CRC-32 (for Node 20 before 20.15) agrees with zlib's", () => {
    const data = Buffer.from(Array.from({ length: 4099 }, (_, i) => (i * 7919) & 0xff));
    expect(crc32Portable(data)).toBe(zlib.crc32(data));
    expect(crc32Portable(data.subarray(1000), crc32Portable(data.subarray(0, 1000)))).toBe(zlib.crc32(data));
  });
});
