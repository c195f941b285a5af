/**
 * Every format of the report file contract gives the same facts as the equivalent plain CSV: UTF-8 with a BOM,
 * Excel's "Unicode Text" (UTF-16LE with BOM, tab-separated), semicolons, columns in any order, XLSX, JSON.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import type { LoadIssue } from '../../etl/issues.ts';
import {
  cleanupTemp,
  closeWarehouse,
  count,
  currentFacts,
  freshWarehouse,
  HEADER_FULL,
  tempDir,
  writeFile,
} from '../helpers.ts';

const TODAY = '2026-01-15';

/** The reference report, as records of the contract's columns. */
const ROWS = [
  {
    unit_code: '2025-03:26734',
    period: '2024',
    indicator: 'cases_initiated',
    value: '3',
    sex: '',
    age_group: '',
    submitted_on: '2024-04-05',
  },
  {
    unit_code: '2025-07:00004',
    period: '202509',
    indicator: 'victims_returned',
    value: '2',
    sex: 'female',
    age_group: '',
    submitted_on: '2025-10-03',
  },
  {
    unit_code: '2025-07:00004',
    period: '202509',
    indicator: 'victims_returned',
    value: '5',
    sex: '',
    age_group: '',
    submitted_on: '2025-10-03',
  },
  {
    unit_code: 'VN',
    period: '2024Q1',
    indicator: 'tipoffs_received',
    value: '1200',
    sex: '',
    age_group: '',
    submitted_on: '2024-04-05',
  },
  {
    unit_code: '00004',
    period: '2024',
    indicator: 'outreach_sessions',
    value: '7',
    sex: '',
    age_group: '',
    submitted_on: '2024-04-05',
  },
];

const COLS = HEADER_FULL.split(',') as (keyof (typeof ROWS)[number])[];

function delimited(delimiter: string, columns = COLS): string[] {
  return [columns.join(delimiter), ...ROWS.map((r) => columns.map((c) => r[c]).join(delimiter))];
}

let dir: string;
let reference: Awaited<ReturnType<typeof currentFacts>>;

beforeAll(async () => {
  dir = tempDir();
  const w = await freshWarehouse();
  const r = await loadFiles(w, [writeFile(dir, 'reference.csv', delimited(',').join('\n') + '\n')], {
    today: TODAY,
    baseDir: dir,
  });
  expect(r).toMatchObject({ loaded: 1, rows: ROWS.length });
  reference = await currentFacts(w);
  expect(reference).toHaveLength(ROWS.length);
  await closeWarehouse(w);
});
afterAll(cleanupTemp);

/** Loads one file into a fresh warehouse; returns the outcome and the current facts. */
async function loadOne(name: string, content: string | Buffer) {
  const w = await freshWarehouse();
  try {
    const r = await loadFiles(w, [writeFile(dir, name, content)], { today: TODAY, baseDir: dir });
    return { r, file: r.files[0], facts: await currentFacts(w), factCount: await count(w, 'facts') };
  } finally {
    await closeWarehouse(w);
  }
}

async function expectSameFacts(name: string, content: string | Buffer) {
  const { file, facts } = await loadOne(name, content);
  expect(file.issues).toEqual([]);
  expect(file).toMatchObject({ status: 'loaded', rows: ROWS.length });
  expect(facts).toEqual(reference);
}

describe('text formats', () => {
  it('UTF-8 with a byte-order mark and CRLF line ends', async () => {
    await expectSameFacts(
      'bom.csv',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(delimited(',').join('\r\n') + '\r\n')]),
    );
  });

  it('Excel "Unicode Text": UTF-16LE with a BOM, tab-separated, CRLF', async () => {
    await expectSameFacts(
      'unicode.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(delimited('\t').join('\r\n') + '\r\n', 'utf16le')]),
    );
  });

  it('UTF-16BE with a BOM, tab-separated', async () => {
    const le = Buffer.from(delimited('\t').join('\n') + '\n', 'utf16le');
    await expectSameFacts('unicode-be.tsv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]));
  });

  it('semicolon-separated', async () => {
    await expectSameFacts('semicolon.csv', delimited(';').join('\n') + '\n');
  });

  it('columns in another order, optional ones left out where unused', async () => {
    const columns: typeof COLS = ['submitted_on', 'value', 'sex', 'indicator', 'period', 'unit_code'];
    await expectSameFacts('reordered.csv', delimited(',', columns).join('\n') + '\n');
  });

  it('quoted fields and spaces around values', async () => {
    const lines = [COLS.join(','), ...ROWS.map((r) => COLS.map((c) => (r[c] ? `" ${r[c]} "` : '')).join(','))];
    await expectSameFacts('quoted.csv', lines.join('\n') + '\n');
  });

  it('fields of spaces are empty, as blank cells of a workbook are (not a sex or age group of "")', async () => {
    const lines = [COLS.join(','), ...ROWS.map((r) => COLS.map((c) => r[c] || '   ').join(','))];
    await expectSameFacts('blank-spaces.csv', lines.join('\n') + '\n');
  });

  it('a bad row in a UTF-16 file is located on its line', async () => {
    const lines = delimited('\t');
    lines[3] = lines[3].replace('\t5\t', '\tfive\t');
    const { file, factCount } = await loadOne(
      'bad-unicode.txt',
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\n') + '\n', 'utf16le')]),
    );
    expect(file.status).toBe('rejected');
    expect(file.issues).toEqual([
      expect.objectContaining({
        line: 4,
        col: 4,
        column: 'value',
        message: expect.stringMatching(/"five" is not a number/),
      }),
    ]);
    expect(factCount).toBe(0);
  });
});

/** An XLSX workbook with the header in row 1 and `rows` below. */
async function workbook(columns: readonly string[], rows: Record<string, unknown>[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Báo cáo');
  sheet.addRow([...columns]);
  for (const r of rows) sheet.addRow(columns.map((c) => r[c] ?? null));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const xlsxRows = (transform: (r: (typeof ROWS)[number]) => Record<string, unknown>) => ROWS.map((r) => transform(r));
const blank = (r: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v]));

describe('XLSX', () => {
  it('values as numbers', async () => {
    await expectSameFacts(
      'numbers.xlsx',
      await workbook(
        COLS,
        xlsxRows((r) => blank({ ...r, value: Number(r.value) })),
      ),
    );
  });

  it('values as text', async () => {
    await expectSameFacts(
      'text.xlsx',
      await workbook(
        COLS,
        xlsxRows((r) => blank({ ...r })),
      ),
    );
  });

  it('submitted_on as a Date cell', async () => {
    const asDate = (s: string) => {
      const [y, m, d] = s.split('-').map(Number);
      return new Date(Date.UTC(y, m - 1, d));
    };
    await expectSameFacts(
      'dates.xlsx',
      await workbook(
        COLS,
        xlsxRows((r) => blank({ ...r, submitted_on: asDate(r.submitted_on) })),
      ),
    );
  });

  it('columns in another order', async () => {
    const columns = ['indicator', 'value', 'unit_code', 'period', 'submitted_on', 'sex'];
    await expectSameFacts(
      'reordered.xlsx',
      await workbook(
        columns,
        xlsxRows((r) => blank({ ...r, value: Number(r.value) })),
      ),
    );
  });

  it('a formula cell is rejected, naming the cell', async () => {
    const rows = xlsxRows((r) => blank({ ...r }));
    rows[1].value = { formula: 'HYPERLINK("http://x","1")', result: '1' };
    const { file, factCount } = await loadOne('formula.xlsx', await workbook(COLS, rows));
    expect(file.status).toBe('rejected');
    expect(file.issues).toEqual([
      expect.objectContaining({ severity: 'error', file: 'formula.xlsx', line: 3, col: 4, column: 'value' }),
    ]);
    expect(file.issues[0].message).toMatch(/^cell D3 holds a formula; expected a plain value/);
    expect(factCount).toBe(0);
  });

  it('a bad value is located by row and column', async () => {
    const rows = xlsxRows((r) => blank({ ...r, value: Number(r.value) }));
    rows[2].value = 'năm';
    const { file, factCount } = await loadOne('bad-value.xlsx', await workbook(COLS, rows));
    expect(file.status).toBe('rejected');
    expect(file.issues).toEqual([
      expect.objectContaining({
        line: 4,
        col: 4,
        column: 'value',
        message: expect.stringMatching(/"năm" is not a number/),
      }),
    ]);
    expect(factCount).toBe(0);
  });

  it('a header problem is reported on row 1 by cell', async () => {
    const { file } = await loadOne(
      'bad-header.xlsx',
      await workbook(
        ['unit_code', 'period', 'indicator', 'amount'],
        [{ unit_code: 'VN', period: '2024', indicator: 'cases_solved', amount: 1 }],
      ),
    );
    expect(file.status).toBe('rejected');
    const issues = file.issues.map((i: LoadIssue) => [i.line, i.col, i.message.slice(0, 31)]);
    expect(issues).toContainEqual([1, 4, 'cell D1 unknown column "amount"']);
    expect(file.issues.some((i) => /no "value" column/.test(i.message))).toBe(true);
  });
});

describe('JSON', () => {
  const objects = () => ROWS.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== '')));

  it('an array of objects, values as strings', async () => {
    await expectSameFacts('strings.json', JSON.stringify(objects()));
  });

  it('an array of objects, values as numbers, pretty-printed, nulls for empty fields', async () => {
    const rows = ROWS.map((r) => ({ ...r, value: Number(r.value), sex: r.sex || null, age_group: null }));
    await expectSameFacts('numbers.json', JSON.stringify(rows, null, 2));
  });

  it('a syntax error names its line and column', async () => {
    const text =
      '[\n  {"unit_code": "VN", "period": "2024", "indicator": "cases_solved", "value": 1},\n  {"unit_code": "VN" ' +
      '"period": "2024"}\n]\n';
    const { file, factCount } = await loadOne('syntax.json', text);
    expect(file.status).toBe('rejected');
    // Line 3: `  {"unit_code": "VN" "period"…`: the unexpected string starts at column 22.
    expect(file.issues[0]).toMatchObject({ severity: 'error', file: 'syntax.json', line: 3, col: 22 });
    expect(file.issues[0].message).toMatch(/invalid JSON/);
    expect(factCount).toBe(0);
  });

  it('an object without "value" is an error naming the object\'s line', async () => {
    const text =
      '[\n  {"unit_code": "VN", "period": "2024", "indicator": "cases_solved", "value": 1},\n  {"unit_code": "VN", ' +
      '"period": "2024", "indicator": "cases_initiated"}\n]\n';
    const { file, factCount } = await loadOne('missing.json', text);
    expect(file.status).toBe('rejected');
    expect(file.issues).toEqual([
      expect.objectContaining({
        line: 3,
        col: 3,
        column: 'value',
        message: expect.stringMatching(/no "value"; required: unit_code, period, indicator, value/),
      }),
    ]);
    expect(factCount).toBe(0);
  });

  it('an unknown key is an error at the key', async () => {
    const text =
      '[\n  {"unit_code": "VN", "period": "2024", "indicator": "cases_solved", "value": 1, "note": "x"}\n]\n';
    const { file } = await loadOne('unknown-key.json', text);
    expect(file.status).toBe('rejected');
    const col = text.split('\n')[1].indexOf('"note"') + 1;
    expect(file.issues).toEqual([
      expect.objectContaining({ line: 2, col, column: 'note', message: expect.stringMatching(/unknown key "note"/) }),
    ]);
  });

  it('not an array', async () => {
    const { file } = await loadOne('object.json', '{"unit_code": "VN"}');
    expect(file.status).toBe('rejected');
    expect(file.issues[0]).toMatchObject({ line: 1, col: 1, message: expect.stringMatching(/expected a JSON array/) });
  });

  it('a validation error in a pretty-printed file names the line and column of the offending value', async () => {
    const rows = objects();
    rows[1] = { ...rows[1], indicator: 'victims_retuned' };
    const text = JSON.stringify(rows, null, 2);
    const { file } = await loadOne('pretty.json', text);
    expect(file.status).toBe('rejected');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('"victims_retuned"')) + 1;
    const col = lines[line - 1].indexOf('"victims_retuned"') + 1;
    expect(file.issues).toEqual([
      expect.objectContaining({ column: 'indicator', message: expect.stringMatching(/did you mean victims_returned/) }),
    ]);
    expect([file.issues[0].line, file.issues[0].col]).toEqual([line, col]);
  });
});
