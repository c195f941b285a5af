/**
 * A list in a GraphQL answer as a table: one row per item, one column per (flattened) field, named by its path
 * inside the item (`unit.ref`, `indicator.code`, `value`). Numbers stay numbers, nulls stay empty (a suppressed
 * figure is null beside `suppressed: true`), and a list inside an item is kept whole in one cell as JSON.
 */

export type Cell = string | number | boolean | null;

export interface Table {
  /** Where the list is in `data`: `trend`, `reportingCompliance.missing`. */
  path: string;
  columns: string[];
  rows: Cell[][];
}

export class ExportError extends Error {
  constructor(
    message: string,
    readonly code: 'BAD_USER_INPUT' | 'NO_LIST' | 'SEVERAL_LISTS',
    readonly paths: string[] = [],
  ) {
    super(message);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The paths of the lists in `data`, reached through objects only (a list inside a list's items is a cell). */
export function listPaths(data: unknown, prefix = ''): string[] {
  if (!isObject(data)) return [];
  return Object.entries(data).flatMap(([k, v]) =>
    Array.isArray(v) ? [prefix + k] : isObject(v) ? listPaths(v, `${prefix}${k}.`) : [],
  );
}

function flatten(item: unknown, prefix: string, into: Map<string, Cell>): void {
  if (!isObject(item)) {
    into.set(prefix ? prefix.slice(0, -1) : 'value', Array.isArray(item) ? JSON.stringify(item) : (item as Cell));
    return;
  }
  for (const [k, v] of Object.entries(item)) {
    if (isObject(v)) flatten(v, `${prefix}${k}.`, into);
    else into.set(prefix + k, Array.isArray(v) ? JSON.stringify(v) : (v as Cell));
  }
}

/**
 * The table of the list at `path`, or of the answer's only list when no path is given. An answer with no list, or
 * with several and no path, is an ExportError naming the lists there are.
 */
export function tableOf(data: unknown, path?: string): Table {
  const paths = listPaths(data);
  if (path === undefined) {
    if (paths.length === 0)
      throw new ExportError(
        'the answer holds no list to export: ask for a field that returns a list (trend, breakdown, kpis, ' +
          'complianceByUnit, adminUnits, …)',
        'NO_LIST',
      );
    if (paths.length > 1)
      throw new ExportError(
        `the answer holds ${paths.length} lists (${paths.join(', ')}): choose one with the path argument, e.g. ` +
          `path=${paths[0]}`,
        'SEVERAL_LISTS',
        paths,
      );
    path = paths[0];
  } else if (!paths.includes(path)) {
    throw new ExportError(
      `path: "${path}" is not a list in the answer; expected one of: ` +
        `${paths.join(', ') || '(none: the answer holds no list)'}`,
      'BAD_USER_INPUT',
      paths,
    );
  }
  let list: unknown = data;
  for (const step of path.split('.')) list = (list as Record<string, unknown>)[step];

  const items = (list as unknown[]).map((item) => {
    const cells = new Map<string, Cell>();
    flatten(item, '', cells);
    return cells;
  });
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const cells of items)
    for (const c of cells.keys())
      if (!seen.has(c)) {
        seen.add(c);
        columns.push(c);
      }
  // An object that was null in some items and filled in others gave both `target` and `target.value`; the
  // empty `target` says nothing the empty `target.value` cells do not.
  const kept = columns.filter(
    (c) => !(columns.some((o) => o.startsWith(`${c}.`)) && items.every((cells) => (cells.get(c) ?? null) === null)),
  );
  return { path, columns: kept, rows: items.map((cells) => kept.map((c) => cells.get(c) ?? null)) };
}
