/**
 * Staging: every source format lands, as text, in one connection-local table, so that validation and loading are
 * the same set-based SQL whatever the format. CSV goes through DuckDB's own reader; XLSX and JSON, parsed in JS,
 * through the appender. Nothing here touches the warehouse's tables.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql } from 'kysely';
import { kyselyOn } from '../schema/dialect.ts';
import { COLUMNS, type Column } from './contract.ts';

/** The contract's columns, all text: validation types them, with located errors. */
const STAGE_DDL = sql`CREATE OR REPLACE TEMP TABLE stage (
  file_no INTEGER NOT NULL, ${sql.join(COLUMNS.map((c) => sql`${sql.id(c)} VARCHAR`))})`;

/**
 * Where a field of a staged row stands in its file, for messages: the row by its 1-based ordinal among the file's
 * data rows, the field by its contract column (null: the row itself). CSV and XLSX give the field's column number;
 * JSON the line and column of the value itself.
 */
export type Locator = (ordinal: number, column: Column | null) => { line: number; col: number | null };

export async function createStage(conn: DuckDBConnection): Promise<void> {
  await STAGE_DDL.execute(kyselyOn(conn));
}

/** A row as JS sources produce it: field values by column, with the row's own location. */
export interface SourceRow {
  line: number;
  values: Partial<Record<Column, string | null>>;
}

/** Appends rows parsed in JS (XLSX, JSON). Values stay text: validation is the same SQL for every format. */
export async function appendRows(conn: DuckDBConnection, fileNo: number, rows: Iterable<SourceRow>): Promise<number> {
  const appender = await conn.createAppender('stage', 'main', 'temp');
  let n = 0;
  try {
    for (const r of rows) {
      appender.appendInteger(fileNo);
      for (const c of COLUMNS) {
        const v = r.values[c];
        if (v === null || v === undefined || v === '') appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
      n++;
    }
  } finally {
    appender.closeSync();
  }
  return n;
}
