/**
 * Migrations, applied in order, each in its own transaction, recorded in `meta` as `schema_version`.
 * Append new ones; never edit one that has shipped.
 *
 * The big tables (facts, reports) carry no PRIMARY KEY or UNIQUE constraint on purpose: DuckDB maintains such
 * constraints with ART indexes that slow bulk loads and make updates of indexed rows costly. Uniqueness is kept by
 * the loader's set-based SQL instead, and checked by tests.
 */
import { createHash } from 'node:crypto';
import { type DuckDBConnection, dateValue } from '@duckdb/node-api';
import { runRows } from './dialect.ts';
import { INDICATORS } from './catalogue.ts';
import { allPeriods, MAX_YEAR, MIN_YEAR, parentPeriod } from './periods.ts';
import { sqlLiteral } from './sqlText.ts';
import { REFERENCE_DIR, REFORM_FILE, UNIT_LIST_FILES } from './reference.ts';
import { REFORM_DATE } from './units.ts';

function referenceCsv(name: string): string {
  return `read_csv(${sqlLiteral(REFERENCE_DIR + name)}, header = true, all_varchar = true, auto_detect = false,
    columns = {'level': 'VARCHAR', 'code': 'VARCHAR', 'type': 'VARCHAR', 'name': 'VARCHAR', 'parent_code': 'VARCHAR'})`;
}

interface Migration {
  version: number;
  name: string;
  statements: () => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'tables',
    statements: () => [
      `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)`,
      `CREATE TABLE units (
        unit_id INTEGER PRIMARY KEY, hierarchy VARCHAR NOT NULL, code VARCHAR NOT NULL, ref VARCHAR NOT NULL UNIQUE,
        name VARCHAR NOT NULL, type VARCHAR NOT NULL, level VARCHAR NOT NULL, parent_id INTEGER, depth INTEGER NOT NULL,
        valid_from DATE, valid_to DATE)`,
      `CREATE TABLE unit_closure (ancestor_id INTEGER NOT NULL, descendant_id INTEGER NOT NULL, depth INTEGER NOT ` +
        `NULL)`,
      `CREATE TABLE unit_lineage (old_id INTEGER NOT NULL, new_id INTEGER NOT NULL, transfer VARCHAR NOT NULL, ` +
        `weight DOUBLE)`,
      `CREATE TABLE indicators (
        code VARCHAR PRIMARY KEY, name_vi VARCHAR NOT NULL, name_en VARCHAR NOT NULL, unit VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, aggregation VARCHAR, numerator VARCHAR, denominator VARCHAR,
        target_operator VARCHAR, target_value DOUBLE, disaggregations VARCHAR NOT NULL, indicator_no INTEGER NOT NULL)`,
      `CREATE TABLE periods (
        period_id VARCHAR PRIMARY KEY, type VARCHAR NOT NULL, year INTEGER NOT NULL, idx INTEGER NOT NULL,
        start_date DATE NOT NULL, end_date DATE NOT NULL, period_no INTEGER NOT NULL, parent_period_id VARCHAR)`,
      `CREATE SEQUENCE run_seq START 1`,
      `CREATE SEQUENCE file_seq START 1`,
      `CREATE TABLE etl_runs (
        run_id INTEGER PRIMARY KEY, trigger VARCHAR NOT NULL, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
        status VARCHAR NOT NULL, files_loaded INTEGER NOT NULL DEFAULT 0, files_unchanged INTEGER NOT NULL DEFAULT 0,
        files_rejected INTEGER NOT NULL DEFAULT 0, rows_loaded BIGINT NOT NULL DEFAULT 0,
        facts_revised BIGINT NOT NULL DEFAULT 0, warnings INTEGER NOT NULL DEFAULT 0, message VARCHAR)`,
      `CREATE TABLE source_files (
        file_id INTEGER NOT NULL, run_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, content_hash VARCHAR NOT NULL,
        status VARCHAR NOT NULL, rows BIGINT NOT NULL, recorded_at TIMESTAMP NOT NULL)`,
      `CREATE TABLE reports (
        report_id BIGINT NOT NULL, file_id INTEGER NOT NULL, run_id INTEGER NOT NULL, unit_id INTEGER NOT NULL,
        period_id VARCHAR NOT NULL, submitted_on DATE NOT NULL)`,
      `CREATE TABLE facts (
        fact_key BIGINT NOT NULL, report_id BIGINT NOT NULL, unit_id INTEGER NOT NULL, period_id VARCHAR NOT NULL,
          indicator VARCHAR NOT NULL,
        sex VARCHAR NOT NULL, age_group VARCHAR NOT NULL, value DOUBLE NOT NULL, submitted_on DATE NOT NULL,
        is_current BOOLEAN NOT NULL, load_seq BIGINT NOT NULL)`,
      `CREATE TABLE rejects (
        run_id INTEGER NOT NULL, file_name VARCHAR NOT NULL, content_hash VARCHAR NOT NULL, severity VARCHAR NOT NULL,
        line INTEGER, col INTEGER, column_name VARCHAR, message VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 2,
    name: 'administrative units of both hierarchies, the reform lineage and the closure',
    statements: () => [
      `INSERT INTO units VALUES (0, 'national', 'VN', 'VN', 'Việt Nam', 'Quốc gia', 'national', NULL, 0, NULL, NULL)`,
      // Ids are stable: ordered by list, level and code. A province's parent is the nation.
      `INSERT INTO units
       WITH src AS (
         SELECT '2025-03' AS h, *, CASE level WHEN 'province' THEN 1 WHEN 'district' THEN 2 ELSE 3 END AS lvl
         FROM ${referenceCsv(UNIT_LIST_FILES['2025-03'])}
         UNION ALL
         SELECT '2025-07' AS h, *, CASE level WHEN 'province' THEN 1 ELSE 3 END AS lvl
         FROM ${referenceCsv(UNIT_LIST_FILES['2025-07'])}
       ), numbered AS (SELECT 1 + row_number() OVER (ORDER BY h, lvl, code) AS unit_id, * FROM src)
       SELECT n.unit_id, n.h, n.code, n.h || ':' || n.code, n.name, n.type,
              CASE n.level WHEN 'commune' THEN 'ward' ELSE n.level END, coalesce(p.unit_id, 0),
              CASE n.level WHEN 'province' THEN 1 WHEN 'district' THEN 2 WHEN 'commune' THEN 2 ELSE 3 END,
              CASE n.h WHEN '2025-07' THEN DATE '${REFORM_DATE}' END,
              CASE n.h WHEN '2025-03' THEN DATE '${REFORM_DATE}' - INTERVAL 1 DAY END
       FROM numbered n LEFT JOIN numbered p ON p.h = n.h AND p.code = n.parent_code AND p.lvl < n.lvl`,
      `INSERT INTO unit_closure
       WITH RECURSIVE c(ancestor_id, descendant_id, depth) AS (
         SELECT unit_id, unit_id, 0 FROM units
         UNION ALL
         SELECT c.ancestor_id, u.unit_id, c.depth + 1 FROM c JOIN units u ON u.parent_id = c.descendant_id
       ) SELECT * FROM c`,
      `INSERT INTO unit_lineage
       SELECT o.unit_id, n.unit_id, r.transfer, CASE r.transfer WHEN 'full' THEN 1.0 END
       FROM read_csv(${sqlLiteral(REFERENCE_DIR + REFORM_FILE)}, header = true, all_varchar = true, auto_detect = false,
         columns = {'old_level': 'VARCHAR', 'old_code': 'VARCHAR', 'new_level': 'VARCHAR', 'new_code': 'VARCHAR', 'transfer': 'VARCHAR'}) r
       JOIN units o ON o.hierarchy = '2025-03' AND o.code = r.old_code
       JOIN units n ON n.hierarchy = '2025-07' AND n.code = r.new_code`,
    ],
  },
  {
    version: 3,
    name: 'API keys, and the roll-up the API reads',
    statements: () => [
      `CREATE TABLE api_keys (
        key_id VARCHAR PRIMARY KEY, token_hash VARCHAR NOT NULL UNIQUE, role VARCHAR NOT NULL, unit_id INTEGER NOT NULL,
        label VARCHAR, created_at TIMESTAMP NOT NULL, expires_at TIMESTAMP, revoked_at TIMESTAMP)`,
      // One row per (unit, period, indicator, sex, age group) that has a value by the precedence rules
      // (etl/marts/rollup.ts): the unit's own report, its finer periods, its children, or (for today's units
      // before the reform) its predecessors. \`fact_key\` packs the cell like facts.fact_key.
      // Narrow on purpose (integers and an enum, no strings): it is the warehouse's largest table after facts, and
      // rebuilt at every load. \`series\` = indicator_no * 16 + sex (female 4, male 8) + age group (child 1, adult
      // 2).
      `CREATE TYPE rollup_source AS ENUM ('own', 'periods', 'children', 'lineage')`,
      `CREATE TABLE rollup (
        fact_key BIGINT NOT NULL, unit_id INTEGER NOT NULL, period_no SMALLINT NOT NULL, series SMALLINT NOT NULL,
        value DOUBLE NOT NULL, source rollup_source NOT NULL, partial BOOLEAN NOT NULL)`,
      `INSERT INTO meta VALUES ('data_version', '0')`,
    ],
  },
  {
    version: 4,
    name: 'provenance of a value: the source note of its row (the citation of a figure read from a report in prose)',
    statements: () => [`ALTER TABLE facts ADD COLUMN source_note VARCHAR`],
  },
  {
    version: 5,
    // A cell can exist without a value: a commune whose only history is a split ward without weights has no
    // figure (not 0), yet the cell must say that part of its history could not be allocated.
    name: 'roll-up cells without a value',
    statements: () => [`ALTER TABLE rollup ALTER COLUMN value DROP NOT NULL`],
  },
  {
    version: 6,
    // Filled beside the roll-up by etl/marts/suppression.ts. A warehouse migrated here has none yet and no
    // `suppression_k` in meta: the next load, or the server opening it, computes the whole pattern.
    name: "the viewers' suppression pattern, computed at load time",
    statements: () => [
      `CREATE TABLE suppression_shown (year SMALLINT NOT NULL, series SMALLINT NOT NULL, unit_id INTEGER NOT NULL)`,
    ],
  },
];

async function exec(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<void> {
  await runRows(conn, sql, params);
}

export async function migrate(conn: DuckDBConnection): Promise<void> {
  const hasMeta = (await runRows(conn, `SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'meta'`))
    .rows[0].n as number;
  let version = 0;
  if (hasMeta) {
    const row = (await runRows<{ value: string }>(conn, `SELECT value FROM meta WHERE key = 'schema_version'`)).rows[0];
    version = row ? Number(row.value) : 0;
  }
  for (const m of MIGRATIONS) {
    if (m.version <= version) continue;
    await exec(conn, 'BEGIN TRANSACTION');
    try {
      for (const sql of m.statements()) await exec(conn, sql);
      await exec(conn, `INSERT OR REPLACE INTO meta VALUES ('schema_version', $1)`, [String(m.version)]);
      await exec(conn, 'COMMIT');
    } catch (e) {
      await exec(conn, 'ROLLBACK');
      throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
    }
  }
  await syncDimensions(conn);
}

/**
 * The catalogue and the period calendar live in code; their tables mirror them for SQL joins.
 * Rewritten only when the code changed (a fingerprint in `meta`), so opening a database stays cheap.
 */
async function syncDimensions(conn: DuckDBConnection): Promise<void> {
  const fingerprint = createHash('sha256')
    .update(JSON.stringify(INDICATORS))
    .update(`periods ${MIN_YEAR}-${MAX_YEAR}`)
    .digest('hex');
  const stored = (await runRows<{ value: string }>(conn, `SELECT value FROM meta WHERE key = 'catalogue'`)).rows[0]
    ?.value;
  if (stored === fingerprint) return;
  await exec(conn, 'BEGIN TRANSACTION');
  try {
    await exec(conn, 'DELETE FROM indicators');
    for (const i of INDICATORS) {
      await exec(conn, `INSERT INTO indicators VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        i.code,
        i.nameVi,
        i.nameEn,
        i.unit,
        i.kind,
        i.kind === 'count' ? i.aggregation : null,
        i.kind === 'ratio' ? i.numerator : null,
        i.kind === 'ratio' ? i.denominator : null,
        i.kind === 'ratio' ? i.target.operator : null,
        i.kind === 'ratio' ? i.target.value : null,
        i.kind === 'count' ? i.disaggregations.join(',') : '',
        INDICATORS.indexOf(i),
      ]);
    }
    await exec(conn, 'DELETE FROM periods');
    const periods = allPeriods();
    const appender = await conn.createAppender('periods');
    for (const [n, p] of periods.entries()) {
      appender.appendVarchar(p.id);
      appender.appendVarchar(p.type);
      appender.appendInteger(p.year);
      appender.appendInteger(p.index);
      appender.appendDate(dateValue(toParts(p.start)));
      appender.appendDate(dateValue(toParts(p.end)));
      appender.appendInteger(n);
      const parent = parentPeriod(p);
      if (parent) appender.appendVarchar(parent.id);
      else appender.appendNull();
      appender.endRow();
    }
    appender.closeSync();
    await exec(conn, `INSERT OR REPLACE INTO meta VALUES ('catalogue', $1)`, [fingerprint]);
    await exec(conn, 'COMMIT');
  } catch (e) {
    await exec(conn, 'ROLLBACK');
    throw e;
  }
}

function toParts(iso: string) {
  return { year: Number(iso.slice(0, 4)), month: Number(iso.slice(5, 7)), day: Number(iso.slice(8, 10)) };
}
