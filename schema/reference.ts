/**
 * The reference lists shipped in `schema/reference/` (see its SOURCE.md): the two unit lists and the 2025 reform's
 * mapping from old units to new ones. One home for where they are and what their columns are: the migrations load
 * them into the warehouse with DuckDB's reader, and code that needs them without a warehouse (the sample
 * generator) reads them here, with a real CSV parser.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { HierarchyVersion } from './tables.ts';

/** The folder of the lists, with its trailing separator. */
export const REFERENCE_DIR = fileURLToPath(new URL('./reference/', import.meta.url));

/** Each list's file, by the list it holds. */
export const UNIT_LIST_FILES: Readonly<Record<HierarchyVersion, string>> = {
  '2025-03': 'admin-units-2025-03-01.csv',
  '2025-07': 'admin-units-2025-07-01.csv',
};
export const REFORM_FILE = 'admin-reform-2025-07-01.csv';

/** A row of a unit list. `level` is province, district or ward (old list), province or commune (new list). */
export interface UnitListRow {
  level: string;
  code: string;
  type: string;
  name: string;
  /** Empty for a province. */
  parent_code: string;
}
export const UNIT_LIST_COLUMNS: readonly (keyof UnitListRow)[] = ['level', 'code', 'type', 'name', 'parent_code'];

/** One piece of an old unit that went to a new one; a split ward has a `partial` row per piece. */
export interface ReformRow {
  old_level: string;
  old_code: string;
  new_level: string;
  new_code: string;
  transfer: 'full' | 'partial';
}
export const REFORM_COLUMNS: readonly (keyof ReformRow)[] = [
  'old_level',
  'old_code',
  'new_level',
  'new_code',
  'transfer',
];

/** The path of a list's file. */
export function referencePath(file: string): string {
  return REFERENCE_DIR + file;
}

/**
 * Reads a list as records keyed by its header, which must be exactly `columns` (a different header is an error,
 * not a guess). A list without a quote is read by splitting lines and commas, which for such text is exactly what
 * RFC 4180 says; csv-parse, which knows quoting, takes over when a quote appears. The shipped lists hold none, and
 * csv-parse would cost each sample generation about half a second over their 25,000 rows.
 */
export function parseReferenceList<T>(file: string, text: string, columns: readonly string[]): T[] {
  text = text.replace(/^\uFEFF/, '');
  const records: string[][] = text.includes('"')
    ? (parse(text, { relax_column_count: true, skip_empty_lines: true }) as string[][])
    : text
        .split(/\r?\n/)
        .filter((line) => line !== '')
        .map((line) => line.split(','));
  const [header = [], ...rows] = records;
  if (header.join(',') !== columns.join(','))
    throw new Error(`schema/reference/${file}: expected the columns ${columns.join(',')}, got ${header.join(',')}`);
  return rows.map((fields, i) => {
    if (fields.length !== columns.length)
      throw new Error(
        `schema/reference/${file}: record ${i + 2} has ${fields.length} fields, expected ${columns.length}`,
      );
    return Object.fromEntries(columns.map((c, k) => [c, fields[k]])) as T;
  });
}

function readList<T>(file: string, columns: readonly string[]): T[] {
  return parseReferenceList<T>(file, readFileSync(referencePath(file), 'utf8'), columns);
}

/** The units of a list, in the file's order. */
export function readUnitList(list: HierarchyVersion): UnitListRow[] {
  return readList<UnitListRow>(UNIT_LIST_FILES[list], UNIT_LIST_COLUMNS);
}

/** The reform's mapping, in the file's order. */
export function readReform(): ReformRow[] {
  return readList<ReformRow>(REFORM_FILE, REFORM_COLUMNS);
}
