/**
 * CSV reports into the stage. The fast path is DuckDB's own reader (millions of rows a second); it says only that
 * a row is malformed, and not always on the right line, so files that fail are read again with csv-parse, which
 * knows exact lines, to locate every problem. Well-formed files never pay for that second read.
 */
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../../schema/dialect.ts';
import { checkHeader, type Column } from '../contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator } from '../stage.ts';
import { decodeText, firstInvalidUtf8, invalidUtf8Issue, lineStarts, positionAt, readHead, sniffEncoding, type Sniffed } from './text.ts';

interface Record_ {
  line: number;
  fields: string[];
}

/** Where an unclosed quote opens: the line, and the field number, scanning the record that never ended. */
function unclosedQuote(buf: Buffer, from: number, delimiter: string, starts: number[]): { line: number; col: number } {
  const text = buf.subarray(from).toString('utf8');
  const delim = delimiter.charCodeAt(0);
  let field = 1;
  let quoted = false;
  let openedAt = 0;
  let openedField = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      if (!quoted) [quoted, openedAt, openedField] = [true, i, field];
      else if (text.charCodeAt(i + 1) === 34) i++;
      else quoted = false;
    } else if (!quoted && c === delim) {
      field++;
    } else if (!quoted && c === 10) {
      field = 1;
    }
  }
  return { line: positionAt(starts, from + Buffer.byteLength(text.slice(0, openedAt))).line, col: openedField };
}

/**
 * Splits CSV bytes into records with the line each starts on; stops at the first unrecoverable error.
 * Lines come from byte offsets (csv-parse's `info.bytes`), so CRLF files and quoted line breaks count right.
 */
function readRecords(buf: Buffer, delimiter: string): { records: Record_[]; error: { line: number; col: number | null; message: string } | null } {
  const records: Record_[] = [];
  const starts = lineStarts(buf);
  let end = 0;
  try {
    parse(buf, {
      delimiter, relax_column_count: true, skip_empty_lines: true, info: true, bom: true, relax_quotes: false,
      // With `info`, csv-parse hands on_record { info, record } although its types say string[].
      on_record: ((r: { info: { bytes: number }; record: string[] }) => {
        let start = end;
        while (buf[start] === 13 || buf[start] === 10 || buf[start] === 0xef || buf[start] === 0xbb || buf[start] === 0xbf) start++;
        records.push({ line: positionAt(starts, start).line, fields: r.record });
        end = r.info.bytes;
        return null;
      }) as never,
    });
    return { records, error: null };
  } catch (e) {
    const err = e as Error & { code?: string; index?: number; field?: string };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      return { records, error: { ...unclosedQuote(buf, end, delimiter, starts), message: 'a quoted value is never closed (the file may be truncated); expected a closing "' } };
    }
    let start = end;
    while (buf[start] === 13 || buf[start] === 10) start++;
    const line = positionAt(starts, start).line;
    // csv-parse counts fields from 0.
    const col = typeof err.index === 'number' ? err.index + 1 : null;
    if (err.code === 'INVALID_OPENING_QUOTE') {
      // Typically a formula written out unquoted: =HYPERLINK("http://…","12").
      return { records, error: { line, col, message: `a quote inside an unquoted value (it begins ${JSON.stringify(err.field ?? '')}); expected the whole value in quotes, its own quotes doubled: "a ""quoted"" word"` } };
    }
    return { records, error: { line, col, message: `malformed CSV: ${err.message}` } };
  }
}

function detectDelimiter(headerLine: string): string {
  // Excel's "Unicode Text" is tab-separated; European locales save CSV with semicolons.
  if (!headerLine.includes(',')) {
    if (headerLine.includes('\t')) return '\t';
    if (headerLine.includes(';')) return ';';
  }
  return ',';
}

function issue(file: string, line: number | null, col: number | null, column: string | null, message: string): LoadIssue {
  return { severity: 'error', file, line, col, column, message };
}

export interface CsvLayout {
  readPath: string;
  delimiter: string;
  sniffed: Sniffed;
  header: string[];
  positions: Map<Column, number>;
  cleanup: () => void;
}

/** Reads the header and the encoding; UTF-16 is re-encoded to a temporary UTF-8 copy for DuckDB's reader. */
export function inspectCsv(path: string, name: string): CsvLayout {
  const head = readHead(path);
  if (head.length === 0) throw new FileRejected([issue(name, 1, 1, null, 'the file is empty; expected a header line: unit_code,period,indicator,value')]);
  const sniffed = sniffEncoding(head, name);
  if ('severity' in sniffed) throw new FileRejected([sniffed]);
  let readPath = path;
  let cleanup = () => {};
  let headText: string;
  if (sniffed.encoding === 'utf-8') {
    headText = head.subarray(sniffed.bomBytes).toString('utf8');
  } else {
    const text = decodeText(readFileSync(path), sniffed);
    const dir = mkdtempSync(join(tmpdir(), 'pcmbn-utf16-'));
    readPath = join(dir, 'utf8.csv');
    writeFileSync(readPath, text);
    cleanup = () => rmSync(dir, { recursive: true, force: true });
    headText = text.slice(0, 64 * 1024);
  }
  const firstLine = headText.split(/\r?\n/, 1)[0];
  const delimiter = detectDelimiter(firstLine);
  const header = readRecords(Buffer.from(firstLine), delimiter).records[0]?.fields ?? [];
  const check = checkHeader(header);
  if (check.problems.length) {
    cleanup();
    throw new FileRejected(check.problems.map((p) => issue(name, 1, p.col, null, p.message)));
  }
  return { readPath, delimiter, sniffed, header, positions: check.positions, cleanup };
}

function sqlString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

/**
 * Stages a CSV file with DuckDB's reader. Returns the number of rows staged; throws FileRejected, with every
 * malformed row located, when the reader had to skip any.
 */
export async function stageCsv(conn: DuckDBConnection, fileNo: number, name: string, layout: CsvLayout): Promise<number> {
  const columns = layout.header.map((c) => `${sqlString(c.trim())}: 'VARCHAR'`).join(', ');
  const cols = layout.header.map((c) => c.trim());
  await runRows(conn, 'DROP TABLE IF EXISTS reject_errors');
  await runRows(conn, 'DROP TABLE IF EXISTS reject_scans');
  // A field of spaces is empty, as it is in a workbook or a JSON file (their readers trim): not a value of "".
  const { changed } = await runRows(conn, `INSERT INTO stage (file_no, ${cols.join(', ')})
    SELECT $1, ${cols.map((c) => `nullif(trim(${c}), '')`).join(', ')} FROM read_csv(${sqlString(layout.readPath)}, header = true, auto_detect = false,
      delim = ${sqlString(layout.delimiter)}, quote = '"', escape = '"', columns = {${columns}},
      store_rejects = true, strict_mode = true, null_padding = false)`, [fileNo]);
  const rejected = (await runRows<{ n: number }>(conn, 'SELECT count(*) AS n FROM reject_errors')).rows[0].n;
  if (rejected > 0) throw new FileRejected(locateMalformed(name, layout));
  return changed;
}

/** The slow, exact read of a file DuckDB could not read whole: every malformed row, with its line. */
function locateMalformed(name: string, layout: CsvLayout): LoadIssue[] {
  const buf = readFileSync(layout.readPath);
  const bad = layout.sniffed.encoding === 'utf-8' ? firstInvalidUtf8(buf) : null;
  if (bad) return [invalidUtf8Issue(name, bad)];
  const { records, error } = readRecords(buf, layout.delimiter);
  const width = layout.header.length;
  const issues: LoadIssue[] = [];
  for (const r of records.slice(1)) {
    if (r.fields.length !== width) {
      const col = Math.min(r.fields.length, width) + 1;
      issues.push(issue(name, r.line, col, layout.header[col - 1] ?? null,
        `expected ${width} fields (${layout.header.join(',')}), found ${r.fields.length}${r.fields.length < width ? ': the row is cut short (truncated file?)' : ''}`));
      if (issues.length >= MAX_ISSUES_PER_FILE) break;
    }
  }
  if (error) issues.push(issue(name, error.line, error.col, error.col ? layout.header[error.col - 1] ?? null : null, error.message));
  if (!issues.length) issues.push(issue(name, null, null, null, 'DuckDB\'s CSV reader skipped rows that csv-parse reads as well-formed; expected RFC 4180 CSV'));
  return issues;
}

/** Line and column of staged rows, for messages: read lazily, only for files that have problems. */
export function csvLocator(layout: CsvLayout): Locator {
  const buf = readFileSync(layout.readPath);
  const lineOf = buf.includes(34) ? lineByParsing(buf, layout.delimiter) : lineByScanning(buf);
  return (ordinal, column) => {
    const p = column ? layout.positions.get(column) : undefined;
    return { line: lineOf(ordinal), col: p === undefined ? null : p + 1 };
  };
}

/** Without quotes a record is a non-blank line: record n starts on the n-th non-blank line after the header. */
function lineByScanning(buf: Buffer): (ordinal: number) => number {
  const lines: number[] = [];
  let line = 1;
  let start = 0;
  for (let nl = buf.indexOf(10); ; nl = buf.indexOf(10, start)) {
    const end = nl < 0 ? buf.length : nl;
    const blank = end - start === 0 || (end - start === 1 && buf[start] === 13);
    if (!blank) lines.push(line);
    if (nl < 0) break;
    start = nl + 1;
    line++;
  }
  return (ordinal) => lines[ordinal] ?? ordinal + 1;
}

/** With quotes a record may span lines: ask the parser. */
function lineByParsing(buf: Buffer, delimiter: string): (ordinal: number) => number {
  const { records } = readRecords(buf, delimiter);
  return (ordinal) => records[ordinal]?.line ?? ordinal + 1;
}
