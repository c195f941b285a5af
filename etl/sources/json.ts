/**
 * JSON reports: an array of objects with the contract's keys. Parsed with jsonc-parser, which keeps every node's
 * offset, so that an error names the line and column of the offending value, as it does for CSV.
 */
import { readFileSync } from 'node:fs';
import { type Node, parseTree, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { COLUMNS, type Column, REQUIRED_COLUMNS } from '../contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator, SourceRow } from '../stage.ts';
import { decodeText, lineStarts, positionAt, sniffEncoding } from './text.ts';

export function readJson(path: string, name: string): { rows: SourceRow[]; locator: Locator } {
  const buf = readFileSync(path);
  const sniffed = sniffEncoding(buf.subarray(0, 4096), name);
  if ('severity' in sniffed) throw new FileRejected([sniffed]);
  const text = decodeText(buf, sniffed);
  const starts = lineStarts(text);
  const at = (offset: number) => positionAt(starts, offset);
  const issues: LoadIssue[] = [];
  const problem = (offset: number, column: string | null, message: string) => {
    if (issues.length < MAX_ISSUES_PER_FILE)
      issues.push({ severity: 'error', file: name, ...at(offset), column, message });
  };

  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: true });
  for (const e of errors) problem(e.offset, null, `invalid JSON: ${printParseErrorCode(e.error)}`);
  if (issues.length) throw new FileRejected(issues);
  if (!root || root.type !== 'array') {
    problem(
      root?.offset ?? 0,
      null,
      'expected a JSON array of report rows, such as [{"unit_code": "2025-07:00004", "period": "202509", "indicator": "victims_returned", "value": 1}]',
    );
    throw new FileRejected(issues);
  }

  const rows: SourceRow[] = [];
  // Where each row and each of its values start, so that a message points at the value itself.
  const places: {
    row: { line: number; col: number };
    fields: Partial<Record<Column, { line: number; col: number }>>;
  }[] = [];
  for (const item of root.children ?? []) {
    if (item.type !== 'object') {
      problem(item.offset, null, `expected an object for each row, found ${item.type}`);
      continue;
    }
    const values: Partial<Record<Column, string | null>> = {};
    const fields: Partial<Record<Column, { line: number; col: number }>> = {};
    for (const prop of item.children ?? []) {
      const [keyNode, valueNode] = prop.children as [Node, Node];
      const key = String(keyNode.value);
      if (!(COLUMNS as readonly string[]).includes(key)) {
        problem(keyNode.offset, key, `unknown key "${key}"; expected the keys ${COLUMNS.join(', ')}`);
        continue;
      }
      fields[key as Column] = at(valueNode.offset);
      if (valueNode.type === 'string' || valueNode.type === 'number')
        values[key as Column] = String(valueNode.value).trim();
      else if (valueNode.type === 'null') values[key as Column] = null;
      else problem(valueNode.offset, key, `expected a string or a number, found ${valueNode.type}`);
    }
    for (const required of REQUIRED_COLUMNS) {
      if (!(required in values))
        problem(item.offset, required, `the row has no "${required}"; required: ${REQUIRED_COLUMNS.join(', ')}`);
    }
    const row = at(item.offset);
    rows.push({ line: row.line, values });
    places.push({ row, fields });
  }
  if (issues.length) throw new FileRejected(issues);
  return {
    rows,
    locator: (ordinal, column) => {
      const place = places[ordinal - 1];
      return (column && place?.fields[column]) || place?.row || { line: 1, col: null };
    },
  };
}
