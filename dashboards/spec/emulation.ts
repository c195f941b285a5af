/**
 * Running a query the way Grafana and Infinity do: interpolate the variables, then pick typed rows out of the
 * response as Infinity's backend parser does. The page runs its panels through this, so it shows the rows Grafana
 * shows.
 */
import { type Column, type QuerySpec, VARIABLE_NAMES, type VariableName } from './infinity.ts';

export interface TimeRange {
  /** YYYY-MM-DD */
  from: string;
  to: string;
}

export class InterpolationError extends Error {}

/** A day's first and last instants in Vietnam (UTC+7, no daylight saving), in epoch milliseconds. */
const vietnamMidnight = (day: string) => Date.parse(`${day}T00:00:00+07:00`);

/**
 * Grafana's and Infinity's interpolation for what the queries use: `$name`, `${name}` and `${name:json}` (the
 * value as a JSON string, for GraphQL variables), and Infinity's `${__timeFrom}` / `${__timeTo}` (the time range
 * in epoch milliseconds: the first instant of `from`'s day and the last of `to`'s, in Vietnam). Other names (the
 * GraphQL variables of a query text) are left as they are, as Grafana leaves them; a dashboard variable without a
 * value is an error, not an empty string.
 */
export function interpolate(text: string, values: Partial<Record<VariableName, string>>, range: TimeRange): string {
  return text
    .replace(/\$\{__time(From|To)\}/g, (_, which: 'From' | 'To') =>
      String(which === 'From' ? vietnamMidnight(range.from) : vietnamMidnight(range.to) + 86_400_000 - 1),
    )
    .replace(
      /\$\{(\w+)(?::(json))?\}|\$(\w+)/g,
      (m, a: string | undefined, json: string | undefined, b: string | undefined) => {
        const name = (a ?? b) as VariableName;
        if (!VARIABLE_NAMES.includes(name)) return m;
        const v = values[name];
        if (v === undefined) throw new InterpolationError(`no value for the variable ${m}`);
        return json ? JSON.stringify(v) : v;
      },
    );
}

export type Cell = string | number | Date | null;
export type Row = Record<string, Cell>;

/** A GJSON-style dot path (`data.kpis`, `unit.fullName`); undefined when a step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const step of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/** Go's `2006-01-02` layout, the only one we use; other strings parse as ISO dates. */
function parseTime(text: string, layout?: string): Date | null {
  if (layout === '2006-01-02') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}

/** A cell converted the way Infinity's backend parser converts it (gframer): anything else becomes null. */
export function convert(raw: unknown, c: Column): Cell {
  switch (c.type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
    case 'number':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
      return null;
    case 'timestamp':
      return typeof raw === 'string' && raw !== '' ? parseTime(raw, c.timestampFormat) : null;
    case 'timestamp_epoch':
      return typeof raw === 'number'
        ? new Date(raw)
        : typeof raw === 'string' && /^\d+$/.test(raw)
          ? new Date(Number(raw))
          : null;
  }
}

/** The rows under `root` (an object is one row), each reduced to the query's columns. */
export function rawRows(response: unknown, root: string): unknown[] {
  const r = root ? getPath(response, root) : response;
  if (Array.isArray(r)) return r;
  if (r !== null && typeof r === 'object') return [r];
  return [];
}

export function frame(response: unknown, query: QuerySpec): Row[] {
  return rawRows(response, query.root).map((raw) =>
    Object.fromEntries(query.columns.map((c) => [c.alias, convert(getPath(raw, c.selector), c)])),
  );
}

/** Outer join of several frames on a key column, in the order keys first appear (Grafana's joinByField). */
export function joinRows(frames: Row[][], key: string): Row[] {
  const out = new Map<string, Row>();
  for (const f of frames) {
    for (const row of f) {
      const k = String(row[key] instanceof Date ? (row[key] as Date).getTime() : row[key]);
      out.set(k, { ...out.get(k), ...row });
    }
  }
  return [...out.values()];
}
