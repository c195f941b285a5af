/**
 * Validation of staged rows against the catalogue, the hierarchies and the period calendar, as set-based SQL:
 * one pass resolves every row (its unit in the right list, its period, its indicator, its value as a number) into
 * `resolved`; each check is then a WHERE clause over it. Only the failing rows come back to JS, which words the
 * message, so a clean file of millions of rows costs a few scans and no per-row JS.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type RawBuilder, sql } from 'kysely';
import { kyselyOn } from '../schema/dialect.ts';
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

/** A closed vocabulary as a SQL list of string literals (`'female', 'male'`). */
const literals = (values: readonly string[]): RawBuilder<unknown> => sql.join(values.map((v) => sql.lit(v)));

/** Resolves every staged row. `today` is the load date: the default submission date and the latest allowed. */
export async function resolveStage(conn: DuckDBConnection, today: string): Promise<void> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(today)) throw new Error(`the load date must be YYYY-MM-DD, got "${today}"`);
  await sql`CREATE OR REPLACE TEMP TABLE resolved AS
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
                  ELSE coalesce(s.prefix, s.hierarchy,
                    CASE WHEN p.end_date >= DATE ${sql.lit(REFORM_DATE)} THEN '2025-07' ELSE '2025-03' END)
             END AS list
      FROM s LEFT JOIN periods p ON p.period_id = s.period
    )
    SELECT p.*, u.unit_id, u.valid_from, u.valid_to, i.kind AS indicator_kind, i.disaggregations,
           CASE WHEN regexp_full_match(p.value, '[0-9]{1,15}') THEN p.value::DOUBLE END AS v,
           CASE WHEN p.submitted_on IS NULL THEN DATE ${sql.lit(today)}
                WHEN regexp_full_match(p.submitted_on, '[0-9]{4}-[0-9]{2}-[0-9]{2}') THEN TRY_CAST(p.submitted_on AS DATE) END AS submitted,
           coalesce(p.sex, 'total') AS sex_key, coalesce(p.age_group, 'total') AS age_key, DATE ${sql.lit(today)} AS today
    FROM p
    LEFT JOIN units u ON u.hierarchy = p.list AND u.code = p.code
    LEFT JOIN indicators i ON i.code = p.indicator`.execute(kyselyOn(conn));
}

/**
 * A check: rows of `resolved` matching `where` have a problem of `kind` in `column`; `detail` is what they wrote.
 * Both are SQL fragments over `resolved`'s columns, composed with Kysely's `sql` (docs/architecture.md, the SQL
 * rule).
 */
interface Check {
  kind: string;
  column: Column;
  where: RawBuilder<unknown>;
  detail: RawBuilder<unknown>;
}

const DISAGGREGATED = COUNT_INDICATORS.filter((i) => i.disaggregations.length).map((i) => i.code);
const UNIT_LISTS = literals(['2025-03', '2025-07']);
const UNIT_CODE = sql.lit('VN|[0-9]{2}|[0-9]{3}|[0-9]{5}');
const UNIT_IN_PERIOD = sql`list || ' ' || code || ' ' || period_id`;

const CHECKS: readonly Check[] = [
  ...(['unit_code', 'period', 'indicator', 'value'] as const).map((c) => ({
    kind: 'missing',
    column: c,
    where: sql`${sql.ref(c)} IS NULL`,
    detail: sql`''`,
  })),
  { kind: 'period', column: 'period', where: sql`period IS NOT NULL AND period_id IS NULL`, detail: sql`period` },
  {
    kind: 'indicator',
    column: 'indicator',
    where: sql`indicator IS NOT NULL AND indicator_kind IS NULL`,
    detail: sql`indicator`,
  },
  { kind: 'ratio', column: 'indicator', where: sql`indicator_kind = 'ratio'`, detail: sql`indicator` },
  { kind: 'sex', column: 'sex', where: sql`sex NOT IN (${literals(SEXES)})`, detail: sql`sex` },
  {
    kind: 'age_group',
    column: 'age_group',
    where: sql`age_group NOT IN (${literals(AGE_GROUPS)})`,
    detail: sql`age_group`,
  },
  {
    kind: 'not_disaggregated',
    column: 'sex',
    where: sql`sex IS NOT NULL AND indicator_kind = 'count' AND indicator NOT IN (${literals(DISAGGREGATED)})`,
    detail: sql`indicator`,
  },
  {
    kind: 'not_disaggregated',
    column: 'age_group',
    where: sql`age_group IS NOT NULL AND indicator_kind = 'count' AND indicator NOT IN (${literals(DISAGGREGATED)})`,
    detail: sql`indicator`,
  },
  { kind: 'value', column: 'value', where: sql`value IS NOT NULL AND v IS NULL`, detail: sql`value` },
  { kind: 'submitted_on', column: 'submitted_on', where: sql`submitted IS NULL`, detail: sql`submitted_on` },
  { kind: 'future', column: 'submitted_on', where: sql`submitted > today`, detail: sql`submitted_on` },
  { kind: 'hierarchy', column: 'hierarchy', where: sql`hierarchy NOT IN (${UNIT_LISTS})`, detail: sql`hierarchy` },
  // The one free-text column: every other one is held to a closed vocabulary. What a spreadsheet would run as a
  // formula when the data goes back out (=HYPERLINK(…), @SUM(…), +cmd|…) never comes in.
  {
    kind: 'formula',
    column: 'source_note',
    where: sql`regexp_matches(source_note, ${sql.lit('^[-=+@\\t\\r]')})`,
    detail: sql`source_note`,
  },
  {
    kind: 'prefix',
    column: 'unit_code',
    where: sql`prefix IS NOT NULL AND prefix NOT IN (${UNIT_LISTS})`,
    detail: sql`unit_code`,
  },
  {
    kind: 'prefix_conflict',
    column: 'hierarchy',
    where: sql`prefix IN (${UNIT_LISTS}) AND hierarchy IN (${UNIT_LISTS}) AND prefix <> hierarchy`,
    detail: sql`unit_code || ' ' || hierarchy`,
  },
  {
    kind: 'code',
    column: 'unit_code',
    where: sql`code IS NOT NULL AND NOT regexp_full_match(code, ${UNIT_CODE})`,
    detail: sql`unit_code`,
  },
  {
    kind: 'unknown_unit',
    column: 'unit_code',
    where: sql`unit_id IS NULL AND regexp_full_match(code, ${UNIT_CODE}) AND list IN (${UNIT_LISTS})
      AND period_id IS NOT NULL`,
    detail: UNIT_IN_PERIOD,
  },
  {
    kind: 'out_of_force',
    column: 'unit_code',
    where: sql`unit_id IS NOT NULL AND period_id IS NOT NULL
      AND ((valid_to IS NOT NULL AND start_date > valid_to) OR (valid_from IS NOT NULL AND end_date < valid_from))`,
    detail: UNIT_IN_PERIOD,
  },
  {
    // An old-list unit existed for half of 2025: a figure for the whole year would mix in months it did not exist.
    kind: 'outlived',
    column: 'period',
    where: sql`unit_id IS NOT NULL AND period_id IS NOT NULL AND valid_to IS NOT NULL AND start_date <= valid_to
      AND end_date > valid_to`,
    detail: UNIT_IN_PERIOD,
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

/** The figures of a breakdown beside their total: `FILTER (WHERE sex_key <> 'total' AND age_key = 'total')`. */
function breakdown(name: 'sex' | 'age' | 'both', bySex: boolean, byAge: boolean): RawBuilder<unknown> {
  const where = sql`FILTER (WHERE sex_key ${sql.raw(bySex ? '<>' : '=')} 'total' AND age_key ${sql.raw(
    byAge ? '<>' : '=',
  )} 'total')`;
  return sql`sum(v) ${where} AS ${sql.id(`by_${name}`)}, count(*) ${where} AS ${sql.id(`n_${name}`)}`;
}

/**
 * Runs every check over `resolved`. Clean batches, the common case, cost one scan for the row checks, one
 * grouping for duplicates and one for the plausibility warnings; the error listing runs only when there are errors.
 */
export async function checkStage(conn: DuckDBConnection, limitPerFile: number): Promise<StageCheck> {
  const db = kyselyOn(conn);
  await sql`CREATE OR REPLACE TEMP TABLE duplicates AS
    SELECT file_no, list(rid ORDER BY rid) AS rids FROM resolved WHERE unit_id IS NOT NULL AND period_id IS NOT NULL
    GROUP BY file_no, unit_id, period_id, indicator, sex_key, age_key HAVING count(*) > 1`.execute(db);
  const anyCheck = sql.join(
    CHECKS.map((c) => sql`(${c.where})`),
    sql` OR `,
  );
  const counted = await sql<{ file_no: number; n: number }>`
    SELECT file_no, sum(n)::BIGINT AS n FROM (
      SELECT file_no, count(*) AS n FROM resolved WHERE ${anyCheck} GROUP BY file_no
      UNION ALL
      SELECT file_no, sum(len(rids) - 1) AS n FROM duplicates GROUP BY file_no
    ) GROUP BY file_no`.execute(db);
  const errors = new Map(counted.rows.map((r) => [r.file_no, r.n]));

  const listings: RawBuilder<unknown>[] = [];
  if (errors.size) {
    listings.push(
      ...CHECKS.map(
        (c) =>
          sql`SELECT rid, file_no, ${sql.lit(c.column)} AS column_name, ${sql.lit(c.kind)} AS kind,
          (${c.detail})::VARCHAR AS detail, 'error' AS severity FROM resolved WHERE ${c.where}`,
      ),
    );
    listings.push(
      sql`SELECT unnest(rids[2:]) AS rid, file_no, 'indicator', 'duplicate', rids[1]::VARCHAR, 'error' FROM duplicates`,
    );
  }
  // Plausibility: one row per unit, period and disaggregation, with the figures the checks compare side by side.
  const codes = [...new Set(PLAUSIBILITY_CHECKS.flatMap((c) => [c.part, c.whole]))];
  const sideBySide = codes.map(
    (c) =>
      sql`max(v) FILTER (WHERE indicator = ${sql.lit(c)}) AS ${sql.id(c)},
      max(rid) FILTER (WHERE indicator = ${sql.lit(c)}) AS ${sql.id(`rid_${c}`)}`,
  );
  await sql`CREATE OR REPLACE TEMP TABLE side_by_side AS
    SELECT file_no, ${sql.join(sideBySide)}
    FROM resolved WHERE indicator IN (${literals(codes)}) AND unit_id IS NOT NULL AND period_id IS NOT NULL
    GROUP BY file_no, unit_id, period_id, sex_key, age_key`.execute(db);
  listings.push(
    ...PLAUSIBILITY_CHECKS.map(
      (c) => sql`SELECT ${sql.id(`rid_${c.part}`)} AS rid, file_no, 'value' AS column_name, 'implausible' AS kind,
    ${sql.lit(`${c.part} `)} || ${sql.id(c.part)}::BIGINT || ${sql.lit(` ${c.whole} `)} || ${sql.id(c.whole)}::BIGINT
      AS detail, 'warning' AS severity
    FROM side_by_side WHERE ${sql.id(c.part)} > ${sql.id(c.whole)}`,
    ),
  );
  // A total beside parts that disagree with it: more than it in sum, or a complete breakdown that sums otherwise.
  listings.push(sql`SELECT rid, file_no, 'value', 'parts', indicator || ' ' || total::BIGINT || ' ' || concat_ws(', ',
      'by sex ' || by_sex::BIGINT, 'by age group ' || by_age::BIGINT, 'by sex and age group ' || by_both::BIGINT), 'warning'
    FROM (SELECT file_no, indicator, max(rid) FILTER (WHERE sex_key = 'total' AND age_key = 'total') AS rid,
            max(v) FILTER (WHERE sex_key = 'total' AND age_key = 'total') AS total,
            ${breakdown('sex', true, false)}, ${breakdown('age', false, true)}, ${breakdown('both', true, true)}
          FROM resolved WHERE indicator IN (${literals(DISAGGREGATED)}) AND unit_id IS NOT NULL AND period_id IS NOT NULL
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
  }>`SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY file_no, severity ORDER BY rid) AS n FROM (
      ${sql.join(listings, sql`\nUNION ALL\n`)}))
    WHERE n <= ${limitPerFile} ORDER BY file_no, rid`.execute(db);
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
      return `${d} is not broken down by ${i.column}; only ${DISAGGREGATED.join(', ')} are; leave ${i.column} empty`;
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
