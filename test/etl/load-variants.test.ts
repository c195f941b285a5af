/**
 * Generated variants of one valid report (fast-check, fixed seed: set PCMBN_FC_SEED to explore others; a failure
 * prints the seed and the shrunk counterexample to replay).
 *
 * - Every way of writing the same report (row and column order; comma, semicolon or tab; BOM or not; UTF-16 LE/BE;
 *   CRLF or LF; quoting; spaces; blank lines; CSV, JSON or XLSX and their own options) loads exactly the facts of
 *   the canonical file.
 * - Every corruption (truncated at any byte, a byte changed, a field deleted, a bad value at any row and column, a
 *   row duplicated, a header column dropped) is either rejected, every issue naming the file and a real line, with
 *   the warehouse unchanged, or, when the damage happens to leave a readable report, loads exactly what the bytes
 *   still say: the rows before the damage as they were, and at most the one damaged row differing only in the
 *   damaged field. Where the damage is certain to make the file wrong, the rejection is required and must point at
 *   the damaged row (and column).
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import type { LoadIssue } from '../../etl/issues.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import {
  cleanupTemp,
  closeWarehouse,
  type FactRow,
  freshWarehouse,
  freshWarehousePath,
  snapshot,
  tempDir,
  writeFile,
} from '../helpers.ts';

const TODAY = '2026-01-15';
const SEED = Number(process.env.PCMBN_FC_SEED ?? 20260115);
const VALID_RUNS = 250;
const BATCH = 10;
const CORRUPT_RUNS = 250;

const COLS = [
  'unit_code',
  'period',
  'indicator',
  'value',
  'sex',
  'age_group',
  'submitted_on',
  'hierarchy',
  'source_note',
] as const;
type Col = (typeof COLS)[number];
type Row = Record<Col, string>;

const row = (r: Partial<Row>): Row => ({
  unit_code: '',
  period: '',
  indicator: '',
  value: '',
  sex: '',
  age_group: '',
  submitted_on: '',
  hierarchy: '',
  source_note: '',
  ...r,
});

/** The canonical report: both unit lists, a plain code with and without `hierarchy`, disaggregations, notes that need
 * quoting. */
const ROWS: Row[] = [
  row({
    unit_code: '2025-03:26734',
    period: '2024',
    indicator: 'cases_initiated',
    value: '3',
    submitted_on: '2024-04-05',
  }),
  row({
    unit_code: '2025-07:00004',
    period: '202509',
    indicator: 'victims_returned',
    value: '2',
    sex: 'female',
    submitted_on: '2025-10-03',
    source_note: 'Báo cáo số 12/BC-CA; "khẩn", bổ sung',
  }),
  row({
    unit_code: '2025-07:00004',
    period: '202509',
    indicator: 'victims_returned',
    value: '1',
    sex: 'male',
    age_group: 'child',
    submitted_on: '2025-10-03',
  }),
  row({
    unit_code: '2025-07:00004',
    period: '202509',
    indicator: 'victims_returned',
    value: '5',
    submitted_on: '2025-10-03',
  }),
  row({
    unit_code: 'VN',
    period: '2024Q1',
    indicator: 'tipoffs_received',
    value: '1200',
    submitted_on: '2024-04-05',
    source_note: 'dòng một\ndòng hai',
  }),
  row({
    unit_code: '00004',
    period: '2024',
    indicator: 'outreach_sessions',
    value: '7',
    submitted_on: '2024-04-05',
    hierarchy: '2025-03',
  }),
  row({ unit_code: '26734', period: '2024S1', indicator: 'cases_solved', value: '0' }),
  row({
    unit_code: '2025-03:26734',
    period: '202403',
    indicator: 'hotline_calls',
    value: '12500',
    submitted_on: '2024-04-02',
    source_note: 'Tổng đài 111',
  }),
];
const N = ROWS.length;

/** Values certainly wrong in each column, whatever the row. */
const BAD: Record<Col, string[]> = {
  unit_code: ['XYZ', '1234', '2025-05:00004', '=1+1'],
  period: ['2024Q5', '202413', '2024S3', '24', '2024-01'],
  indicator: ['victim_returned', 'case_clearance_rate', 'nope'],
  value: ['-1', '1.5', 'abc', '12.500', '=1+1', '1e3', ''],
  sex: ['F', 'nam', 'both'],
  age_group: ['under16', 'old'],
  submitted_on: ['2024-02-30', '05/04/2024', '2099-01-01'],
  hierarchy: ['2025-05', 'old'],
  source_note: ['=HYPERLINK("http://x","12")', '@SUM(A1)', '+cmd', '-1'],
};

/** Which properties of a fact a column decides (a unit code is resolved in the list the period chooses). */
const DECIDES: Record<Col, (keyof Fact)[]> = {
  unit_code: ['ref'],
  hierarchy: ['ref'],
  period: ['period_id', 'ref'],
  indicator: ['indicator'],
  value: ['value'],
  sex: ['sex'],
  age_group: ['age_group'],
  submitted_on: ['submitted_on'],
  source_note: ['source_note'],
};

interface Fact extends FactRow {
  source_note: string | null;
}

/** Every fact, history included, as a query sees it. */
function factsOf(w: Warehouse): Promise<Fact[]> {
  return w.sql<Fact>(`SELECT u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.value, f.submitted_on::VARCHAR AS submitted_on,
      f.source_note, f.is_current FROM facts f JOIN units u USING (unit_id)
    ORDER BY u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.submitted_on, f.value`);
}

const key = (f: Fact) => JSON.stringify(f);

// ---------------------------------------------------------------------------------------------------------------
// Writing a report in one of its many forms, remembering where each row and field landed.

/** A record as written: the canonical row it comes from and its cells in file order (a cell may be missing). */
interface Rec {
  source: number;
  cells: { column: Col; value: string }[];
}

interface FieldSpan {
  column: Col;
  /** Byte offsets (UTF-8 forms only) of the field, quotes included, without its delimiter. */
  start: number;
  end: number;
  quoted: boolean;
}

interface Placed {
  source: number;
  /** File lines (1-based) the record or object spans; for XLSX, its row. */
  first: number;
  last: number;
  start: number;
  end: number;
  fields: FieldSpan[];
}

interface Written {
  ext: 'csv' | 'json' | 'xlsx';
  bytes: Buffer;
  /** The columns in file order (CSV, XLSX). */
  columns: Col[];
  records: Placed[];
  /** Byte offset where the header (CSV) or the array (JSON) ends, and where the JSON array's closing bracket ends. */
  headerEnd: number;
  closeEnd: number;
  /** Lines in the file (rows of the sheet for XLSX). */
  lines: number;
}

const ENCODINGS = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be'] as const;
type Encoding = (typeof ENCODINGS)[number];

interface CsvStyle {
  delimiter: ',' | ';' | '\t';
  eol: '\n' | '\r\n';
  encoding: Encoding;
  quoting: 'minimal' | 'all' | 'random';
  bits: boolean[];
  pads: number[];
  blanks: number[];
  finalEol: boolean;
}

function encode(text: string, encoding: Encoding): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text);
  if (encoding === 'utf-8-bom') return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
  const le = Buffer.from(text, 'utf16le');
  return encoding === 'utf-16le'
    ? Buffer.concat([Buffer.from([0xff, 0xfe]), le])
    : Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
}

/** Builds text piece by piece, keeping UTF-8 byte offsets and line numbers. */
class Writer {
  text = '';
  bytes: number;
  constructor(bomBytes: number) {
    this.bytes = bomBytes;
  }
  get line(): number {
    let n = 1;
    for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) n++;
    return n;
  }
  put(s: string): void {
    this.text += s;
    this.bytes += Buffer.byteLength(s);
  }
}

function writeCsv(s: CsvStyle, header: string[], records: Rec[], columns: Col[]): Written {
  const w = new Writer(s.encoding === 'utf-8-bom' ? 3 : 0);
  let n = 0;
  const field = (value: string): { text: string; quoted: boolean } => {
    const i = n++;
    const pad = ' '.repeat(s.pads[i % s.pads.length]);
    const needs = /["\r\n]/.test(value) || value.includes(s.delimiter);
    const quoted = needs || s.quoting === 'all' || (s.quoting === 'random' && s.bits[i % s.bits.length]);
    return quoted
      ? { text: `"${pad}${value.replaceAll('"', '""')}${pad}"`, quoted }
      : { text: `${pad}${value}${pad}`, quoted };
  };
  header.forEach((h, i) => w.put((i ? s.delimiter : '') + field(h).text));
  const headerEnd = w.bytes;
  const placed: Placed[] = [];
  records.forEach((r, k) => {
    w.put(s.eol);
    for (let b = 0; b < s.blanks[k % s.blanks.length]; b++) w.put(s.eol);
    const p: Placed = { source: r.source, first: w.line, last: 0, start: w.bytes, end: 0, fields: [] };
    r.cells.forEach((c, i) => {
      if (i) w.put(s.delimiter);
      const f = field(c.value);
      const start = w.bytes;
      w.put(f.text);
      p.fields.push({ column: c.column, start, end: w.bytes, quoted: f.quoted });
    });
    p.end = w.bytes;
    p.last = w.line;
    placed.push(p);
  });
  if (s.finalEol) w.put(s.eol);
  return {
    ext: 'csv',
    bytes: encode(w.text, s.encoding),
    columns,
    records: placed,
    headerEnd,
    closeEnd: w.bytes,
    lines: w.line,
  };
}

interface JsonStyle {
  indent: 0 | 2 | '\t';
  numbers: boolean;
  empty: 'omit' | 'null' | 'empty';
  bom: boolean;
  keyOrders: number[][];
}

function writeJson(s: JsonStyle, records: Rec[]): Written {
  const w = new Writer(s.bom ? 3 : 0);
  const ind = s.indent === 0 ? '' : s.indent === 2 ? '  ' : '\t';
  const nl = s.indent === 0 ? '' : '\n';
  const placed: Placed[] = [];
  w.put('[');
  records.forEach((r, k) => {
    w.put((k ? ',' : '') + nl + ind);
    const p: Placed = { source: r.source, first: w.line, last: 0, start: w.bytes, end: 0, fields: [] };
    w.put('{');
    const order = s.keyOrders[k % s.keyOrders.length].filter((i) => i < r.cells.length);
    const cells = [...order.map((i) => r.cells[i]), ...r.cells.filter((_, i) => !order.includes(i))];
    let first = true;
    for (const c of cells) {
      if (c.value === '' && s.empty === 'omit' && c.column !== 'value') continue;
      w.put((first ? '' : ',') + nl + ind + ind);
      first = false;
      const start = w.bytes;
      const value =
        c.value === '' && s.empty === 'null'
          ? 'null'
          : s.numbers && c.column === 'value' && /^\d+$/.test(c.value)
            ? c.value
            : JSON.stringify(c.value);
      w.put(`${JSON.stringify(c.column)}:${ind ? ' ' : ''}${value}`);
      p.fields.push({ column: c.column, start, end: w.bytes, quoted: false });
    }
    w.put(nl + ind + '}');
    p.end = w.bytes;
    p.last = w.line;
    placed.push(p);
  });
  w.put(nl + ']');
  const closeEnd = w.bytes;
  w.put('\n');
  return {
    ext: 'json',
    bytes: encode(w.text, s.bom ? 'utf-8-bom' : 'utf-8'),
    columns: [],
    records: placed,
    headerEnd: 0,
    closeEnd,
    lines: w.line,
  };
}

interface XlsxStyle {
  numbers: boolean;
  dates: boolean;
  emptyText: boolean;
  gaps: number[];
}

async function writeXlsx(s: XlsxStyle, header: string[], records: Rec[], columns: Col[]): Promise<Written> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Báo cáo tháng');
  sheet.getRow(1).values = header;
  let line = 1;
  const placed: Placed[] = [];
  records.forEach((r, k) => {
    line += 1 + s.gaps[k % s.gaps.length];
    sheet.getRow(line).values = r.cells.map((c) => {
      if (c.value === '') return s.emptyText ? '' : null;
      if (s.numbers && c.column === 'value' && /^\d+$/.test(c.value)) return Number(c.value);
      const date = new Date(`${c.value}T00:00:00Z`);
      if (
        s.dates &&
        c.column === 'submitted_on' &&
        !Number.isNaN(date.getTime()) &&
        date.toISOString().slice(0, 10) === c.value
      )
        return date;
      return c.value;
    });
    placed.push({ source: r.source, first: line, last: line, start: 0, end: 0, fields: [] });
  });
  return {
    ext: 'xlsx',
    bytes: Buffer.from(await wb.xlsx.writeBuffer()),
    columns,
    records: placed,
    headerEnd: 0,
    closeEnd: 0,
    lines: line,
  };
}

type Format =
  { kind: 'csv'; style: CsvStyle } | { kind: 'json'; style: JsonStyle } | { kind: 'xlsx'; style: XlsxStyle };

interface Variant {
  order: number[];
  columns: number[];
  format: Format;
}

/** The records of the canonical rows in `order`, cells in the variant's column order. */
function recordsOf(v: Variant, order = v.order, rows = ROWS): Rec[] {
  const columns = v.columns.map((i) => COLS[i]);
  return order.map((source) => ({ source, cells: columns.map((column) => ({ column, value: rows[source][column] })) }));
}

/**
 * The canonical report with every value raised by `offset`: variants loaded together, each with its own offset,
 * are revisions of one another, so every row of every file is kept (as history) and each file's facts can be
 * told apart by the file they came from.
 */
const offsetRows = (offset: number): Row[] => ROWS.map((r) => ({ ...r, value: String(Number(r.value) + offset) }));

/** The facts one file brought, as a query sees them but for which revision is current. */
function factsFrom(w: Warehouse, fileName: string): Promise<Omit<Fact, 'is_current'>[]> {
  return w.sql(
    `SELECT u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.value, f.submitted_on::VARCHAR AS submitted_on, f.source_note
    FROM facts f JOIN units u USING (unit_id) JOIN source_files s ON s.file_id = f.load_seq
    WHERE s.file_name = $1 AND s.status = 'loaded'
    ORDER BY u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.submitted_on, f.value`,
    [fileName],
  );
}

async function write(
  v: Variant,
  records = recordsOf(v),
  header: string[] = v.columns.map((i) => COLS[i]),
): Promise<Written> {
  const columns = v.columns.map((i) => COLS[i]);
  if (v.format.kind === 'csv') return writeCsv(v.format.style, header, records, columns);
  if (v.format.kind === 'json') return writeJson(v.format.style, records);
  return writeXlsx(v.format.style, header, records, columns);
}

// ---------------------------------------------------------------------------------------------------------------
// Generators.

const permutation = (n: number) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n });
const bits = fc.array(fc.boolean(), { minLength: 64, maxLength: 64 });
const smallCounts = (max: number, length: number) =>
  fc.array(fc.nat({ max }), { minLength: length, maxLength: length });

const csvStyle = (encodings: readonly Encoding[]): fc.Arbitrary<CsvStyle> =>
  fc.record({
    delimiter: fc.constantFrom(',' as const, ';' as const, '\t' as const),
    eol: fc.constantFrom('\n' as const, '\r\n' as const),
    encoding: fc.constantFrom(...encodings),
    quoting: fc.constantFrom('minimal' as const, 'all' as const, 'random' as const),
    bits,
    pads: smallCounts(2, 64),
    blanks: smallCounts(2, 16),
    finalEol: fc.boolean(),
  });

const jsonStyle: fc.Arbitrary<JsonStyle> = fc.record({
  indent: fc.constantFrom(0 as const, 2 as const, '\t' as const),
  numbers: fc.boolean(),
  empty: fc.constantFrom('omit' as const, 'null' as const, 'empty' as const),
  bom: fc.boolean(),
  keyOrders: fc.array(permutation(COLS.length), { minLength: N + 1, maxLength: N + 1 }),
});

const xlsxStyle: fc.Arbitrary<XlsxStyle> = fc.record({
  numbers: fc.boolean(),
  dates: fc.boolean(),
  emptyText: fc.boolean(),
  gaps: smallCounts(1, 16),
});

const variant = (formats: fc.Arbitrary<Format>): fc.Arbitrary<Variant> =>
  fc.record({ order: permutation(N), columns: permutation(COLS.length), format: formats });

const anyFormat: fc.Arbitrary<Format> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('csv' as const), style: csvStyle(ENCODINGS) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), style: jsonStyle }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('xlsx' as const), style: xlsxStyle }), weight: 1 },
);
/** Forms whose bytes map to offsets: UTF-8 CSV and JSON, and workbooks (which only need to stay intact). */
const byteFormat: fc.Arbitrary<Format> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('csv' as const), style: csvStyle(['utf-8', 'utf-8-bom']) }), weight: 3 },
  { arbitrary: fc.record({ kind: fc.constant('json' as const), style: jsonStyle }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('xlsx' as const), style: xlsxStyle }), weight: 1 },
);
const csvFormat: fc.Arbitrary<Format> = fc.record({ kind: fc.constant('csv' as const), style: csvStyle(ENCODINGS) });
const textFormat: fc.Arbitrary<Format> = fc.oneof(
  csvFormat,
  fc.record({ kind: fc.constant('json' as const), style: jsonStyle }),
);

const fraction = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
const rowIndex = fc.nat({ max: N - 1 });
const column = fc.constantFrom(...COLS);

type Corruption =
  | { kind: 'truncate'; base: Variant; at: number }
  | { kind: 'cut'; base: Variant; rows: number; eol: number }
  | { kind: 'flip'; base: Variant; at: number; byte: number }
  | { kind: 'delete'; base: Variant; row: number; column: Col }
  | { kind: 'bad'; base: Variant; row: number; column: Col; pick: number }
  | { kind: 'duplicate'; base: Variant; row: number; at: number }
  | { kind: 'dropHeader'; base: Variant; column: Col };

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), base: variant(byteFormat), at: fraction }),
  // Truncations at random bytes seldom fall between records: these always do, and must load the rows before.
  fc.record({
    kind: fc.constant('cut' as const),
    base: variant(fc.record({ kind: fc.constant('csv' as const), style: csvStyle(['utf-8', 'utf-8-bom']) })),
    rows: fc.nat({ max: N }),
    eol: fc.nat({ max: 2 }),
  }),
  fc.record({
    kind: fc.constant('flip' as const),
    base: variant(byteFormat),
    at: fraction,
    byte: fc.nat({ max: 255 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), base: variant(textFormat), row: rowIndex, column }),
  fc.record({ kind: fc.constant('bad' as const), base: variant(anyFormat), row: rowIndex, column, pick: fc.nat() }),
  fc.record({
    kind: fc.constant('duplicate' as const),
    base: variant(anyFormat),
    row: rowIndex,
    at: fc.nat({ max: N }),
  }),
  fc.record({ kind: fc.constant('dropHeader' as const), base: variant(csvFormat), column }),
);

// ---------------------------------------------------------------------------------------------------------------
// What a corrupted file may do.

interface Expectation {
  /** The file must be rejected; `at`: with an error on one of these lines, in this column. */
  reject?: { lines?: [number, number]; column?: Col; col?: number; duplicateOf?: number };
  /** The file must load. */
  load?: boolean;
  /** If it loads: exactly the facts of these rows, one of which may differ in what `altered.column` decides. */
  rows: number[];
  altered?: { source: number; column: Col };
}

interface Case {
  written: Written;
  bytes: Buffer;
  expectation: Expectation;
}

const sources = (ps: Placed[]) => ps.map((p) => p.source);

/** Truncated at `at`: what survives is whatever whole records precede the cut, and perhaps the cut one. */
function truncation(w: Written, at: number): Expectation {
  const all = sources(w.records);
  if (w.ext === 'xlsx') return { reject: {}, rows: [] };
  if (w.ext === 'json') return at >= w.closeEnd ? { load: true, rows: all } : { reject: {}, rows: [] };
  if (at < w.headerEnd) return { reject: {}, rows: [] };
  const whole = w.records.filter((r) => r.end <= at);
  const cut = w.records.find((r) => r.start < at && at < r.end);
  if (!cut) return { load: true, rows: sources(whole) };
  const last = cut.fields[cut.fields.length - 1];
  // Cut before the last field began: the record is short of fields.
  if (at < last.start) return { reject: { lines: [cut.first, cut.last] }, rows: [] };
  if (last.quoted && at > last.start) return { reject: {}, rows: [] };
  return { rows: [...sources(whole), cut.source], altered: { source: cut.source, column: last.column } };
}

/** A byte changed at `at`: the field it falls in may read differently, anything else must keep the file as it was. */
function flip(w: Written, at: number): Expectation {
  const all = sources(w.records);
  for (const [k, r] of w.records.entries()) {
    const next = w.records[k + 1]?.start ?? Infinity;
    if (at < r.start || at >= next) continue;
    const field = [...r.fields].reverse().find((f) => f.start <= at) ?? r.fields[0];
    return { rows: all, altered: { source: r.source, column: field.column } };
  }
  return { rows: all };
}

async function build(c: Corruption): Promise<Case> {
  const v = c.base;
  const columns = v.columns.map((i) => COLS[i]);
  const pos = (col: Col) => (v.format.kind === 'json' ? undefined : columns.indexOf(col) + 1);
  switch (c.kind) {
    case 'truncate': {
      const w = await write(v);
      const at = Math.floor(c.at * w.bytes.length);
      return { written: w, bytes: w.bytes.subarray(0, at), expectation: truncation(w, at) };
    }
    case 'cut': {
      const w = await write(v);
      const end = c.rows === 0 ? w.headerEnd : w.records[c.rows - 1].end;
      const at = Math.min(end + c.eol, c.rows < N ? w.records[c.rows].start : w.bytes.length, w.bytes.length);
      return {
        written: w,
        bytes: w.bytes.subarray(0, at),
        expectation: { load: true, rows: sources(w.records.slice(0, c.rows)) },
      };
    }
    case 'flip': {
      const w = await write(v);
      const at = Math.floor(c.at * w.bytes.length);
      const bytes = Buffer.from(w.bytes);
      bytes[at] = c.byte === bytes[at] ? (c.byte + 1) & 0xff : c.byte;
      return { written: w, bytes, expectation: w.ext === 'xlsx' ? { rows: sources(w.records) } : flip(w, at) };
    }
    case 'delete': {
      const records = recordsOf(v);
      const k = records.findIndex((r) => r.source === c.row);
      records[k] = { ...records[k], cells: records[k].cells.filter((x) => x.column !== c.column) };
      const w = await write(v, records);
      const p = w.records[k];
      const required = ['unit_code', 'period', 'indicator', 'value'].includes(c.column);
      // A CSV record short of a field is malformed; a JSON object without an optional key is a different row.
      const expectation: Expectation =
        v.format.kind === 'csv' || required
          ? { reject: { lines: [p.first, p.last], column: v.format.kind === 'json' ? c.column : undefined }, rows: [] }
          : { rows: sources(w.records), altered: { source: c.row, column: c.column } };
      return { written: w, bytes: w.bytes, expectation };
    }
    case 'bad': {
      const records = recordsOf(v);
      const k = records.findIndex((r) => r.source === c.row);
      const value = BAD[c.column][c.pick % BAD[c.column].length];
      records[k] = { ...records[k], cells: records[k].cells.map((x) => (x.column === c.column ? { ...x, value } : x)) };
      const w = await write(v, records);
      const p = w.records[k];
      return {
        written: w,
        bytes: w.bytes,
        expectation: { reject: { lines: [p.first, p.last], column: c.column, col: pos(c.column) }, rows: [] },
      };
    }
    case 'duplicate': {
      const order = [...v.order];
      order.splice(c.at, 0, c.row);
      const w = await write(v, recordsOf(v, order));
      const copies = w.records.filter((r) => r.source === c.row);
      return {
        written: w,
        bytes: w.bytes,
        expectation: { reject: { lines: [copies[1].first, copies[1].last], duplicateOf: copies[0].first }, rows: [] },
      };
    }
    case 'dropHeader': {
      const w = await write(
        v,
        recordsOf(v),
        columns.filter((x) => x !== c.column),
      );
      return { written: w, bytes: w.bytes, expectation: { reject: {}, rows: [] } };
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------

let dir: string;
let files = 0;
/** The facts of each canonical row alone, and of the whole canonical file. */
const factOfRow: Fact[] = [];
let reference: Fact[];

beforeAll(async () => {
  dir = tempDir();
  const canonical: Variant = {
    order: [...Array(N).keys()],
    columns: [...Array(COLS.length).keys()],
    format: {
      kind: 'csv',
      style: {
        delimiter: ',',
        eol: '\n',
        encoding: 'utf-8',
        quoting: 'minimal',
        bits: [false],
        pads: [0],
        blanks: [0],
        finalEol: true,
      },
    },
  };
  const w = await freshWarehouse();
  const r = await loadFiles(w, [writeFile(dir, 'canonical.csv', (await write(canonical)).bytes)], {
    today: TODAY,
    baseDir: dir,
  });
  expect(r.files[0].issues).toEqual([]);
  expect(r.files[0]).toMatchObject({ status: 'loaded', rows: N });
  reference = await factsOf(w);
  expect(reference).toHaveLength(N);
  await closeWarehouse(w);
  for (let i = 0; i < N; i++) {
    const one = await freshWarehouse();
    await loadFiles(one, [writeFile(dir, `row-${i}.csv`, (await write(canonical, recordsOf(canonical, [i]))).bytes)], {
      today: TODAY,
      baseDir: dir,
    });
    const facts = await factsOf(one);
    expect(facts).toHaveLength(1);
    factOfRow.push(facts[0]);
    await closeWarehouse(one);
  }
  expect([...factOfRow].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
    [...reference].sort((a, b) => key(a).localeCompare(key(b))),
  );
}, 120_000);
afterAll(cleanupTemp);

describe('generated variants of a valid report', () => {
  it(`${VALID_RUNS} ways of writing the same report load exactly the canonical facts`, async () => {
    const seen = { csv: 0, json: 0, xlsx: 0 };
    // A load costs mostly its roll-up refresh: variants go BATCH to a load, into a fresh warehouse each time.
    await fc.assert(
      fc.asyncProperty(fc.array(variant(anyFormat), { minLength: BATCH, maxLength: BATCH }), async (vs) => {
        const names: string[] = [];
        for (const [j, v] of vs.entries()) {
          seen[v.format.kind]++;
          const w = await write(v, recordsOf(v, v.order, offsetRows(1000 * j)));
          names.push(`valid-${++files}.${w.ext}`);
          writeFile(dir, names[j], w.bytes);
        }
        const wh = await freshWarehouse();
        try {
          const r = await loadFiles(
            wh,
            names.map((n) => path.join(dir, n)),
            { today: TODAY, baseDir: dir },
          );
          for (const [j, v] of vs.entries()) {
            const f = r.files.find((x) => x.name === names[j])!;
            const variantJson = JSON.stringify(v);
            expect(f.issues, variantJson).toEqual([]);
            expect(f, variantJson).toMatchObject({ status: 'loaded', rows: N });
            const expected = reference.map(({ is_current: _, ...x }) => ({ ...x, value: x.value + 1000 * j }));
            expect(await factsFrom(wh, names[j]), variantJson).toEqual(expected);
          }
        } finally {
          await closeWarehouse(wh);
        }
        // No shrinking: a batch is slow to re-run, and the failing variant is named in the assertion message already.
      }),
      { seed: SEED, numRuns: VALID_RUNS / BATCH, endOnFailure: true },
    );
    console.log(`valid variants: ${JSON.stringify(seen)} (seed ${SEED})`);
    expect(Math.min(seen.csv, seen.json, seen.xlsx)).toBeGreaterThan(VALID_RUNS / 10);
  }, 300_000);
});

describe('generated corruptions of a valid report', () => {
  /**
   * A warehouse holding other figures (2023), so that "unchanged" means something and a load's own facts stand out.
   */
  let seeded: string;
  let seedFacts: Fact[];
  let wh: Warehouse;
  const reopen = async () => {
    const file = path.join(tempDir(), 'warehouse.duckdb');
    fs.copyFileSync(seeded, file);
    wh = await openWarehouse(file);
  };

  beforeAll(async () => {
    seeded = await freshWarehousePath();
    const w = await openWarehouse(seeded);
    const seed =
      'unit_code,period,indicator,value,submitted_on\n2025-03:26734,2023,cases_initiated,9,2024-01-10\nVN,2023Q4,tipoffs_received,40,2024-01-10\n';
    expect((await loadFiles(w, [writeFile(dir, 'seed.csv', seed)], { today: TODAY, baseDir: dir })).loaded).toBe(1);
    seedFacts = await factsOf(w);
    expect(seedFacts).toHaveLength(2);
    await w.close();
    await reopen();
  });
  afterAll(async () => wh.close());

  it(
    `${CORRUPT_RUNS} corruptions: rejected and located with the warehouse unchanged, or loaded exactly as the ` +
      `bytes still read`,
    async () => {
      const outcomes: Record<string, { rejected: number; loaded: number }> = {};
      await fc.assert(
        fc.asyncProperty(corruption, async (c) => {
          const { written, bytes, expectation: e } = await build(c);
          const name = `corrupt-${++files}.${written.ext}`;
          const before = await snapshot(wh);
          const r = await loadFiles(wh, [writeFile(dir, name, bytes)], { today: TODAY, baseDir: dir });
          const f = r.files[0];
          const tally = (outcomes[`${c.kind} ${written.ext}`] ??= { rejected: 0, loaded: 0 });
          if (f.status === 'rejected') {
            tally.rejected++;
            expect(e.load, `a harmless ${c.kind} was rejected: ${JSON.stringify(f.issues)}`).not.toBe(true);
            expect(await snapshot(wh)).toEqual(before);
            expect(f.errors).toBeGreaterThan(0);
            expectLocated(f.issues, name, written, bytes);
            if (e.reject?.lines) expectErrorAt(f.issues, e.reject);
            return;
          }
          tally.loaded++;
          expect(f.status).toBe('loaded');
          expect(e.reject, `a ${c.kind} that must be rejected loaded`).toBeUndefined();
          const own = (await factsOf(wh)).filter((x) => !seedFacts.some((s) => key(s) === key(x)));
          expectFacts(own, e);
          await wh.close();
          await reopen();
        }),
        { seed: SEED, numRuns: CORRUPT_RUNS },
      );
      console.log(`corruptions (seed ${SEED}): ${JSON.stringify(outcomes)}`);
    },
    600_000,
  );
});

/** Every issue names the file; a line, when given, is a line of the file; a column number is at least 1. */
function expectLocated(issues: LoadIssue[], name: string, w: Written, bytes: Buffer): void {
  const lines = w.ext === 'xlsx' ? w.lines : linesOf(bytes);
  for (const i of issues) {
    expect(i.file).toBe(name);
    if (i.line !== null) {
      expect(i.line).toBeGreaterThanOrEqual(1);
      expect(i.line, JSON.stringify(i)).toBeLessThanOrEqual(lines);
      if (i.col !== null) expect(i.col).toBeGreaterThanOrEqual(1);
    }
  }
}

/** Lines of a text file as the loader counts them (UTF-16 decoded first). */
function linesOf(bytes: Buffer): number {
  let text: string;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) text = bytes.subarray(2).toString('utf16le');
  else if (bytes[0] === 0xfe && bytes[1] === 0xff)
    text = Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2)))
      .swap16()
      .toString('utf16le');
  else text = bytes.toString('latin1');
  return text.split('\n').length;
}

function expectErrorAt(issues: LoadIssue[], at: NonNullable<Expectation['reject']>): void {
  const [from, to] = at.lines!;
  const hits = issues.filter(
    (i) =>
      i.severity === 'error' &&
      i.line !== null &&
      i.line >= from &&
      i.line <= to &&
      (at.column === undefined || i.column === at.column) &&
      (at.col === undefined || i.col === at.col) &&
      (at.duplicateOf === undefined || i.message.includes(`(first on line ${at.duplicateOf})`)),
  );
  expect(
    hits,
    `no error on lines ` +
      `${from}–${to}${at.column ? ` in ${at.column}${at.col ? ` (column ${at.col})` : ''}` : ''}${at.duplicateOf ? ` naming line ${at.duplicateOf}` : ''}: ` +
      `${JSON.stringify(issues)}`,
  ).not.toEqual([]);
}

/** The facts a corrupted file loaded: those of `rows`, one of which may differ only in what the damaged column
 * decides. */
function expectFacts(own: Fact[], e: Expectation): void {
  const expected = e.rows.filter((s) => s !== e.altered?.source).map((s) => factOfRow[s]);
  const rest = own.filter((x) => !expected.some((y) => key(x) === key(y)));
  expect(own.length - rest.length, `missing facts: ${JSON.stringify({ own, expected })}`).toBe(expected.length);
  if (!e.altered || !e.rows.includes(e.altered.source)) {
    expect(rest).toEqual([]);
    return;
  }
  expect(rest.length, JSON.stringify(rest)).toBeLessThanOrEqual(1);
  if (rest.length === 0) return;
  const free = DECIDES[e.altered.column];
  const same = (x: Fact) => Object.fromEntries(Object.entries(x).filter(([k]) => !free.includes(k as keyof Fact)));
  expect(same(rest[0])).toEqual(same(factOfRow[e.altered.source]));
}
