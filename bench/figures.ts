/**
 * Answers as flat maps of figures, `kind|unit|period|indicator|row|field → value`, from the API's JSON and from the
 * SQL's rows (a viewer's with the load's suppression pattern applied), and their comparison.
 */
import { findIndicator } from '../schema/catalogue.ts';
import { SERIES_PER_INDICATOR } from '../schema/factKey.ts';
import { parsePeriod } from '../schema/periods.ts';
import { REFORM_DATE } from '../schema/units.ts';
import type { Ask, AskKind, GqlRequest } from './asks.ts';
import { comparedWith, type SqlPlan } from './sql.ts';

export type Figure = number | string | boolean | null;
export type Figures = Map<string, Figure>;

const periodOf = (a: Ask) => (a.kind === 'trend' ? `${a.from}..${a.to}/${a.granularity}` : a.period!);
const scope = (a: Ask, code = '') => [a.kind, a.unit, periodOf(a), a.level ?? '', code].join('|');

/** Sets a figure; the same figure answered twice (two panels asking the same) must agree with itself. */
function put(out: Figures, key: string, value: Figure, conflicts: string[]): void {
  if (out.has(key) && !same(out.get(key)!, value))
    conflicts.push(`${key}: answered both ${show(out.get(key)!)} and ${show(value)}`);
  out.set(key, value);
}

function norm(v: unknown): Figure {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return String(v);
}

/** Flattens a response row into dotted paths (`unit.fullName`); `missing` lists become their refs. */
function flatten(row: Record<string, unknown>, prefix = '', out: Record<string, Figure> = {}): Record<string, Figure> {
  for (const [k, v] of Object.entries(row)) {
    const path = prefix + k;
    if (Array.isArray(v)) out[path] = v.map((x) => (x as { ref?: string }).ref ?? JSON.stringify(x)).join(',');
    else if (v !== null && typeof v === 'object') flatten(v as Record<string, unknown>, `${path}.`, out);
    else out[path] = norm(v);
  }
  return out;
}

const FIELD_OF_KIND: Record<AskKind, string[]> = {
  kpi: ['kpi', 'kpis'],
  trend: ['trend'],
  breakdown: ['breakdown'],
  compliance: ['reportingCompliance'],
};

/** The figures of one API answer. `#` marks each row, so that both sides must list the same rows. */
export function apiFigures(
  r: GqlRequest,
  body: { data?: Record<string, unknown> },
  out: Figures,
  conflicts: string[],
): void {
  const data = body.data ?? {};
  const field = FIELD_OF_KIND[r.ask.kind].find((f) => f in data);
  if (!field) throw new Error(`bench: no ${r.ask.kind} in the answer to ${r.source}`);
  const raw = data[field];
  const rows = (Array.isArray(raw) ? raw : [raw]) as Record<string, unknown>[];
  for (const row of rows) {
    const flat = flatten(row);
    let key: string;
    if (r.ask.kind === 'kpi') {
      const code = (flat['indicator.code'] as string | undefined) ?? r.ask.codes[0];
      delete flat['indicator.code'];
      // A KPI's `complete` also asks whether every ward sent its monthly reports (the reporting schedule), which the
      // hand-written SQL does not restate; a trend's and a breakdown's rest on the roll-up alone and are compared.
      delete flat.complete;
      key = `${scope(r.ask, code)}|`;
    } else if (r.ask.kind === 'trend') {
      if (typeof flat.start !== 'string') throw new Error(`bench: trend queries must select start (${r.source})`);
      key = `${scope(r.ask, r.ask.codes[0])}|${flat.start}`;
      delete flat.start;
    } else if (r.ask.kind === 'breakdown') {
      if (typeof flat['unit.ref'] !== 'string')
        throw new Error(`bench: breakdown queries must select unit { ref } (${r.source})`);
      key = `${scope(r.ask, r.ask.codes[0])}|${flat['unit.ref']}`;
      delete flat['unit.ref'];
    } else {
      key = `${scope(r.ask)}|`;
    }
    put(out, `${key}|#`, true, conflicts);
    for (const [path, v] of Object.entries(flat)) put(out, `${key}|${path}`, v, conflicts);
  }
}

type Row = Record<string, unknown>;

/**
 * What a viewer key is shown of victims figures, read from the warehouse: the yearly totals the load's suppression
 * pattern shows (`suppression_shown` joined to units and indicators), and each province's list. The rules that
 * turn it into figures are restated in `viewerRule`, as the API documents them (api/aggregate/withheld.ts).
 */
export interface ViewerPattern {
  /** `year|unit ref|indicator code` of every shown yearly total of a victims count. */
  shown: Set<string>;
  /** National and provincial units by ref: the only ones whose victims totals are ever published. */
  units: Map<string, { level: string; hierarchy: string }>;
}

export const VIEWER_PATTERN_SQL = `SELECT s.year, u.ref, i.code FROM suppression_shown s
  JOIN units u USING (unit_id) JOIN indicators i ON i.indicator_no * ${SERIES_PER_INDICATOR} = s.series`;
export const PUBLISHED_UNITS_SQL = `SELECT ref, level, hierarchy FROM units WHERE level IN ('national', 'province')`;

const SENSITIVE = /^victims_/;

/** The victims counts a figure of `code` is built on (itself for a count, its numerator and denominator). */
function victimsCounts(code: string): string[] {
  const i = findIndicator(code);
  if (!i) return [];
  return (i.kind === 'count' ? [i.code] : [i.numerator, i.denominator]).filter((c) => SENSITIVE.test(c));
}

/** Whether a viewer gets a figure of `code` for a unit and period withheld (null with `suppressed: true`). */
function viewerWithholds(v: ViewerPattern, code: string, ref: string, periodId: string): boolean {
  const counts = victimsCounts(code);
  if (!counts.length) return false;
  const p = parsePeriod(periodId);
  const unit = v.units.get(ref);
  const published =
    p.type === 'year' &&
    unit !== undefined &&
    (unit.level === 'national' || unit.hierarchy === '2025-07' || p.end < REFORM_DATE);
  return !published || counts.some((c) => !v.shown.has(`${p.year}|${ref}|${c}`));
}

/**
 * The figures of the SQL answer, under the same keys as the API's; with `viewer`, as a viewer key gets them:
 * withheld figures null and `suppressed`, a victims ratio's counts never given, ranks among the figures shown.
 */
export function sqlFigures(
  plan: SqlPlan,
  rows: Row[],
  out: Figures,
  conflicts: string[],
  viewer?: ViewerPattern,
): void {
  const hides = (code: string) => viewer !== undefined && victimsCounts(code).length > 0;
  const withholds = (code: string, ref: string, period: string) =>
    viewer !== undefined && viewerWithholds(viewer, code, ref, period);
  // A breakdown's ranks are over the values shown: competition ranking (1, 1, 3) as the SQL's rank().
  const shownValues = new Map<string, number[]>();
  for (const row of rows) {
    const a = plan.parts[Number(row.part)];
    if (a.kind !== 'breakdown' || row.value === null) continue;
    if (withholds(row.code as string, row.ref as string, a.period!)) continue;
    const k = `${row.part}|${row.code}`;
    shownValues.set(k, [...(shownValues.get(k) ?? []), Number(row.value)]);
  }
  for (const row of rows) {
    const a = plan.parts[Number(row.part)];
    const set = (key: string, fields: Record<string, unknown>) => {
      put(out, `${key}|#`, true, conflicts);
      for (const [f, v] of Object.entries(fields)) put(out, `${key}|${f}`, norm(v), conflicts);
    };
    const code = row.code as string;
    switch (a.kind) {
      case 'kpi': {
        const now = withholds(code, a.unit, a.period!);
        const before = withholds(code, a.unit, comparedWith(a));
        const value = now ? null : row.value;
        const previous = before ? null : row.previous_value;
        set(`${scope(a, code)}|`, {
          'indicator.nameVi': row.name_vi,
          'indicator.nameEn': row.name_en,
          value,
          numerator: now || hides(code) ? null : row.numerator,
          denominator: now || hides(code) ? null : row.denominator,
          previousValue: previous,
          change: value === null || previous === null ? null : row.change,
          status: now ? 'NO_DATA' : row.status,
          suppressed: now,
        });
        break;
      }
      case 'trend': {
        const withheld = withholds(code, a.unit, row.period as string);
        set(`${scope(a, code)}|${row.start}`, {
          period: row.period,
          value: withheld ? null : row.value,
          target: row.target,
          complete: row.complete,
          suppressed: withheld,
        });
        break;
      }
      case 'breakdown': {
        const withheld = withholds(code, row.ref as string, a.period!);
        const shown = viewer ? (shownValues.get(`${row.part}|${code}`) ?? []) : [];
        set(`${scope(a, code)}|${row.ref}`, {
          'unit.code': row.unit_code,
          'unit.name': row.name,
          'unit.fullName': row.full_name,
          'unit.level': row.level,
          value: withheld ? null : row.value,
          numerator: withheld || hides(code) ? null : row.numerator,
          denominator: withheld || hides(code) ? null : row.denominator,
          rank: !viewer
            ? row.rank
            : withheld || row.value === null
              ? null
              : 1 + shown.filter((x) => x > Number(row.value)).length,
          status: withheld ? 'NO_DATA' : row.status,
          complete: row.complete,
          suppressed: withheld,
        });
        break;
      }
      case 'compliance':
        set(`${scope(a)}|`, {
          period: a.period,
          dueDate: row.due_date,
          expected: row.expected,
          received: row.received,
          onTime: row.on_time,
          late: row.late,
          pending: row.pending,
          missing: row.missing,
          completeness: row.completeness,
          timeliness: row.timeliness,
        });
        break;
    }
  }
}

function same(a: Figure, b: Figure): boolean {
  if (typeof a === 'number' && typeof b === 'number')
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
  return a === b;
}

function show(v: Figure): string {
  return JSON.stringify(v);
}

/**
 * Differences between the API's figures and the SQL's: a figure the API gave that the SQL gives otherwise or not at
 * all, and a row either side lists and the other does not. Empty: they agree.
 */
export function compareFigures(api: Figures, sql: Figures): string[] {
  const out: string[] = [];
  for (const [k, v] of api) {
    if (!sql.has(k))
      out.push(
        k.endsWith('|#')
          ? `row ${k.slice(0, -2)}: in the API's answer, not in the SQL's`
          : `${k}: the API says ${show(v)}, the SQL has no such figure`,
      );
    else if (!same(v, sql.get(k)!)) out.push(`${k}: the API says ${show(v)}, the SQL ${show(sql.get(k)!)}`);
  }
  for (const k of sql.keys()) {
    if (k.endsWith('|#') && !api.has(k)) out.push(`row ${k.slice(0, -2)}: in the SQL's answer, not in the API's`);
  }
  return out;
}
