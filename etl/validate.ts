/**
 * Validation of staged rows against the catalogue, the hierarchies and the period calendar, as set-based SQL:
 * one pass resolves every row (its unit in the right list, its period, its indicator, its value as a number) into
 * `resolved`; each check is then a WHERE clause over it. Only the failing rows come back to JS, which words the
 * message, so a clean file of millions of rows costs a few scans and no per-row JS.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { runRows } from '../schema/dialect.ts';
import {
  AGE_GROUPS,
  COUNT_INDICATORS,
  findIndicator,
  INDICATORS,
  PLAUSIBILITY_CHECKS,
  SEXES,
} from '../schema/catalogue.ts';
import { parsePeriod } from '../schema/periods.ts';
import { REFORM_DATE } from '../schema/units.ts';
import type { Column } from './contract.ts';
import type { Severity } from './issues.ts';
import { nearestWord } from './suggest.ts';

/** Resolves every staged row. `today` is the load date: the default submission date and the latest allowed. */
export async function resolveStage(conn: DuckDBConnection, today: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`the load date must be YYYY-MM-DD, got "${today}"`);
  await runRows(
    conn,
    `CREATE OR REPLACE TEMP TABLE resolved AS
    WITH s AS (
      SELECT rowid AS rid, file_no, trim(unit_code) AS unit_code, trim(period) AS period, trim(indicator) AS indicator,
             trim(sex) AS sex, trim(age_group) AS age_group, trim(value) AS value, trim(submitted_on) AS submitted_on,
             trim(hierarchy) AS hierarchy, nullif(trim(source_note), '') AS source_note,
             CASE WHEN strpos(unit_code, ':') > 0 THEN split_part(trim(unit_code), ':', 1) END AS prefix,
             CASE WHEN strpos(unit_code, ':') > 0 THEN split_part(trim(unit_code), ':', 2) ELSE trim(unit_code) END AS code
      FROM stage
    ), p AS (
      SELECT s.*, p.period_id, p.start_date, p.end_date,
             CASE WHEN s.code = 'VN' THEN 'national'
                  ELSE coalesce(s.prefix, s.hierarchy, CASE WHEN p.end_date >= DATE '${REFORM_DATE}' THEN '2025-07' ELSE '2025-03' END)
             END AS list
      FROM s LEFT JOIN periods p ON p.period_id = s.period
    )
    SELECT p.*, u.unit_id, u.valid_from, u.valid_to, i.kind AS indicator_kind, i.disaggregations,
           CASE WHEN regexp_full_match(p.value, '[0-9]{1,15}') THEN p.value::DOUBLE END AS v,
           CASE WHEN p.submitted_on IS NULL THEN DATE '${today}'
                WHEN regexp_full_match(p.submitted_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(p.submitted_on AS DATE) END AS submitted,
           coalesce(p.sex, 'total') AS sex_key, coalesce(p.age_group, 'total') AS age_key, DATE '${today}' AS today
    FROM p
    LEFT JOIN units u ON u.hierarchy = p.list AND u.code = p.code
    LEFT JOIN indicators i ON i.code = p.indicator`,
  );
}

/** A check: rows of `resolved` matching `where` have a problem of `kind` in `column`; `detail` is what they wrote. */
interface Check {
  kind: string;
  column: Column;
  where: string;
  detail: string;
}

const DISAGGREGATED = COUNT_INDICATORS.filter((i) => i.disaggregations.length)
  .map((i) => `'${i.code}'`)
  .join(', ');

const CHECKS: readonly Check[] = [
  ...(['unit_code', 'period', 'indicator', 'value'] as const).map((c) => ({
    kind: 'missing',
    column: c,
    where: `${c} IS NULL`,
    detail: `''`,
  })),
  { kind: 'period', column: 'period', where: 'period IS NOT NULL AND period_id IS NULL', detail: 'period' },
  {
    kind: 'indicator',
    column: 'indicator',
    where: 'indicator IS NOT NULL AND indicator_kind IS NULL',
    detail: 'indicator',
  },
  { kind: 'ratio', column: 'indicator', where: `indicator_kind = 'ratio'`, detail: 'indicator' },
  { kind: 'sex', column: 'sex', where: `sex NOT IN (${SEXES.map((s) => `'${s}'`).join(', ')})`, detail: 'sex' },
  {
    kind: 'age_group',
    column: 'age_group',
    where: `age_group NOT IN (${AGE_GROUPS.map((s) => `'${s}'`).join(', ')})`,
    detail: 'age_group',
  },
  {
    kind: 'not_disaggregated',
    column: 'sex',
    where: `sex IS NOT NULL AND indicator_kind = 'count' AND indicator NOT IN (${DISAGGREGATED})`,
    detail: 'indicator',
  },
  {
    kind: 'not_disaggregated',
    column: 'age_group',
    where: `age_group IS NOT NULL AND indicator_kind = 'count' AND indicator NOT IN (${DISAGGREGATED})`,
    detail: 'indicator',
  },
  { kind: 'value', column: 'value', where: 'value IS NOT NULL AND v IS NULL', detail: 'value' },
  { kind: 'submitted_on', column: 'submitted_on', where: 'submitted IS NULL', detail: 'submitted_on' },
  { kind: 'future', column: 'submitted_on', where: 'submitted > today', detail: 'submitted_on' },
  { kind: 'hierarchy', column: 'hierarchy', where: `hierarchy NOT IN ('2025-03', '2025-07')`, detail: 'hierarchy' },
  // The one free-text column: every other one is held to a closed vocabulary. What a spreadsheet would run as a
  // formula when the data goes back out (=HYPERLINK(…), @SUM(…), +cmd|…) never comes in.
  {
    kind: 'formula',
    column: 'source_note',
    where: `regexp_matches(source_note, '^[-=+@\\t\\r]')`,
    detail: 'source_note',
  },
  {
    kind: 'prefix',
    column: 'unit_code',
    where: `prefix IS NOT NULL AND prefix NOT IN ('2025-03', '2025-07')`,
    detail: 'unit_code',
  },
  {
    kind: 'prefix_conflict',
    column: 'hierarchy',
    where: `prefix IN ('2025-03', '2025-07') AND hierarchy IN ('2025-03', '2025-07') AND prefix <> hierarchy`,
    detail: `unit_code || ' ' || hierarchy`,
  },
  {
    kind: 'code',
    column: 'unit_code',
    where: `code IS NOT NULL AND NOT regexp_full_match(code, 'VN|[0-9]{2}|[0-9]{3}|[0-9]{5}')`,
    detail: 'unit_code',
  },
  {
    kind: 'unknown_unit',
    column: 'unit_code',
    where:
      `unit_id IS NULL AND regexp_full_match(code, 'VN|[0-9]{2}|[0-9]{3}|[0-9]{5}') AND list IN ('2025-03', ` +
      `'2025-07') AND period_id IS NOT NULL`,
    detail: `list || ' ' || code || ' ' || period_id`,
  },
  {
    kind: 'out_of_force',
    column: 'unit_code',
    where:
      `unit_id IS NOT NULL AND period_id IS NOT NULL AND ((valid_to IS NOT NULL AND start_date > valid_to) OR ` +
      `(valid_from IS NOT NULL AND end_date < valid_from))`,
    detail: `list || ' ' || code || ' ' || period_id`,
  },
  {
    // An old-list unit existed for half of 2025: a figure for the whole year would mix in months it did not exist.
    kind: 'outlived',
    column: 'period',
    where:
      `unit_id IS NOT NULL AND period_id IS NOT NULL AND valid_to IS NOT NULL AND start_date <= valid_to AND ` +
      `end_date > valid_to`,
    detail: `list || ' ' || code || ' ' || period_id`,
  },
];

export interface RawIssue {
  rid: number;
  file_no: number;
  column: Column | null;
  kind: string;
  detail: string | null;
  severity: Severity;
}

export interface StageCheck {
  /** Errors per file (every one counted, not only those listed). */
  errors: Map<number, number>;
  /** The issues to show, at most `limitPerFile` errors and as many warnings per file. */
  issues: RawIssue[];
}

/**
 * Runs every check over `resolved`. Clean batches, the common case, cost one scan for the row checks, one
 * grouping for duplicates and one for the plausibility warnings; the error listing runs only when there are errors.
 */
export async function checkStage(conn: DuckDBConnection, limitPerFile: number): Promise<StageCheck> {
  const sql = <R>(text: string, params: unknown[] = []) => runRows<R>(conn, text, params);
  await sql(`CREATE OR REPLACE TEMP TABLE duplicates AS
    SELECT file_no, list(rid ORDER BY rid) AS rids FROM resolved WHERE unit_id IS NOT NULL AND period_id IS NOT NULL
    GROUP BY file_no, unit_id, period_id, indicator, sex_key, age_key HAVING count(*) > 1`);
  const counted = await sql<{ file_no: number; n: number }>(`
    SELECT file_no, sum(n)::BIGINT AS n FROM (
      SELECT file_no, count(*) AS n FROM resolved WHERE ${CHECKS.map((c) => `(${c.where})`).join(' OR ')} GROUP BY file_no
      UNION ALL
      SELECT file_no, sum(len(rids) - 1) AS n FROM duplicates GROUP BY file_no
    ) GROUP BY file_no`);
  const errors = new Map(counted.rows.map((r) => [r.file_no, r.n]));

  const listings: string[] = [];
  if (errors.size) {
    listings.push(
      ...CHECKS.map(
        (c) =>
          `SELECT rid, file_no, '${c.column}' AS column_name, '${c.kind}' AS kind, (${c.detail})::VARCHAR AS ` +
          `detail, 'error' AS severity FROM resolved WHERE ${c.where}`,
      ),
    );
    listings.push(
      `SELECT unnest(rids[2:]) AS rid, file_no, 'indicator', 'duplicate', rids[1]::VARCHAR, 'error' FROM duplicates`,
    );
  }
  // Plausibility: one row per unit, period and disaggregation, with the figures the checks compare side by side.
  const codes = [...new Set(PLAUSIBILITY_CHECKS.flatMap((c) => [c.part, c.whole]))];
  await sql(`CREATE OR REPLACE TEMP TABLE side_by_side AS
    SELECT file_no, ${codes
      .map(
        (c) =>
          `max(v) FILTER (WHERE indicator = '${c}') AS "${c}", max(rid) FILTER (WHERE ` +
          `indicator = '${c}') AS "rid_${c}"`,
      )
      .join(', ')}
    FROM resolved WHERE indicator IN (${codes.map((c) => `'${c}'`).join(', ')}) AND unit_id IS NOT NULL AND period_id IS NOT NULL
    GROUP BY file_no, unit_id, period_id, sex_key, age_key`);
  listings.push(
    ...PLAUSIBILITY_CHECKS.map(
      (c) => `SELECT "rid_${c.part}" AS rid, file_no, 'value' AS column_name, 'implausible' AS kind,
    '${c.part} ' || "${c.part}"::BIGINT || ' ${c.whole} ' || "${c.whole}"::BIGINT AS detail, 'warning' AS severity
    FROM side_by_side WHERE "${c.part}" > "${c.whole}"`,
    ),
  );
  // A total beside parts that disagree with it: more than it in sum, or a complete breakdown that sums otherwise.
  const breakdown = (name: string, sex: string, age: string) => {
    const where = `FILTER (WHERE sex_key ${sex} 'total' AND age_key ${age} 'total')`;
    return `sum(v) ${where} AS by_${name}, count(*) ${where} AS n_${name}`;
  };
  listings.push(`SELECT rid, file_no, 'value', 'parts', indicator || ' ' || total::BIGINT || ' ' || concat_ws(', ',
      'by sex ' || by_sex::BIGINT, 'by age group ' || by_age::BIGINT, 'by sex and age group ' || by_both::BIGINT), 'warning'
    FROM (SELECT file_no, indicator, max(rid) FILTER (WHERE sex_key = 'total' AND age_key = 'total') AS rid,
            max(v) FILTER (WHERE sex_key = 'total' AND age_key = 'total') AS total,
            ${breakdown('sex', '<>', '=')}, ${breakdown('age', '=', '<>')}, ${breakdown('both', '<>', '<>')}
          FROM resolved WHERE indicator IN (${DISAGGREGATED}) AND unit_id IS NOT NULL AND period_id IS NOT NULL
          GROUP BY file_no, unit_id, period_id, indicator)
    WHERE total IS NOT NULL AND (by_sex > total OR by_age > total OR by_both > total
      OR (n_sex = 2 AND by_sex <> total) OR (n_age = 2 AND by_age <> total) OR (n_both = 4 AND by_both <> total))`);
  const { rows } = await sql<{
    rid: number;
    file_no: number;
    column_name: string;
    kind: string;
    detail: string | null;
    severity: Severity;
  }>(
    `SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY file_no, severity ORDER BY rid) AS n FROM (${listings.join(
      '\nUNION ALL\n',
    )}))
     WHERE n <= $1 ORDER BY file_no, rid`,
    [limitPerFile],
  );
  const issues = rows.map((r) => ({
    rid: r.rid,
    file_no: r.file_no,
    column: r.column_name as Column,
    kind: r.kind,
    detail: r.detail,
    severity: r.severity,
  }));
  return { errors, issues };
}

function describeValue(v: string): string {
  if (/^\d{1,3}(\.\d{3})+$/.test(v))
    return `"${v}" is written with Vietnamese thousands separators; write it as ${v.replaceAll('.', '')} (digits only)`;
  if (/^-\s*\d/.test(v)) return `"${v}" is negative; expected a count of 0 or more`;
  if (/^\d*[.,]\d+$/.test(v)) return `"${v}" is fractional; expected a whole number (counts are whole numbers)`;
  if (/^\d{16,}$/.test(v)) return `"${v}" is too large; expected a count below 10^15`;
  return `"${v}" is not a number; expected a whole number of 0 or more, digits only`;
}

/** Words a raw issue for a person: what is wrong, and what was expected. */
export function describeIssue(i: RawIssue, lineOfRid: (rid: number) => number | null): string {
  const d = i.detail ?? '';
  switch (i.kind) {
    case 'missing':
      return `"${i.column}" is empty; a value is required`;
    case 'period': {
      try {
        parsePeriod(d);
        return `"${d}" is outside the calendar`;
      } catch (e) {
        return (e as Error).message;
      }
    }
    case 'indicator': {
      const hint = nearestWord(
        d,
        INDICATORS.map((x) => x.code),
      );
      return (
        `unknown indicator "${d}"${hint ? ` (did you mean ${hint}?)` : ''}; expected a code of the catalogue ` +
        `(pcmbn indicators lists them)`
      );
    }
    case 'ratio': {
      const r = findIndicator(d);
      return (
        `"${d}" is a ratio the warehouse ` +
        `computes${r?.kind === 'ratio' ? ` from ${r.numerator} and ${r.denominator}` : ''}; report those counts ` +
        `instead`
      );
    }
    case 'sex':
      return `sex "${d}" is not one of ${SEXES.join(', ')} (leave it empty for the total)`;
    case 'age_group':
      return `age_group "${d}" is not one of ${AGE_GROUPS.join(', ')} (child = under 16; leave it empty for the total)`;
    case 'not_disaggregated':
      return (
        `${d} is not broken down by ${i.column}; only ${DISAGGREGATED.replaceAll("'", '')} are; leave ` +
        `${i.column} empty`
      );
    case 'value':
      return describeValue(d);
    case 'submitted_on':
      return `submitted_on "${d}" is not a date; expected YYYY-MM-DD`;
    case 'future':
      return `submitted_on ${d} is in the future; expected the day the report was submitted`;
    case 'hierarchy':
      return (
        `hierarchy "${d}" is not a unit list; expected 2025-03 (until 30/6/2025) or 2025-07 (from 1/7/2025), ` +
        `or empty to choose by period`
      );
    case 'formula': {
      const shown = JSON.stringify(d.length > 40 ? `${d.slice(0, 40)}…` : d);
      return (
        `source_note ${shown} begins with ${JSON.stringify(d[0])}, which a spreadsheet runs as a formula when ` +
        `the data is exported; expected plain text: begin the note with a word or a digit`
      );
    }
    case 'prefix':
      return `"${d}" names an unknown unit list; expected 2025-03:<code>, 2025-07:<code> or a plain code`;
    case 'prefix_conflict': {
      const [code, h] = d.split(' ');
      return `unit_code ${code} names a different list from the hierarchy column (${h}); expected them to agree`;
    }
    case 'code':
      return (
        `"${d}" is not a unit code; expected VN, or 2 (province), 3 (district) or 5 (ward/commune) digits, ` +
        `optionally as 2025-03:<code> or 2025-07:<code>`
      );
    case 'unknown_unit': {
      const [list, code, period] = d.split(' ');
      const other = list === '2025-03' ? '2025-07' : '2025-03';
      const force = (l: string) => (l === '2025-03' ? 'before 1/7/2025' : 'from 1/7/2025');
      return (
        `unit ${code} is not in the ${list} list, used for period ${period}; expected a code of that list ` +
        `(${other} codes are valid only for periods ${force(other)})`
      );
    }
    case 'out_of_force': {
      const [list, code, period] = d.split(' ');
      return list === '2025-03'
        ? `unit ${list}:${code} belongs to the list in force until 30/6/2025, but period ${period} starts after it; ` +
            `expected a 2025-07 code for periods from 1/7/2025`
        : `unit ${list}:${code} belongs to the list in force from 1/7/2025, but period ${period} ends before it; ` +
            `expected a 2025-03 code for periods before 1/7/2025`;
    }
    case 'outlived': {
      const [list, code, period] = d.split(' ');
      return (
        `unit ${list}:${code} cannot report ${period} as a whole: report 2025S1 or finer: this unit existed ` +
        `until 30/6/2025`
      );
    }
    case 'duplicate':
      return (
        `the same unit, period, indicator, sex and age group appear again (first on line ` +
        `${lineOfRid(Number(d))}); expected each figure once per file`
      );
    case 'parts': {
      const [indicator, total, ...parts] = d.split(' ');
      return (
        `${indicator} total ${total} disagrees with its parts (${parts.join(' ')}) for the same unit and ` +
        `period; the total is kept, but check it`
      );
    }
    case 'implausible': {
      const [part, pv, whole, wv] = d.split(' ');
      return `${part} ${pv} is more than ${whole} ${wv} for the same unit and period; kept, but check it`;
    }
    default:
      return `${i.kind}: ${d}`;
  }
}
