/**
 * CSV reports into the stage. The fast path is DuckDB's own reader (millions of rows a second); it says only that
 * a row is malformed, and not always on the right line, so files that fail are read again by a scanner that knows
 * exact lines (./csv-scan.ts), to locate every problem. Well-formed files never pay for that second read. Every
 * read of a whole file here is a stream: a file with problems may be as large as one without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql } from 'kysely';
import { kyselyOn } from '../../schema/dialect.ts';
import { checkHeader, type Column } from '../contract.ts';
import { errorAt as issue, FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator } from '../stage.ts';
import { firstInvalidUtf8InFile, scanCsv, transcodeToUtf8 } from './csv-scan.ts';
import { invalidUtf8Issue, readHead, sniffEncoding, type Sniffed } from './encoding.ts';

/** The fields of a header line (csv-parse, which knows quoting); none when the line cannot be read as CSV. */
function headerFields(line: string, delimiter: string): string[] {
  try {
    return (
      (parse(line, { delimiter, relax_column_count: true, bom: true, relax_quotes: false }) as string[][])[0] ?? []
    );
  } catch {
    return [];
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
  if (head.length === 0)
    throw new FileRejected([
      issue(name, 1, 1, null, 'the file is empty; expected a header line: unit_code,period,indicator,value'),
    ]);
  const sniffed = sniffEncoding(head, name);
  if ('severity' in sniffed) throw new FileRejected([sniffed]);
  let readPath = path;
  let cleanup = () => {};
  let headText: string;
  if (sniffed.encoding === 'utf-8') {
    headText = head.subarray(sniffed.bomBytes).toString('utf8');
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'pcmbn-utf16-'));
    readPath = join(dir, 'utf8.csv');
    cleanup = () => rmSync(dir, { recursive: true, force: true });
    headText = transcodeToUtf8(path, sniffed, readPath);
  }
  const firstLine = headText.split(/\r?\n/, 1)[0];
  const delimiter = detectDelimiter(firstLine);
  const header = headerFields(firstLine, delimiter);
  const check = checkHeader(header);
  if (check.problems.length) {
    cleanup();
    throw new FileRejected(check.problems.map((p) => issue(name, 1, p.col, null, p.message)));
  }
  return { readPath, delimiter, sniffed, header, positions: check.positions, cleanup };
}

/** The longest line DuckDB's reader is told to take; a longer one rejects the file, located. */
export const MAX_LINE_BYTES = 2 * 1024 * 1024;

/**
 * Stages a CSV file with DuckDB's reader. Returns the number of rows staged; throws FileRejected, with every
 * malformed row located, when the reader had to skip any.
 */
export async function stageCsv(
  conn: DuckDBConnection,
  fileNo: number,
  name: string,
  layout: CsvLayout,
): Promise<number> {
  const cols = layout.header.map((c) => c.trim());
  // A field of spaces is empty, as it is in a workbook or a JSON file (their readers trim): not a value of "".
  // No store_rejects: DuckDB would record one reject, holding the whole line, per field too many (a line of
  // `x,` repeated costs time and memory quadratic in its length), and skips lines longer than its buffer without
  // a reject. Stopping at the first malformed line and locating every problem with our own scan is linear.
  // read_csv takes no parameters for its path and options: they are literals, the header's names identifiers.
  try {
    const { numAffectedRows } = await sql`INSERT INTO stage (file_no, ${sql.join(cols.map((c) => sql.id(c)))})
      SELECT ${fileNo}, ${sql.join(cols.map((c) => sql`nullif(trim(${sql.id(c)}), '')`))} FROM
        read_csv(${sql.lit(layout.readPath)}, header = true, auto_detect = false,
        delim = ${sql.lit(layout.delimiter)}, quote = '"', escape = '"',
        columns = {${sql.join(cols.map((c) => sql`${sql.lit(c)}: 'VARCHAR'`))}},
        strict_mode = true, null_padding = false, max_line_size = ${sql.lit(MAX_LINE_BYTES)})`.execute(kyselyOn(conn));
    return Number(numAffectedRows ?? 0);
  } catch (e) {
    if (!isCsvReadError(e)) throw e;
    throw new FileRejected(locateMalformed(name, layout, (e as Error).message.split('\n', 1)[0]));
  }
}

/** DuckDB's CSV reader refusing the bytes (a malformed or overlong line), not a failure of the database. */
function isCsvReadError(e: unknown): boolean {
  const m = e instanceof Error ? e.message : '';
  return /CSV Error on Line|Parallel CSV Reader|Maximum line size|CSV Reader/i.test(m);
}

/**
 * The slow, exact read of a file DuckDB could not read whole: every malformed row, with its line, in one streamed
 * pass (a truncated gigabyte is located in seconds, in a few megabytes of memory).
 */
function locateMalformed(name: string, layout: CsvLayout, duckdbSaid: string): LoadIssue[] {
  const bad = layout.sniffed.encoding === 'utf-8' ? firstInvalidUtf8InFile(layout.readPath) : null;
  if (bad) return [invalidUtf8Issue(name, bad)];
  const width = layout.header.length;
  const scan = scanCsv(layout.readPath, layout.delimiter, width, MAX_ISSUES_PER_FILE, MAX_LINE_BYTES);
  const long = scan.longLines.map(({ line, bytes }) =>
    issue(
      name,
      line,
      null,
      null,
      `the line is ${bytes.toLocaleString('en-US')} bytes long; a line holds at most ` +
        `${MAX_LINE_BYTES.toLocaleString('en-US')} bytes (2 MiB): expected one report row per line`,
    ),
  );
  const misshapen = scan.misshapen.map(({ line, fields }) => {
    const col = Math.min(fields, width) + 1;
    return issue(
      name,
      line,
      col,
      layout.header[col - 1] ?? null,
      `expected ${width} fields (${layout.header.join(',')}), found ` +
        `${fields.toLocaleString('en-US')}${fields < width ? ': the row is cut short (truncated file?)' : ''}`,
    );
  });
  const issues = [...long, ...misshapen].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).slice(0, MAX_ISSUES_PER_FILE);
  const broken = scan.broken;
  if (broken && issues.length < MAX_ISSUES_PER_FILE) {
    const quoted = 'expected the whole value in quotes, its own quotes doubled: "a ""quoted"" word"';
    issues.push(
      issue(
        name,
        broken.line,
        broken.col,
        layout.header[broken.col - 1] ?? null,
        broken.kind === 'unclosed'
          ? 'a quoted value is never closed (the file may be truncated); expected a closing "'
          : // Typically a formula written out unquoted: =HYPERLINK("http://…","12").
            broken.kind === 'quote inside value'
            ? `a quote inside an unquoted value (it begins ${JSON.stringify(broken.text)}); ${quoted}`
            : `a quoted value goes on after its closing quote (with ${JSON.stringify(broken.text)}); ${quoted}`,
      ),
    );
  }
  if (!issues.length)
    issues.push(
      issue(
        name,
        null,
        null,
        null,
        `DuckDB's CSV reader refused rows that read as well-formed CSV here (${duckdbSaid}); expected RFC 4180 CSV`,
      ),
    );
  return issues;
}

/** Line and column of staged rows, for messages: indexed lazily, only for files that have problems. */
export function csvLocator(layout: CsvLayout): Locator {
  const scan = scanCsv(layout.readPath, layout.delimiter);
  return (ordinal, column) => {
    const p = column ? layout.positions.get(column) : undefined;
    return { line: scan.lineOf(ordinal), col: p === undefined ? null : p + 1 };
  };
}
