/**
 * Moving validated rows into the warehouse, inside the caller's transaction. Set-based throughout.
 *
 * A fact's identity is (unit, period, indicator, sex, age group), packed into one integer `fact_key` so that the
 * revision logic groups and joins on a single BIGINT. The value in force for a key is the one with the latest
 * `submitted_on`, ties broken by load order (`load_seq`, the file's id); every other value stays as history.
 * A row identical to one already held (same key, value and submission date) adds nothing: loading a file twice,
 * or two files that overlap, never counts a figure twice. The one exception is a superseded value re-sent with the
 * date of the value now current: the later load wins, so it is current again.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Kysely, sql } from 'kysely';
import { kyselyOn } from '../schema/dialect.ts';
import { factKeySql, seriesSql } from '../schema/factKey.ts';

const FACT_KEY = factKeySql(
  sql.ref('unit_id'),
  sql.ref('p.period_no'),
  seriesSql(sql.ref('i.indicator_no'), sql.ref('sex_key'), sql.ref('age_key')),
);

/** A report is one unit and period in one file: its id packs the three, so facts need no join to find it. */
const REPORT_ID = sql`(a.file_id::BIGINT * 4294967296 + unit_id::BIGINT * 4096 + p.period_no)`;

/** Orders submissions: later `submitted_on` first, then later load. `rankOf('i')` qualifies the columns. */
const rankOf = (t?: string) => {
  const col = (c: string) => sql.ref(t ? `${t}.${c}` : c);
  return sql`(epoch_ms(${col('submitted_on')}) // 86400000 + 100000)::BIGINT * 4294967296 + ${col('load_seq')}`;
};
const RANK = rankOf();

export interface CommitResult {
  factsInserted: number;
  factsRevised: number;
  reports: number;
}

/**
 * Commits the rows of `resolved` whose file is in the temp table `accepted (file_no, file_id)`.
 * The caller holds the transaction, so a failure anywhere leaves the warehouse as it was.
 */
export async function commitAccepted(conn: DuckDBConnection, runId: number): Promise<CommitResult> {
  const db: Kysely<unknown> = kyselyOn(conn);
  const run = async (statement: ReturnType<typeof sql>) => {
    const r = await statement.execute(db);
    return { rows: r.rows as Record<string, unknown>[], changed: Number(r.numAffectedRows ?? 0) };
  };

  await run(sql`CREATE OR REPLACE TEMP TABLE incoming AS
    SELECT ${FACT_KEY} AS fact_key, ${REPORT_ID} AS report_id, a.file_id AS load_seq, r.unit_id, r.period_id, r.indicator,
           r.sex_key AS sex, r.age_key AS age_group, r.v AS value, r.submitted AS submitted_on, r.source_note
    FROM resolved r JOIN accepted a USING (file_no)
    JOIN periods p ON p.period_id = r.period_id JOIN indicators i ON i.code = r.indicator`);

  // Reports: one per unit and period in each file, resubmissions included (compliance counts them).
  const reports = await run(sql`INSERT INTO reports
    SELECT report_id, load_seq, ${runId}, unit_id, period_id, min(submitted_on) FROM incoming GROUP BY ALL`);

  // What the warehouse already holds identically adds nothing, unless it is a superseded value re-sent with the
  // current value's date: on equal dates the later load wins, so it becomes current again.
  await run(sql`DELETE FROM incoming WHERE (fact_key, value, submitted_on) IN (
    SELECT f.fact_key, f.value, f.submitted_on FROM facts f
    LEFT JOIN (
      -- Only the incoming keys' current values: a join on every current fact would hash the whole warehouse.
      SELECT fact_key, submitted_on FROM facts WHERE is_current AND fact_key IN (SELECT fact_key FROM incoming)
    ) c ON c.fact_key = f.fact_key
    WHERE f.fact_key IN (SELECT fact_key FROM incoming) AND (f.is_current OR f.submitted_on < c.submitted_on))`);

  await run(sql`CREATE OR REPLACE TEMP TABLE batch_best AS
    SELECT fact_key, max(${RANK}) AS best_rank, count(*) AS n FROM incoming GROUP BY fact_key`);
  // A key that comes more than once in the batch (overlapping files, a report and its revision): identical copies
  // keep only the last loaded (a value re-sent after its correction, same date, wins again), and the best rank is
  // taken again over what remains.
  await run(sql`DELETE FROM incoming WHERE fact_key IN (SELECT fact_key FROM batch_best WHERE n > 1)
    AND (fact_key, load_seq) NOT IN (
      SELECT fact_key, max(load_seq) FROM incoming WHERE fact_key IN (SELECT fact_key FROM batch_best WHERE n > 1)
      GROUP BY fact_key, value, submitted_on)`);
  await run(sql`UPDATE batch_best SET best_rank = again.best_rank, n = again.n
    FROM (SELECT fact_key, max(${RANK}) AS best_rank, count(*) AS n FROM incoming
          WHERE fact_key IN (SELECT fact_key FROM batch_best WHERE n > 1) GROUP BY fact_key) again
    WHERE batch_best.fact_key = again.fact_key`);

  await run(sql`CREATE OR REPLACE TEMP TABLE held AS
    SELECT fact_key, max(${RANK}) AS held_rank FROM facts
    WHERE is_current AND fact_key IN (SELECT fact_key FROM batch_best) GROUP BY fact_key`);

  const superseded = await run(sql`UPDATE facts SET is_current = false
    WHERE is_current AND fact_key IN (
      SELECT b.fact_key FROM batch_best b JOIN held h USING (fact_key) WHERE b.best_rank > h.held_rank)`);

  const inserted = await run(sql`INSERT INTO facts
    SELECT i.fact_key, i.report_id, i.unit_id, i.period_id, i.indicator, i.sex, i.age_group, i.value, i.submitted_on,
           (${rankOf('i')} = b.best_rank
             AND (h.held_rank IS NULL OR b.best_rank > h.held_rank)) AS is_current,
           i.load_seq, i.source_note
    FROM incoming i
    JOIN batch_best b USING (fact_key)
    LEFT JOIN held h USING (fact_key)`);

  // Revisions within the batch: rows that were the latest until a later row of the same batch replaced them.
  const withinBatch = await run(sql`SELECT count(*) AS n FROM incoming i JOIN batch_best b USING (fact_key)
    LEFT JOIN held h USING (fact_key)
    WHERE b.n > 1 AND ${rankOf('i')} < b.best_rank
      AND (h.held_rank IS NULL OR ${rankOf('i')} > h.held_rank)`);
  return {
    factsInserted: inserted.changed,
    factsRevised: superseded.changed + (withinBatch.rows[0].n as number),
    reports: reports.changed,
  };
}
