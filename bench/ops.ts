/**
 * The fixed set of dashboard operations the benchmark times, and beside each the hand-written DuckDB SQL that gives
 * the same numbers from the same database.
 *
 * The GraphQL comes from the dashboards themselves (`dashboards/spec.ts`: the panels' own queries, interpolated the
 * way Grafana does), except the national KPIs, which ask in one `kpis` round trip for the figures the overview's six
 * stat panels show. Every request is parsed back into what it asks (`Ask`: which figures, of which unit and period);
 * the SQL is written from those asks, so the two sides cannot drift apart.
 *
 * The SQL reads the tables directly, as an analyst at the DuckDB prompt would: the roll-up (`rollup`) for values,
 * `reports` for compliance. It knows the rules the API applies (a ratio is numerator / denominator × 100 of the
 * roll-up's sums; today's units before the reform are already re-aggregated in the roll-up; the monthly report is
 * due on the 12th of the next month) and nothing of the API's code. Constants are written into the SQL as literals
 * (they are the benchmark's own, never user input), so `results.json` holds SQL that runs as is in `duckdb`.
 *
 * Both answers become flat maps, `kind|unit|period|indicator|row|field → value`, and must be equal: every figure
 * the API returned has an equal SQL figure (numbers to 1e-9 relative), and both list the same rows.
 */
import { Kind, type ObjectValueNode, parse, type ValueNode } from 'graphql';
import {
  allPanels,
  findDashboard,
  HISTORY_START,
  interpolate,
  type TimeRange,
  V,
  queries,
  type VariableName,
} from '../dashboards/spec.ts';
import { SERIES_PER_INDICATOR } from '../schema/factKey.ts';
import { isInstant, monthOfInstant, parsePeriod, previousYear, type PeriodType } from '../schema/periods.ts';
import { sqlLiteral } from '../schema/sqlText.ts';
import { hierarchyOn, REFORM_DATE } from '../schema/units.ts';

// ---------------------------------------------------------------------------------------------------------------
// What a request asks.

export type AskKind = 'kpi' | 'trend' | 'breakdown' | 'compliance';

export interface Ask {
  kind: AskKind;
  /** A unit reference as the API writes it: `VN`, `2025-07:75`. */
  unit: string;
  /** kpi, breakdown, compliance. */
  period?: string;
  codes: string[];
  /** trend: period ids and granularity. */
  from?: string;
  to?: string;
  granularity?: PeriodType;
  /** breakdown: every unit of this level beneath `unit` instead of its children. */
  level?: string;
}

export interface GqlRequest {
  /** Where the request comes from: `pcmbn-overview/stat-victims_returned/A`. */
  source: string;
  query: string;
  /** Its GraphQL variables, as the dashboards send them (Infinity's `body_graphql_variables`). */
  variables?: Record<string, unknown>;
  ask: Ask;
}

export interface Operation {
  id: string;
  title: string;
  /** Where its GraphQL comes from. */
  origin: string;
  /** Sent all at once: the operation's time is until the last answer. */
  requests: GqlRequest[];
  /** The same operation with other arguments: warms the server's code paths without filling this one's cache. */
  warmup: GqlRequest[];
}

const GRANULARITY: Record<string, PeriodType> = { MONTH: 'month', QUARTER: 'quarter', HALF_YEAR: 'half', YEAR: 'year' };
const FIELD_KIND: Record<string, AskKind> = {
  kpi: 'kpi',
  kpis: 'kpi',
  trend: 'trend',
  breakdown: 'breakdown',
  reportingCompliance: 'compliance',
};

function literal(v: ValueNode, variables: Record<string, unknown>): unknown {
  switch (v.kind) {
    case Kind.VARIABLE:
      if (!(v.name.value in variables)) throw new Error(`bench: no value for the variable $${v.name.value}`);
      return variables[v.name.value];
    case Kind.STRING:
    case Kind.ENUM:
      return v.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(v.value);
    case Kind.BOOLEAN:
      return v.value;
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return v.values.map((x) => literal(x, variables));
    case Kind.OBJECT:
      return Object.fromEntries((v as ObjectValueNode).fields.map((f) => [f.name.value, literal(f.value, variables)]));
  }
}

/** What a GraphQL document asks: its one top-level field and that field's arguments. */
export function askOf(query: string, variables: Record<string, unknown> = {}): Ask {
  const doc = parse(query);
  const op = doc.definitions[0];
  if (
    doc.definitions.length !== 1 ||
    op.kind !== Kind.OPERATION_DEFINITION ||
    op.selectionSet.selections.length !== 1
  ) {
    throw new Error(`bench: expected one operation with one field: ${query}`);
  }
  const field = op.selectionSet.selections[0];
  if (field.kind !== Kind.FIELD) throw new Error(`bench: expected a field: ${query}`);
  const kind = FIELD_KIND[field.name.value];
  if (!kind) throw new Error(`bench: no hand-written SQL for ${field.name.value} (${query})`);
  const args = Object.fromEntries(
    (field.arguments ?? []).map((a) => [a.name.value, literal(a.value, variables)]),
  ) as Record<string, unknown>;
  for (const unsupported of ['asOf', 'sex', 'ageGroup']) {
    if (args[unsupported] !== undefined)
      throw new Error(`bench: the hand-written SQL does not take ${unsupported} (${query})`);
  }
  const unit = (args.unit as string | undefined) ?? 'VN';
  const codes =
    kind === 'compliance'
      ? []
      : field.name.value === 'kpis'
        ? (args.indicators as string[])
        : [args.indicator as string];
  if (kind === 'trend') {
    return {
      kind,
      unit,
      codes,
      from: periodOfBound(args.from as string),
      to: periodOfBound(args.to as string),
      granularity: GRANULARITY[args.granularity as string],
    };
  }
  return { kind, unit, codes, period: args.period as string, level: (args.level as string | undefined) ?? undefined };
}

// ---------------------------------------------------------------------------------------------------------------
// The operations.

export interface Params {
  /** The year of the KPIs, the breakdown and the overview. */
  year: string;
  /** A province of today's list: `2025-07:75` (new Đồng Nai = old Đồng Nai + old Bình Phước), in both samples. */
  province: string;
  /** The month of the compliance figures (YYYYMM). */
  month: string;
  /** Today (YYYY-MM-DD): where trends and the dashboards' time range end. */
  today: string;
}

/** A trend's end as the API reads it: a period id, or an instant (Grafana's time range) taken as its month in
 * Vietnam. */
const periodOfBound = (bound: string) => (isInstant(bound) ? monthOfInstant(bound).id : bound);

const request = (source: string, query: string, variables?: Record<string, unknown>): GqlRequest => ({
  source,
  query,
  variables,
  ask: askOf(query, variables),
});

/** A dashboard query as Grafana sends it: its text and its GraphQL variables, both interpolated. */
const panelRequest = (
  source: string,
  q: { graphql: string; variables: string },
  values: Partial<Record<VariableName, string>>,
  range: TimeRange,
): GqlRequest =>
  request(
    source,
    interpolate(q.graphql, values, range),
    JSON.parse(interpolate(q.variables, values, range)) as Record<string, unknown>,
  );

function overview(p: Params, from: string): GqlRequest[] {
  const dashboard = findDashboard('pcmbn-overview');
  if (!dashboard) throw new Error('bench: dashboards/spec.ts has no pcmbn-overview dashboard');
  const values: Partial<Record<VariableName, string>> = { unit: 'VN', year: p.year, granularity: 'MONTH' };
  return allPanels(dashboard)
    .filter((panel) => !panel.grafanaOnly)
    .flatMap((panel) =>
      panel.queries.map((q) =>
        panelRequest(`${dashboard.uid}/${panel.id}/${q.refId}`, q, values, { from, to: p.today }),
      ),
    );
}

/** The headline indicators of the overview: the codes of its stat panels. */
function headline(): string[] {
  const dashboard = findDashboard('pcmbn-overview')!;
  return allPanels(dashboard).flatMap((panel) => (panel.kind === 'stat' ? [panel.indicator.code] : []));
}

const shiftYear = (year: string, by: number) => String(Number(year) + by);
function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(4, 6));
  return m === 1 ? `${y - 1}12` : `${y}${String(m - 1).padStart(2, '0')}`;
}

export function operations(p: Params): Operation[] {
  const range = (from: string) => ({ from, to: p.today });
  const kpis = (year: string) =>
    request(
      'bench/national-kpis',
      `{ kpis(indicators: [${headline()
        .map((c) => JSON.stringify(c))
        .join(
          ', ',
        )}], period: "${year}", unit: "VN") { indicator { code nameVi } value numerator denominator previousValue change status } }`,
    );
  const trend = (from: string) =>
    panelRequest(
      'pcmbn-province/trend-victims_returned/A',
      queries.trend('victims_returned'),
      { unit: p.province, granularity: 'MONTH' },
      range(from),
    );
  const communes = (year: string) =>
    panelRequest(
      'pcmbn-province/communes/A',
      queries.breakdown(V.indicator),
      { unit: p.province, year, indicator: 'outreach_participants' },
      range(HISTORY_START),
    );
  const compliance = (month: string) =>
    panelRequest('pcmbn-compliance/summary/A', queries.compliance(), { unit: p.province, month }, range(HISTORY_START));
  const later = '2019-02-01'; // another time range: other cache keys for the warm-up
  return [
    {
      id: 'national-kpis',
      title: `National KPIs for ${p.year} (the overview's six headline indicators, one kpis request)`,
      origin: "bench (the overview's stat panels' indicators and fields, asked in one round trip)",
      requests: [kpis(p.year)],
      warmup: [kpis(shiftYear(p.year, -1))],
    },
    {
      id: 'province-trend',
      title:
        `Monthly trend of victims returned, ${p.province}, ${HISTORY_START.slice(0, 7)} → ` +
        `${p.today.slice(0, 7)} across the reform`,
      origin: 'dashboards/spec.ts: pcmbn-province, trend panel',
      requests: [trend(HISTORY_START)],
      warmup: [trend(later)],
    },
    {
      id: 'province-communes',
      title: `Breakdown of ${p.province}'s communes, outreach participants ${p.year}`,
      origin: 'dashboards/spec.ts: pcmbn-province, communes panel',
      requests: [communes(p.year)],
      warmup: [communes(shiftYear(p.year, -1))],
    },
    {
      id: 'province-compliance',
      title: `Reporting compliance of ${p.province}, ${p.month}`,
      origin: 'dashboards/spec.ts: pcmbn-compliance, summary panel',
      requests: [compliance(p.month)],
      warmup: [compliance(previousMonth(p.month))],
    },
    {
      id: 'national-overview',
      title: `National overview dashboard, ${p.year}: every panel's query at once`,
      origin: 'dashboards/spec.ts: pcmbn-overview, all panels',
      requests: overview(p, HISTORY_START),
      warmup: overview({ ...p, year: shiftYear(p.year, -1) }, later),
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-written SQL.

/** A SQL string literal (the benchmark's own constants only). */
const lit = sqlLiteral;
const date = (d: string) => `DATE ${lit(d)}`;
const list = (xs: readonly string[]) => xs.map(lit).join(', ');

/** The indicators asked for, with the series of their numerator and denominator (a count is its own numerator). */
function chosen(codes: readonly string[]): string {
  if (codes.includes('model_coverage_rate'))
    throw new Error('bench: the hand-written SQL does not count wards in force (model_coverage_rate)');
  return `chosen AS (
    SELECT i.code, i.name_vi, i.name_en, i.kind, i.target_operator, i.target_value,
           coalesce(n.indicator_no, i.indicator_no) * ${SERIES_PER_INDICATOR} AS num_series, d.indicator_no * ${SERIES_PER_INDICATOR} AS den_series
    FROM indicators i
    LEFT JOIN indicators n ON n.code = i.numerator
    LEFT JOIN indicators d ON d.code = i.denominator
    WHERE i.code IN (${list(codes)})
  )`;
}

const VALUE =
  `CASE WHEN c.kind = 'count' THEN n.value WHEN n.value IS NULL OR d.value IS NULL OR d.value = 0 THEN ` +
  `NULL ELSE n.value / d.value * 100 END`;
const status = (
  value: string,
  c = 'c',
) => `CASE WHEN ${c}.kind <> 'ratio' THEN 'NO_TARGET' WHEN ${value} IS NULL THEN 'NO_DATA'
      WHEN (${c}.target_operator = '>=' AND ${value} >= ${c}.target_value) OR (${c}.target_operator = '>' AND
        ${value} > ${c}.target_value) THEN 'MET'
      ELSE 'NOT_MET' END`;

function kpiSql(a: Ask): string {
  const now = a.period!;
  const p = parsePeriod(now);
  // An old-list unit's 2025 is its first half only: the API compares it with the first half of 2024.
  const outlived = a.unit.startsWith('2025-03:') && p.start < REFORM_DATE && p.end >= REFORM_DATE;
  const before = outlived ? `${p.year - 1}S1` : previousYear(p).id;
  return `WITH ${chosen(a.codes)},
  cells AS (
    SELECT p.period_id, r.series, r.value
    FROM rollup r JOIN periods p USING (period_no)
    WHERE r.unit_id = (SELECT unit_id FROM units WHERE ref = ${lit(a.unit)}) AND p.period_id IN (${list([now, before])})
  ),
  measures AS (
    SELECT c.*, x.period_id, n.value AS num, d.value AS den, ${VALUE} AS value
    FROM chosen c CROSS JOIN (VALUES (${lit(now)}), (${lit(before)})) x(period_id)
    LEFT JOIN cells n ON n.period_id = x.period_id AND n.series = c.num_series
    LEFT JOIN cells d ON d.period_id = x.period_id AND d.series = c.den_series
  )
  SELECT c.code, c.name_vi, c.name_en, c.value,
         CASE WHEN c.kind = 'ratio' THEN c.num END AS numerator, CASE WHEN c.kind = 'ratio' THEN c.den END AS denominator,
         b.value AS previous_value, c.value - b.value AS change, ${status('c.value')} AS status
  FROM measures c JOIN measures b ON b.code = c.code AND b.period_id = ${lit(before)}
  WHERE c.period_id = ${lit(now)}`;
}

function trendSql(a: Ask): string {
  const from = parsePeriod(a.from!).start;
  const to = parsePeriod(a.to!).end;
  return `WITH ${chosen(a.codes)},
  steps AS (
    SELECT period_id, period_no, start_date FROM periods
    WHERE type = ${lit(a.granularity!)} AND end_date >= ${date(from)} AND start_date <= ${date(to)}
  ),
  cells AS (
    SELECT period_no, series, value, partial FROM rollup
    WHERE unit_id = (SELECT unit_id FROM units WHERE ref = ${lit(a.unit)}) AND period_no IN (SELECT period_no FROM steps)
  )
  SELECT c.code, m.period_id AS period, strftime(m.start_date, '%Y-%m-%d') AS start, ${VALUE} AS value,
         c.target_value AS target, NOT (coalesce(n.partial, false) OR coalesce(d.partial, false)) AS complete
  FROM chosen c CROSS JOIN steps m
  LEFT JOIN cells n ON n.period_no = m.period_no AND n.series = c.num_series
  LEFT JOIN cells d ON d.period_no = m.period_no AND d.series = c.den_series`;
}

const LEVELS: Record<string, string> = { PROVINCE: 'province', DISTRICT: 'district', WARD: 'ward' };

function breakdownSql(a: Ask, today: string): string {
  // Under VN, the provinces of the list in force today; under a unit, the units of its own list.
  const listOf = a.unit === 'VN' ? hierarchyOn(today) : a.unit.slice(0, 7);
  const members = a.level
    ? `SELECT u.* FROM unit_closure k JOIN units u ON u.unit_id = k.descendant_id
       WHERE k.ancestor_id = (SELECT unit_id FROM parent) AND k.depth > 0 AND u.level = ${lit(LEVELS[a.level])} AND
         u.hierarchy = ${lit(listOf)}`
    : `SELECT * FROM units WHERE parent_id = (SELECT unit_id FROM parent) AND hierarchy = ${lit(listOf)}`;
  return `WITH ${chosen(a.codes)},
  parent AS (SELECT unit_id FROM units WHERE ref = ${lit(a.unit)}),
  members AS (${members}),
  cells AS (
    SELECT unit_id, series, value, partial FROM rollup
    WHERE unit_id IN (SELECT unit_id FROM members) AND period_no = (SELECT period_no FROM periods WHERE period_id = ${lit(a.period!)})
  ),
  measures AS (
    SELECT c.code, c.kind, c.target_operator, c.target_value, m.ref, m.code AS unit_code, m.name, m.type || ' ' || m.name AS full_name,
           upper(m.level) AS level, ${VALUE} AS value, CASE WHEN c.kind = 'ratio' THEN n.value END AS numerator,
             CASE WHEN c.kind = 'ratio' THEN d.value END AS denominator,
           NOT (coalesce(n.partial, false) OR coalesce(d.partial, false)) AS complete
    FROM chosen c CROSS JOIN members m
    LEFT JOIN cells n ON n.unit_id = m.unit_id AND n.series = c.num_series
    LEFT JOIN cells d ON d.unit_id = m.unit_id AND d.series = c.den_series
  )
  SELECT code, ref, unit_code, name, full_name, level, value, numerator, denominator, complete,
         CASE WHEN value IS NOT NULL THEN rank() OVER (PARTITION BY code ORDER BY value DESC NULLS LAST) END AS rank,
         ${status('value', 'measures')} AS status
  FROM measures`;
}

/** The monthly report is due on the 12th of the next month (plan 04/KH-BCĐ as the warehouse applies it). */
function monthlyDue(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(4, 6));
  return m === 12 ? `${y + 1}-01-12` : `${y}-${String(m + 1).padStart(2, '0')}-12`;
}

function complianceSql(a: Ask, today: string): string {
  const p = parsePeriod(a.period!);
  if (p.type !== 'month')
    throw new Error(`bench: the hand-written compliance SQL knows the monthly schedule only (${a.period})`);
  if (a.unit !== 'VN' && a.unit.slice(0, 7) !== hierarchyOn(p.end))
    throw new Error(`bench: the hand-written compliance SQL does not cross the reform (${a.unit}, ${a.period})`);
  if (a.level) throw new Error('bench: the hand-written compliance SQL does not take level');
  const due = monthlyDue(a.period!);
  return `WITH expected AS (
    SELECT u.unit_id, u.ref FROM unit_closure k JOIN units u ON u.unit_id = k.descendant_id
    WHERE k.ancestor_id = (SELECT unit_id FROM units WHERE ref = ${lit(a.unit)})
      AND u.hierarchy = ${lit(hierarchyOn(p.end))} AND u.level IN ('district', 'ward')
  ),
  first_report AS (
    SELECT unit_id, min(submitted_on) AS first_on FROM reports
    WHERE period_id = ${lit(a.period!)} AND submitted_on <= ${date(today)} GROUP BY unit_id
  ),
  counts AS (
    SELECT count(*) AS expected, count(f.unit_id) AS received, count(*) FILTER (WHERE f.first_on < ${date(due)}) AS on_time,
           list(e.ref ORDER BY e.unit_id) FILTER (WHERE f.unit_id IS NULL) AS not_received
    FROM expected e LEFT JOIN first_report f USING (unit_id)
  )
  SELECT ${lit(due)} AS due_date, expected, received, on_time, received - on_time AS late,
         CASE WHEN ${date(today)} >= ${date(due)} THEN 0 ELSE expected - received END AS pending,
         CASE WHEN ${date(today)} >= ${date(due)} THEN array_to_string(coalesce(not_received, []), ',') ELSE '' END AS missing,
         CASE WHEN expected > 0 THEN received / expected * 100 END AS completeness,
         CASE WHEN expected > 0 THEN on_time / expected * 100 END AS timeliness
  FROM counts`;
}

/** Asks that one SQL part answers together: same kind, unit and period (or range); their indicators merged. */
function groupAsks(asks: Ask[]): Ask[] {
  const groups = new Map<string, Ask>();
  for (const a of asks) {
    const key = JSON.stringify([a.kind, a.unit, a.period, a.from, a.to, a.granularity, a.level]);
    const g = groups.get(key);
    if (g) g.codes = [...new Set([...g.codes, ...a.codes])];
    else groups.set(key, { ...a, codes: [...a.codes] });
  }
  return [...groups.values()];
}

export interface SqlPlan {
  /** One statement: the parts joined by UNION ALL BY NAME, each row tagged with its part. */
  sql: string;
  parts: Ask[];
}

export function sqlFor(requests: GqlRequest[], today: string): SqlPlan {
  const parts = groupAsks(requests.map((r) => r.ask));
  const text = (a: Ask) => {
    switch (a.kind) {
      case 'kpi':
        return kpiSql(a);
      case 'trend':
        return trendSql(a);
      case 'breakdown':
        return breakdownSql(a, today);
      case 'compliance':
        return complianceSql(a, today);
    }
  };
  const sql =
    parts.length === 1
      ? `SELECT 0 AS part, * FROM (\n  ${text(parts[0])}\n)`
      : parts.map((a, i) => `SELECT ${i} AS part, * FROM (\n  ${text(a)}\n)`).join('\nUNION ALL BY NAME\n');
  return { sql, parts };
}

// ---------------------------------------------------------------------------------------------------------------
// Answers as flat maps of figures.

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

/** The figures of the SQL answer, under the same keys as the API's. */
export function sqlFigures(plan: SqlPlan, rows: Row[], out: Figures, conflicts: string[]): void {
  for (const row of rows) {
    const a = plan.parts[Number(row.part)];
    const set = (key: string, fields: Record<string, unknown>) => {
      put(out, `${key}|#`, true, conflicts);
      for (const [f, v] of Object.entries(fields)) put(out, `${key}|${f}`, norm(v), conflicts);
    };
    switch (a.kind) {
      case 'kpi':
        set(`${scope(a, row.code as string)}|`, {
          'indicator.nameVi': row.name_vi,
          'indicator.nameEn': row.name_en,
          value: row.value,
          numerator: row.numerator,
          denominator: row.denominator,
          previousValue: row.previous_value,
          change: row.change,
          status: row.status,
          suppressed: false,
        });
        break;
      case 'trend':
        set(`${scope(a, row.code as string)}|${row.start}`, {
          period: row.period,
          value: row.value,
          target: row.target,
          complete: row.complete,
          suppressed: false,
        });
        break;
      case 'breakdown':
        set(`${scope(a, row.code as string)}|${row.ref}`, {
          'unit.code': row.unit_code,
          'unit.name': row.name,
          'unit.fullName': row.full_name,
          'unit.level': row.level,
          value: row.value,
          numerator: row.numerator,
          denominator: row.denominator,
          rank: row.rank,
          status: row.status,
          complete: row.complete,
          suppressed: false,
        });
        break;
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
