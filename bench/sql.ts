/**
 * The hand-written DuckDB SQL beside each operation: one statement from the asks of its requests, reading the tables
 * directly as an analyst at the DuckDB prompt would (see bench/ops.ts).
 */
import { SERIES_PER_INDICATOR } from '../schema/factKey.ts';
import { parsePeriod, previousYear } from '../schema/periods.ts';
import { sqlLiteral } from '../schema/sqlText.ts';
import { hierarchyOn, REFORM_DATE } from '../schema/units.ts';
import type { Ask, GqlRequest } from './asks.ts';

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
           coalesce(n.indicator_no, i.indicator_no) * ${SERIES_PER_INDICATOR} AS num_series,
           d.indicator_no * ${SERIES_PER_INDICATOR} AS den_series
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

/** The period a kpi is compared with: the same period a year earlier. */
export function comparedWith(a: Ask): string {
  const p = parsePeriod(a.period!);
  // An old-list unit's 2025 is its first half only: the API compares it with the first half of 2024.
  const outlived = a.unit.startsWith('2025-03:') && p.start < REFORM_DATE && p.end >= REFORM_DATE;
  return outlived ? `${p.year - 1}S1` : previousYear(p).id;
}

function kpiSql(a: Ask): string {
  const now = a.period!;
  const before = comparedWith(a);
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
