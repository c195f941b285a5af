/**
 * The load: files → stage → validation → one transaction per batch. A file is in completely or not at all:
 * a file with any error contributes nothing and is recorded as rejected with its located errors; the good files of
 * the batch commit together, so a crash at any point leaves each file wholly loaded or wholly absent. A file whose
 * content (SHA-256) was loaded before is skipped as unchanged.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Kysely, sql } from 'kysely';
import { kyselyOn } from '../schema/dialect.ts';
import { sizeBytes } from '../schema/duckdbSettings.ts';
import { sha256File } from '../schema/fileHash.ts';
import { vietnamToday } from '../schema/periods.ts';
import type { Database } from '../schema/tables.ts';
import type { Warehouse } from '../schema/warehouse.ts';
import { commitAccepted } from './commit.ts';
import { bumpDataVersion, markRollupStale, refreshRollup } from './marts/rollup.ts';
import { formatOf } from './contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from './issues.ts';
import { csvLocator, inspectCsv, stageCsv } from './sources/csv.ts';
import { readJson } from './sources/json.ts';
import { readXlsx } from './sources/xlsx.ts';
import { appendRows, createStage, type Locator } from './stage.ts';
import { checkStage, describeIssue, resolveStage } from './validate.ts';

/** The load's connection-local tables. */
type LoadTables = {
  /** The files of the batch being committed that passed validation. */
  accepted: { file_no: number; file_id: number };
  /** What the run changed, for the roll-up's refresh. */
  run_changes: { unit_id: number; year: number };
};
type LoadDb = Kysely<Database>;

export type FileStatus = 'loaded' | 'unchanged' | 'rejected';

export interface FileOutcome {
  name: string;
  path: string;
  hash: string;
  bytes: number;
  status: FileStatus;
  rows: number;
  errors: number;
  issues: LoadIssue[];
}

export interface LoadResult {
  runId: number;
  files: FileOutcome[];
  loaded: number;
  unchanged: number;
  rejected: number;
  rows: number;
  revised: number;
  warnings: number;
  ms: number;
}

export interface LoadProgress {
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  file: string;
}

export interface LoadOptions {
  trigger?: string;
  /** The load date (YYYY-MM-DD): default submission date. */
  today?: string;
  onProgress?: (p: LoadProgress) => void;
  /**
   * Files are staged and committed in batches of about this many bytes; by default a sixteenth of DuckDB's memory
   * budget (16–256 MiB), so that a batch's work tables stay in memory rather than spill.
   */
  batchBytes?: number;
  /** How file names are printed: relative to this folder. */
  baseDir?: string;
  /**
   * Called before the run's first commit; the function it returns is called once the roll-up is committed. A server
   * holds its requests back in between, so that no answer reads facts of the run beside a roll-up from before it.
   */
  holdReaders?: () => Promise<() => void>;
  /**
   * Stops the run (a server shutting down): the query under way is interrupted and the batch in flight rolls back,
   * so each file is in whole or not at all, as after a crash; the run is recorded as interrupted.
   */
  signal?: AbortSignal;
}

/** Expands folders (recursively, sorted, so that load order is reproducible) into report files. */
export function expandPaths(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        const child = join(p, name);
        if (statSync(child).isDirectory() || formatOf(child)) walk(child);
      }
    } else {
      out.push(resolve(p));
    }
  };
  for (const p of paths) walk(p);
  return out;
}

let queue: Promise<unknown> = Promise.resolve();
/** Loads in one process run one at a time (the scheduler and a server share one warehouse). */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

export function loadFiles(w: Warehouse, paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  return serialized(() => load(w, paths, options));
}

/** A run that stopped on a fault (a full disk, say) rather than on bad input. */
export class LoadFailedError extends Error {
  constructor(
    readonly runId: number,
    override readonly cause: Error,
  ) {
    super(
      `run ${runId} failed: ${cause.message}; each file is in whole or not at all: once the cause is mended, load ` +
        `the same files again (those already in are recognised as unchanged)`,
    );
  }
}

async function load(w: Warehouse, paths: string[], o: LoadOptions): Promise<LoadResult> {
  const started = Date.now();
  const today = o.today ?? vietnamToday();
  const base = o.baseDir ?? process.cwd();
  const conn = await w.connect();
  const db = kyselyOn<Database>(conn);
  const interrupt = () => conn.interrupt();
  o.signal?.addEventListener('abort', interrupt);
  try {
    // Runs still "running" were cut short (kill -9, a full disk): this process holds the file, so none is alive.
    await db.updateTable('etl_runs').set({ status: 'interrupted' }).where('status', '=', 'running').execute();
    // The run's id and its row in one statement: its first write to the warehouse is the row that says it runs.
    const { run_id: runId } = await db
      .insertInto('etl_runs')
      .values({
        run_id: sql<number>`nextval('run_seq')::INTEGER`,
        trigger: o.trigger ?? 'cli',
        started_at: sql<string>`now()::TIMESTAMP`,
        status: 'running',
        files_loaded: 0,
        files_unchanged: 0,
        files_rejected: 0,
        rows_loaded: 0,
        facts_revised: 0,
        warnings: 0,
      })
      .returning('run_id')
      .executeTakeFirstOrThrow();
    try {
      return await loadRun(conn, db, runId, paths, o, today, base, started);
    } catch (e) {
      const stopped = o.signal?.aborted === true;
      const cause = stopped ? (o.signal!.reason as Error) : (e as Error);
      o.signal?.removeEventListener('abort', interrupt); // the bookkeeping below must not be interrupted too
      // On a full disk this bookkeeping fails too: the run then shows as interrupted at the next load.
      await db
        .updateTable('etl_runs')
        .set({
          finished_at: sql<string>`now()::TIMESTAMP`,
          status: stopped ? 'interrupted' : 'failed',
          message: cause.message,
        })
        .where('run_id', '=', runId)
        .execute()
        .catch(() => undefined);
      throw new LoadFailedError(runId, cause);
    }
  } finally {
    o.signal?.removeEventListener('abort', interrupt);
    conn.closeSync();
  }
}

const MiB = 1024 * 1024;

/**
 * A batch's stage, its resolved rows and the rows being committed hold several times its bytes; batches that fit
 * in the budget do not spill, and past a few dozen MiB a larger batch saves little per-batch work.
 */
async function defaultBatchBytes(db: LoadDb): Promise<number> {
  const { rows } = await sql<{ limit: string }>`SELECT current_setting('memory_limit') AS "limit"`.execute(db);
  const budget = sizeBytes(rows[0].limit) ?? 1024 * MiB;
  return Math.min(256 * MiB, Math.max(16 * MiB, Math.floor(budget / 16)));
}

/** The next value of a sequence. */
async function nextId(db: LoadDb, sequence: 'run_seq' | 'file_seq'): Promise<number> {
  const { rows } = await sql<{ id: number }>`SELECT nextval(${sql.lit(sequence)})::INTEGER AS id`.execute(db);
  return rows[0].id;
}

async function loadRun(
  conn: DuckDBConnection,
  db: LoadDb,
  runId: number,
  paths: string[],
  o: LoadOptions,
  today: string,
  base: string,
  started: number,
): Promise<LoadResult> {
  const files: FileOutcome[] = [];
  for (const path of expandPaths(paths)) {
    const st = statSync(path);
    files.push({
      name: relative(base, path) || path,
      path,
      hash: await sha256File(path),
      bytes: st.size,
      status: 'loaded',
      rows: 0,
      errors: 0,
      issues: [],
    });
  }
  const seen = new Set<string>();
  const known = await loadedHashes(
    db,
    files.map((f) => f.hash),
  );
  const staleBefore = await rollupStale(db);
  await sql`CREATE OR REPLACE TEMP TABLE run_changes (unit_id INTEGER, year INTEGER)`.execute(db);
  const todo: FileOutcome[] = [];
  for (const f of files) {
    if (known.has(f.hash) || seen.has(f.hash)) f.status = 'unchanged';
    else todo.push(f);
    seen.add(f.hash);
  }

  const bytesTotal = todo.reduce((s, f) => s + f.bytes, 0);
  let bytesDone = 0;
  let filesDone = 0;
  let revised = 0;
  const batchBytes = o.batchBytes ?? (await defaultBatchBytes(db));
  let release: (() => void) | undefined;
  const beforeCommit = async () => {
    release ??= await o.holdReaders?.();
  };
  try {
    for (let i = 0; i < todo.length;) {
      o.signal?.throwIfAborted();
      const batch: FileOutcome[] = [];
      let size = 0;
      while (i < todo.length && (batch.length === 0 || size + todo[i].bytes <= batchBytes)) {
        size += todo[i].bytes;
        batch.push(todo[i++]);
      }
      revised += await loadBatch(
        conn,
        db,
        runId,
        batch,
        today,
        beforeCommit,
        (f) => {
          bytesDone += f.bytes;
          filesDone++;
          o.onProgress?.({ filesDone, filesTotal: todo.length, bytesDone, bytesTotal, file: f.name });
        },
        o.signal,
      );
    }
    if (staleBefore) await beforeCommit();
    await refreshDerived(conn, db, staleBefore);
  } finally {
    release?.();
  }

  const count = (s: FileStatus) => files.filter((f) => f.status === s).length;
  const result: LoadResult = {
    runId,
    files,
    loaded: count('loaded'),
    unchanged: count('unchanged'),
    rejected: count('rejected'),
    rows: files.reduce((s, f) => s + (f.status === 'loaded' ? f.rows : 0), 0),
    revised,
    warnings: files.reduce((s, f) => s + f.issues.filter((x) => x.severity === 'warning').length, 0),
    ms: 0,
  };
  result.ms = Date.now() - started;
  await db
    .updateTable('etl_runs')
    .set({
      finished_at: sql<string>`now()::TIMESTAMP`,
      status: runStatus(result),
      files_loaded: result.loaded,
      files_unchanged: result.unchanged,
      files_rejected: result.rejected,
      rows_loaded: result.rows,
      facts_revised: result.revised,
      warnings: result.warnings,
    })
    .where('run_id', '=', runId)
    .execute();
  return result;
}

async function rollupStale(db: LoadDb): Promise<boolean> {
  const row = await db.selectFrom('meta').select('value').where('key', '=', 'rollup_stale').executeTakeFirst();
  return row?.value === 'true';
}

/**
 * Brings the roll-up up to date with the facts, in one transaction: for what this run changed, or wholly when it
 * is empty or was left stale by an interrupted run. Bumps `data_version`, which result caches key on.
 */
async function refreshDerived(conn: DuckDBConnection, db: LoadDb, staleBefore: boolean): Promise<void> {
  const changes = await db
    .withTables<LoadTables>()
    .selectFrom('run_changes')
    .select(['unit_id', 'year'])
    .distinct()
    .execute();
  if (!changes.length && !staleBefore) return;
  const empty = !(await db.selectFrom('rollup').select('fact_key').limit(1).executeTakeFirst());
  await refreshRollup(
    conn,
    staleBefore || empty
      ? 'all'
      : { units: [...new Set(changes.map((c) => c.unit_id))], years: [...new Set(changes.map((c) => c.year))] },
    async (trx) => {
      await markRollupStale(trx, false);
      await bumpDataVersion(trx);
    },
  );
}

async function loadedHashes(db: LoadDb, hashes: string[]): Promise<Set<string>> {
  if (!hashes.length) return new Set();
  const rows = await db
    .selectFrom('source_files')
    .select('content_hash')
    .distinct()
    .where('status', '=', 'loaded')
    // One parameter however many files: a national load brings a thousand.
    .where('content_hash', 'in', sql<string>`(SELECT unnest(string_split(${hashes.join(',')}, ',')))`)
    .execute();
  return new Set(rows.map((r) => r.content_hash));
}

interface Staged {
  outcome: FileOutcome;
  fileNo: number;
  firstRowid: number;
  locator: () => Locator;
  cleanup: () => void;
}

/** A run that rejected a file is `partial` (the command exits 1): the good files loaded, the rejected did not. */
export function runStatus(result: Pick<LoadResult, 'rejected'>): 'succeeded' | 'partial' {
  return result.rejected > 0 ? 'partial' : 'succeeded';
}

/** Stages, validates and commits one batch of files; returns how many held facts were revised. */
async function loadBatch(
  conn: DuckDBConnection,
  db: LoadDb,
  runId: number,
  batch: FileOutcome[],
  today: string,
  beforeCommit: () => Promise<void>,
  done: (f: FileOutcome) => void,
  signal: AbortSignal | undefined,
): Promise<number> {
  await createStage(conn);
  const staged: Staged[] = [];
  let nextRowid = 0;
  try {
    for (const [fileNo, f] of batch.entries()) {
      try {
        signal?.throwIfAborted();
        const s = await stageFile(conn, fileNo, f, signal);
        f.rows = s.rows;
        if (s.rows === 0)
          f.issues.push({
            severity: 'warning',
            file: f.name,
            line: null,
            col: null,
            column: null,
            message: 'the file holds no rows; nothing to load',
          });
        staged.push({ outcome: f, fileNo, firstRowid: nextRowid, locator: memo(s.locator), cleanup: s.cleanup });
        nextRowid += s.rows;
      } catch (e) {
        if (!(e instanceof FileRejected)) throw e;
        f.status = 'rejected';
        f.issues = e.issues;
        f.errors = e.issues.filter((x) => x.severity === 'error').length;
        // Rows a failed CSV read did stage still hold rowids: keep counting so ordinals stay right.
        nextRowid = (await sql<{ n: number }>`SELECT count(*)::BIGINT AS n FROM stage`.execute(db)).rows[0].n;
      }
    }

    await resolveStage(conn, today);
    // Everything after reads the resolved rows: the stage's memory goes back to the budget now.
    await sql`DROP TABLE stage`.execute(db);
    const { errors: counts, issues: raw } = await checkStage(conn, MAX_ISSUES_PER_FILE);
    const byNo = new Map(staged.map((s) => [s.fileNo, s]));
    for (const r of raw) {
      const s = byNo.get(r.file_no);
      if (!s) continue; // rows of a file already rejected while staging
      const locate = s.locator();
      const ordinal = (rid: number) => rid - s.firstRowid + 1;
      s.outcome.issues.push({
        severity: r.severity,
        file: s.outcome.name,
        ...locate(ordinal(r.rid), r.column),
        column: r.column,
        message: describeIssue(r, (rid) => locate(ordinal(rid), null).line),
      });
    }
    for (const s of staged) {
      s.outcome.issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
      s.outcome.errors = counts.get(s.fileNo) ?? 0;
      if (s.outcome.errors > 0) s.outcome.status = 'rejected';
    }

    const accepted = staged.filter((s) => s.outcome.status === 'loaded');
    signal?.throwIfAborted();
    let revised = 0;
    await beforeCommit();
    await db.transaction().execute(async (trx) => {
      await sql`CREATE OR REPLACE TEMP TABLE accepted (file_no INTEGER, file_id INTEGER)`.execute(trx);
      for (const f of batch) {
        const fileId = await nextId(trx, 'file_seq');
        await trx
          .insertInto('source_files')
          .values({
            file_id: fileId,
            run_id: runId,
            file_name: f.name,
            content_hash: f.hash,
            status: f.status === 'rejected' ? 'rejected' : 'loaded',
            rows: f.rows,
            recorded_at: sql<string>`now()::TIMESTAMP`,
          })
          .execute();
        const s = accepted.find((a) => a.outcome === f);
        if (s)
          await trx
            .withTables<LoadTables>()
            .insertInto('accepted')
            .values({ file_no: s.fileNo, file_id: fileId })
            .execute();
        await recordIssues(conn, runId, f);
      }
      if (accepted.length) {
        revised = (await commitAccepted(conn, runId)).factsRevised;
        // The roll-up is refreshed once the run's files are in; until then it is marked stale, so that a crash in
        // between is repaired by the next load (the API reads the roll-up, never half a run).
        const work = trx.withTables<LoadTables & { incoming: { unit_id: number; period_id: string } }>();
        await work
          .insertInto('run_changes')
          .expression(
            work
              .selectFrom('incoming')
              .innerJoin('periods', 'periods.period_id', 'incoming.period_id')
              .select(['incoming.unit_id', 'periods.year'])
              .distinct(),
          )
          .execute();
        await markRollupStale(trx, true);
      }
    });
    for (const f of batch) done(f);
    return revised;
  } finally {
    for (const s of staged) s.cleanup();
    // The next batch starts with the whole budget: its stage must not spill beside this batch's work tables.
    // After a fault the database may refuse these too: the error to report is the one that got here.
    for (const t of BATCH_TABLES) await sql`DROP TABLE IF EXISTS ${sql.table(t)}`.execute(db).catch(() => undefined);
  }
}

/** The connection-local tables a batch makes (etl/stage.ts, etl/validate.ts, etl/commit.ts). */
const BATCH_TABLES = ['stage', 'resolved', 'duplicates', 'side_by_side', 'accepted', 'incoming', 'batch_best', 'held'];

async function recordIssues(conn: DuckDBConnection, runId: number, f: FileOutcome): Promise<void> {
  if (!f.issues.length) return;
  const appender = await conn.createAppender('rejects');
  for (const i of f.issues) {
    appender.appendInteger(runId);
    appender.appendVarchar(f.name);
    appender.appendVarchar(f.hash);
    appender.appendVarchar(i.severity);
    if (i.line === null) appender.appendNull();
    else appender.appendInteger(i.line);
    if (i.col === null) appender.appendNull();
    else appender.appendInteger(i.col);
    if (i.column === null) appender.appendNull();
    else appender.appendVarchar(i.column);
    appender.appendVarchar(i.message);
    appender.endRow();
  }
  appender.closeSync();
}

function memo<T>(fn: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) [value, done] = [fn(), true];
    return value as T;
  };
}

async function stageFile(
  conn: DuckDBConnection,
  fileNo: number,
  f: FileOutcome,
  signal: AbortSignal | undefined,
): Promise<{ rows: number; locator: () => Locator; cleanup: () => void }> {
  const format = formatOf(f.path);
  if (format === 'csv') {
    const layout = inspectCsv(f.path, f.name);
    try {
      const rows = await stageCsv(conn, fileNo, f.name, layout);
      return { rows, locator: () => csvLocator(layout), cleanup: layout.cleanup };
    } catch (e) {
      layout.cleanup();
      throw e;
    }
  }
  if (format === 'json') {
    const read = await readJson(f.path, f.name, (rows) => appendRows(conn, fileNo, rows).then(() => {}), signal);
    return { rows: read.rows, locator: () => read.locator, cleanup: () => {} };
  }
  if (format === 'xlsx') {
    const read = await readXlsx(f.path, f.name, (rows) => appendRows(conn, fileNo, rows).then(() => {}), signal);
    return { rows: read.rows, locator: () => read.locator, cleanup: () => {} };
  }
  throw new FileRejected([
    {
      severity: 'error',
      file: f.name,
      line: null,
      col: null,
      column: null,
      message: 'unsupported file type; expected .csv (or .tsv/.txt), .xlsx or .json',
    },
  ]);
}
