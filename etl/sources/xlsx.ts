/**
 * XLSX reports: the contract's columns on the first sheet, header in row 1 (with the label columns of our own
 * template, `pcmbn template`, which are skipped). Parsed with exceljs (DuckDB's excel
 * extension would have to be downloaded). Cells become text exactly as the CSV path sees them, so validation is
 * shared; what only a spreadsheet can hold wrongly (formulas, errors) is refused here, located by cell. exceljs
 * inflates the whole archive into memory, so the archive is first checked not to be a zip bomb (./zip.ts).
 *
 * All of that runs in a worker thread (./parse.ts): parsing a workbook of 150,000 rows is seconds of CPU, which
 * a server's event loop must not spend. exceljs's streaming reader would keep less in memory, but it reports
 * hyperlinks apart from their cells, so the workbook is read whole, within the zip checks' limits, as before. Its
 * rows go to the stage in batches.
 */
import type ExcelJS from 'exceljs';
import { checkHeader, type Column } from '../contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator, SourceRow } from '../stage.ts';
import { BATCH_ROWS, parseOffThread } from './parse.ts';
import { checkWorkbookZip } from './zip.ts';

/** Where the staged rows stand: each one's row number in the sheet, and each column's position. */
export interface XlsxPlaces {
  rows: number;
  lines: Int32Array;
  positions: [Column, number][];
}

/**
 * Reads an XLSX report in a worker thread, handing its rows to `stage` in batches; rejects the file with every
 * problem (up to the cap) when anything is wrong. `signal` stops the worker.
 */
export async function readXlsx(
  path: string,
  name: string,
  stage: (rows: SourceRow[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ rows: number; locator: Locator }> {
  const places = await parseOffThread<XlsxPlaces>('xlsx', path, name, stage, signal);
  const positions = new Map(places.positions);
  return {
    rows: places.rows,
    locator: (ordinal, column) => {
      const p = column ? positions.get(column) : undefined;
      return { line: places.lines[ordinal - 1] ?? ordinal + 1, col: p === undefined ? null : p + 1 };
    },
  };
}

function columnLetter(col: number): string {
  let s = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** A cell as the text a CSV would hold, or an explanation of why it cannot be read as data. */
function cellText(value: ExcelJS.CellValue): { text: string | null } | { problem: string } {
  if (value === null || value === undefined) return { text: null };
  if (typeof value === 'string') return { text: value.trim() };
  if (typeof value === 'number') return { text: String(value) };
  if (typeof value === 'boolean') return { problem: 'holds TRUE/FALSE; expected text or a number' };
  if (value instanceof Date) return { text: value.toISOString().slice(0, 10) };
  if (typeof value === 'object') {
    if ('formula' in value || 'sharedFormula' in value)
      return {
        problem:
          'holds a formula; expected a plain value (paste values only: formulas such as =HYPERLINK(…) are not evaluated or trusted)',
      };
    if ('error' in value)
      return { problem: `holds the error ${String((value as { error: unknown }).error)}; expected a value` };
    if ('richText' in value)
      return {
        text: value.richText
          .map((r) => r.text)
          .join('')
          .trim(),
      };
    if ('hyperlink' in value) return { problem: 'holds a hyperlink; expected a plain value' };
  }
  return { problem: 'holds a value of an unknown kind; expected text or a number' };
}

/** Reads the workbook at `path` (in the worker), handing its rows to `emit` in batches. */
export async function parseXlsx(
  path: string,
  name: string,
  emit: (rows: SourceRow[]) => Promise<void>,
): Promise<XlsxPlaces> {
  await checkWorkbookZip(path, name);
  // exceljs takes a third of a second to import: only in the worker, only when a workbook comes.
  const { default: Excel } = await import('exceljs');
  const workbook = new Excel.Workbook();
  try {
    await workbook.xlsx.readFile(path);
  } catch (e) {
    throw new FileRejected([
      {
        severity: 'error',
        file: name,
        line: null,
        col: null,
        column: null,
        message: `not a readable XLSX workbook (${(e as Error).message}); expected an Excel .xlsx file`,
      },
    ]);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet)
    throw new FileRejected([
      {
        severity: 'error',
        file: name,
        line: null,
        col: null,
        column: null,
        message: 'the workbook has no sheet; expected the report on the first sheet',
      },
    ]);
  const issues: LoadIssue[] = [];
  const problem = (line: number, col: number, column: string | null, message: string) =>
    issues.length < MAX_ISSUES_PER_FILE &&
    issues.push({
      severity: 'error',
      file: name,
      line,
      col,
      column,
      message: `cell ${columnLetter(col)}${line} ${message}`,
    });

  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => {
    const t = cellText(cell.value);
    header[col - 1] = 'text' in t ? (t.text ?? '') : '';
  });
  while (header.length && header[header.length - 1] === '') header.pop();
  const check = checkHeader(header, { templateLabels: true });
  for (const p of check.problems) problem(1, p.col, null, p.message);
  if (issues.length) throw new FileRejected(issues);

  const lines: number[] = [];
  let batch: SourceRow[] = [];
  const valueAt = check.positions.get('value')! + 1;
  // Rows are collected first (eachRow is synchronous), then handed over in batches; the worker's memory holds the
  // workbook anyway.
  sheet.eachRow({ includeEmpty: false }, (row, line) => {
    if (line === 1) return;
    // A template row left without a value is a figure not reported (its labels are printed on every row).
    if (check.template) {
      const v = cellText(row.getCell(valueAt).value);
      if ('text' in v && !v.text) return;
    }
    const values: Partial<Record<Column, string | null>> = {};
    for (const [column, pos] of check.positions) {
      const t = cellText(row.getCell(pos + 1).value);
      if ('problem' in t) problem(line, pos + 1, column, t.problem);
      else values[column] = t.text;
    }
    row.eachCell((_cell, col) => {
      if (col > header.length)
        problem(line, col, null, "holds a value beyond the header's last column; expected nothing there");
    });
    lines.push(line);
    batch.push({ line, values });
  });
  if (check.template && !lines.length && !issues.length)
    problem(
      2,
      valueAt,
      'value',
      'is empty, as is every value of this template; expected the figures typed into the "value" column',
    );
  if (issues.length) throw new FileRejected(issues);
  for (let i = 0; i < batch.length; i += BATCH_ROWS) await emit(batch.slice(i, i + BATCH_ROWS));
  batch = [];
  return { rows: lines.length, lines: Int32Array.from(lines), positions: [...check.positions] };
}
