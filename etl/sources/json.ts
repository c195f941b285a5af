/**
 * JSON reports: an array of objects with the contract's keys. Read token by token with jsonc-parser's scanner, which
 * gives every token's line and column, so that an error names where the offending value is, as it does for CSV.
 *
 * A report can hold hundreds of thousands of rows, and a server parses it between requests: no tree of the document
 * is built (a tree of 600 k rows took gigabytes), rows go to the stage in batches as they are read, and the reader
 * yields to the event loop between batches, so that requests are answered while a large file is read. What stays
 * is the text itself and, per row, where its values start (a few integers), for locating validation errors later.
 */
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { createScanner, type JSONScanner, ScanError, SyntaxKind } from 'jsonc-parser';
import { COLUMNS, type Column, REQUIRED_COLUMNS } from '../contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator, SourceRow } from '../stage.ts';
import { decodeText, sniffEncoding } from './encoding.ts';

/** Rows handed to the stage at once; the reader lets requests in between two batches. */
const BATCH_ROWS = 2_000;

const SCAN_ERRORS: Partial<Record<ScanError, string>> = {
  [ScanError.UnexpectedEndOfComment]: 'UnexpectedEndOfComment',
  [ScanError.UnexpectedEndOfString]: 'UnexpectedEndOfString',
  [ScanError.UnexpectedEndOfNumber]: 'UnexpectedEndOfNumber',
  [ScanError.InvalidUnicode]: 'InvalidUnicode',
  [ScanError.InvalidEscapeCharacter]: 'InvalidEscapeCharacter',
  [ScanError.InvalidCharacter]: 'InvalidCharacter',
};

/** A syntax error: the file cannot be read further. */
class Invalid extends Error {}

/** Where each row and each of its values start: line and column pairs, 0 for a value the row does not have. */
class Places {
  private static readonly STRIDE = 2 * (1 + COLUMNS.length);
  private data = new Int32Array(Places.STRIDE * 1024);
  rows = 0;

  addRow(line: number, col: number): void {
    if ((this.rows + 1) * Places.STRIDE > this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const at = this.rows++ * Places.STRIDE;
    this.data.fill(0, at, at + Places.STRIDE);
    this.data[at] = line;
    this.data[at + 1] = col;
  }

  setField(column: Column, line: number, col: number): void {
    const at = (this.rows - 1) * Places.STRIDE + 2 * (1 + COLUMNS.indexOf(column));
    this.data[at] = line;
    this.data[at + 1] = col;
  }

  locate(ordinal: number, column: Column | null): { line: number; col: number | null } {
    if (ordinal < 1 || ordinal > this.rows) return { line: 1, col: null };
    const row = (ordinal - 1) * Places.STRIDE;
    const at = column ? row + 2 * (1 + COLUMNS.indexOf(column)) : row;
    const from = this.data[at] ? at : row;
    return { line: this.data[from], col: this.data[from + 1] };
  }
}

/**
 * Reads a JSON report, handing its rows to `stage` in batches; rejects the file (after reading it all, to report
 * every problem up to the cap) when anything is wrong.
 */
export async function readJson(
  path: string,
  name: string,
  stage: (rows: SourceRow[]) => Promise<void>,
): Promise<{ rows: number; locator: Locator }> {
  const scanner = createScanner(readText(path, name), false);
  const issues: LoadIssue[] = [];
  const here = () => ({ line: scanner.getTokenStartLine() + 1, col: scanner.getTokenStartCharacter() + 1 });
  const problem = (at: { line: number; col: number }, column: string | null, message: string) => {
    if (issues.length < MAX_ISSUES_PER_FILE) issues.push({ severity: 'error', file: name, ...at, column, message });
  };
  const invalid = (code: string): never => {
    problem(here(), null, `invalid JSON: ${code}`);
    throw new Invalid();
  };
  const next = () => nextToken(scanner, invalid);

  const places = new Places();
  let batch: SourceRow[] = [];
  try {
    let token = next();
    if (token !== SyntaxKind.OpenBracketToken) {
      if (token === SyntaxKind.EOF) invalid('ValueExpected');
      problem(
        here(),
        null,
        'expected a JSON array of report rows, such as [{"unit_code": "2025-07:00004", "period": "202509", ' +
          '"indicator": "victims_returned", "value": 1}]',
      );
      throw new Invalid();
    }
    token = next();
    if (token !== SyntaxKind.CloseBracketToken) {
      for (;;) {
        if (token === SyntaxKind.OpenBraceToken) {
          const row = here();
          places.addRow(row.line, row.col);
          batch.push({ line: row.line, values: readRow(scanner, next, places, row, problem, invalid) });
          if (batch.length === BATCH_ROWS) {
            await stage(issues.length ? [] : batch); // a file already rejected stages nothing more
            batch = [];
            await yieldToRequests();
          }
        } else {
          problem(here(), null, `expected an object for each row, found ${kindOf(token, invalid)}`);
          skipValue(token, next, invalid);
        }
        token = next();
        if (token === SyntaxKind.CloseBracketToken) break;
        if (token !== SyntaxKind.CommaToken) invalid('CommaExpected');
        token = next();
      }
    }
    if (next() !== SyntaxKind.EOF) invalid('EndOfFileExpected');
  } catch (e) {
    if (!(e instanceof Invalid)) throw e;
  }
  if (issues.length) throw new FileRejected(issues);
  if (batch.length) await stage(batch);
  return { rows: places.rows, locator: (ordinal, column) => places.locate(ordinal, column) };
}

/** The file's text; its bytes are not kept. */
function readText(path: string, name: string): string {
  const buf = readFileSync(path);
  const sniffed = sniffEncoding(buf.subarray(0, 4096), name);
  if ('severity' in sniffed) throw new FileRejected([sniffed]);
  return decodeText(buf, sniffed);
}

/** The next token that is not white space; comments and scanner errors are syntax errors, as in strict JSON. */
function nextToken(scanner: JSONScanner, invalid: (code: string) => never): SyntaxKind {
  for (;;) {
    const token = scanner.scan();
    const error = scanner.getTokenError();
    if (error !== ScanError.None) invalid(SCAN_ERRORS[error] ?? 'InvalidSymbol');
    if (token === SyntaxKind.LineBreakTrivia || token === SyntaxKind.Trivia) continue;
    if (token === SyntaxKind.LineCommentTrivia || token === SyntaxKind.BlockCommentTrivia)
      invalid('InvalidCommentToken');
    if (token === SyntaxKind.Unknown) invalid('InvalidSymbol');
    return token;
  }
}

function kindOf(token: SyntaxKind, invalid: (code: string) => never): string {
  switch (token) {
    case SyntaxKind.OpenBraceToken:
      return 'object';
    case SyntaxKind.OpenBracketToken:
      return 'array';
    case SyntaxKind.StringLiteral:
      return 'string';
    case SyntaxKind.NumericLiteral:
      return 'number';
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.FalseKeyword:
      return 'boolean';
    case SyntaxKind.NullKeyword:
      return 'null';
    default:
      return invalid('ValueExpected');
  }
}

/** Passes over a value that is not read (a nested object or array), checking only its syntax. */
function skipValue(token: SyntaxKind, next: () => SyntaxKind, invalid: (code: string) => never): void {
  if (token !== SyntaxKind.OpenBraceToken && token !== SyntaxKind.OpenBracketToken) {
    kindOf(token, invalid);
    return;
  }
  const close = token === SyntaxKind.OpenBraceToken ? SyntaxKind.CloseBraceToken : SyntaxKind.CloseBracketToken;
  let t = next();
  if (t === close) return;
  for (;;) {
    if (close === SyntaxKind.CloseBraceToken) {
      if (t !== SyntaxKind.StringLiteral) invalid('PropertyNameExpected');
      if (next() !== SyntaxKind.ColonToken) invalid('ColonExpected');
      t = next();
    }
    skipValue(t, next, invalid);
    t = next();
    if (t === close) return;
    if (t !== SyntaxKind.CommaToken) invalid('CommaExpected');
    t = next();
  }
}

/** One row, from its `{` to its `}`: the values of the contract's keys, each located. */
function readRow(
  scanner: JSONScanner,
  next: () => SyntaxKind,
  places: Places,
  row: { line: number; col: number },
  problem: (at: { line: number; col: number }, column: string | null, message: string) => void,
  invalid: (code: string) => never,
): Partial<Record<Column, string | null>> {
  const at = () => ({ line: scanner.getTokenStartLine() + 1, col: scanner.getTokenStartCharacter() + 1 });
  const values: Partial<Record<Column, string | null>> = {};
  let token = next();
  if (token !== SyntaxKind.CloseBraceToken) {
    for (;;) {
      if (token !== SyntaxKind.StringLiteral) invalid('PropertyNameExpected');
      const key = scanner.getTokenValue();
      const keyAt = at();
      if (next() !== SyntaxKind.ColonToken) invalid('ColonExpected');
      token = next();
      const known = (COLUMNS as readonly string[]).includes(key);
      if (!known) problem(keyAt, key, `unknown key "${key}"; expected the keys ${COLUMNS.join(', ')}`);
      if (known) {
        const column = key as Column;
        const valueAt = at();
        places.setField(column, valueAt.line, valueAt.col);
        if (token === SyntaxKind.StringLiteral) values[column] = scanner.getTokenValue().trim();
        else if (token === SyntaxKind.NumericLiteral) values[column] = String(Number(scanner.getTokenValue())).trim();
        else if (token === SyntaxKind.NullKeyword) values[column] = null;
        else problem(valueAt, key, `expected a string or a number, found ${kindOf(token, invalid)}`);
      }
      if (!known || (token !== SyntaxKind.StringLiteral && token !== SyntaxKind.NumericLiteral))
        skipValue(token, next, invalid);
      token = next();
      if (token === SyntaxKind.CloseBraceToken) break;
      if (token !== SyntaxKind.CommaToken) invalid('CommaExpected');
      token = next();
    }
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!(required in values))
      problem(row, required, `the row has no "${required}"; required: ${REQUIRED_COLUMNS.join(', ')}`);
  }
  return values;
}
