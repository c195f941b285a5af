/**
 * Step 1 and 2: the sample, the load end to end (`pcmbn etl load` as a child process, as an operator runs it), and
 * the floor: DuckDB reading the same files with its own CSV reader straight into a bare table, in this process,
 * into a fresh database file. The floor is what no loader on DuckDB can beat; the ratio says how close we are.
 */
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { expandPaths } from '../etl/load.ts';
import { generateSample, type SampleScale } from '../etl/sample.ts';
import { runPcmbn } from './proc.ts';
import { round, time, timing, type Timing } from './stats.ts';

export interface SampleFigures {
  dir: string;
  scale: SampleScale | 'reused';
  reused: boolean;
  files: number;
  bytes: number;
  /** Data rows of the report files (the floor counts them). */
  rows: number | null;
  generateMs: number | null;
}

export async function sample(scale: SampleScale, dir: string, reuse: string | null): Promise<SampleFigures> {
  if (reuse) {
    const files = expandPaths([reuse]);
    return {
      dir: reuse,
      scale: 'reused',
      reused: true,
      files: files.length,
      bytes: files.reduce((s, f) => s + statSync(f).size, 0),
      rows: null,
      generateMs: null,
    };
  }
  const { ms, value } = await time(() => generateSample({ scale, outDir: dir }));
  return {
    dir,
    scale,
    reused: false,
    files: value.files,
    bytes: value.bytes,
    rows: value.rows,
    generateMs: round(ms, 0),
  };
}

export interface FloorFigures {
  rows: number;
  /** Each run's time; the median is the figure. */
  ms: Timing;
  rowsPerSecond: number;
  duckdbVersion: string;
  sql: string;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The contract's columns, typed as the warehouse ends up holding them. */
const COLUMNS =
  `{'unit_code': 'VARCHAR', 'period': 'VARCHAR', 'indicator': 'VARCHAR', 'sex': 'VARCHAR', ` +
  `'age_group': 'VARCHAR', 'value': 'BIGINT', 'submitted_on': 'DATE'}`;

export async function floor(sampleDir: string, workDir: string, runs: number): Promise<FloorFigures> {
  const files = expandPaths([sampleDir]);
  if (files.some((f) => !/\.csv$/i.test(f)))
    throw new Error('bench: the floor reads CSV only; the sample holds other formats');
  const sql =
    `CREATE TABLE raw AS SELECT * FROM read_csv([${files.map(sqlString).join(', ')}], header = true, ` +
    `auto_detect = false, delim = ',', quote = '"', escape = '"', columns = ${COLUMNS})`;
  const samples: number[] = [];
  let rows = 0;
  let duckdbVersion = '';
  for (let i = 0; i < runs; i++) {
    const path = join(workDir, `floor-${i}.duckdb`);
    rmSync(path, { force: true });
    const instance = await DuckDBInstance.create(path);
    const conn = await instance.connect();
    try {
      const { ms } = await time(async () => {
        await conn.run(sql);
        // Durable, as a load is: the rows are in the file, not only in the WAL.
        await conn.run('CHECKPOINT');
      });
      samples.push(ms);
      rows = Number((await conn.runAndReadAll('SELECT count(*) AS n FROM raw')).getRowObjectsJS()[0].n);
      duckdbVersion = String((await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJS()[0].v);
    } finally {
      conn.closeSync();
      instance.closeSync();
      rmSync(path, { force: true });
      rmSync(`${path}.wal`, { force: true });
    }
  }
  const t = timing(samples);
  return {
    rows,
    ms: t,
    rowsPerSecond: Math.round(rows / (t.median / 1000)),
    duckdbVersion,
    sql: sql.replace(/\[[^\]]*\]/, `[…${files.length} files…]`),
  };
}

export interface LoadFigures {
  command: string;
  exitCode: number | null;
  ms: number;
  rows: number;
  filesLoaded: number;
  filesRejected: number;
  revised: number;
  warnings: number;
  rowsPerSecond: number;
  peakRssBytes: number;
  summary: string;
  /** PCMBN_TRACE=1 only: the statements that took longest, summed by their first words. */
  profile?: { statement: string; ms: number; count: number; share: number }[];
}

export async function load(
  sampleDir: string,
  dbPath: string,
  log: string,
  trace: boolean,
  timeoutMs: number,
): Promise<LoadFigures> {
  const run = await runPcmbn(['etl', 'load', sampleDir], {
    env: { PCMBN_DB: dbPath, PCMBN_TRACE: trace ? '1' : undefined },
    log,
    timeoutMs,
  });
  const summary =
    run.stdout
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('run '))
      .pop() ?? '';
  const m = /: (\d+) loaded, (\d+) unchanged, (\d+) rejected; (\d+) rows .*?, (\d+) revised, (\d+) warnings/.exec(
    summary,
  );
  if (!m) throw new Error(`bench: pcmbn etl load printed no summary (exit ${run.code ?? run.signal}); see ${log}`);
  const rows = Number(m[4]);
  return {
    command: `PCMBN_DB=${dbPath} pcmbn etl load ${sampleDir}`,
    exitCode: run.code,
    ms: round(run.ms, 0),
    rows,
    filesLoaded: Number(m[1]),
    filesRejected: Number(m[3]),
    revised: Number(m[5]),
    warnings: Number(m[6]),
    rowsPerSecond: Math.round(rows / (run.ms / 1000)),
    peakRssBytes: run.peakRssBytes,
    summary,
  };
}

/** Sums PCMBN_TRACE lines (`[sql 12.3 ms] STATEMENT…`) by the statement's first words; the top `n`, with their share
 * of `totalMs`. */
export function traceProfile(
  text: string,
  totalMs: number,
  n = 12,
): { statement: string; ms: number; count: number; share: number }[] {
  const by = new Map<string, { ms: number; count: number }>();
  for (const m of text.matchAll(/^\[sql ([\d.]+) ms\] (.*)$/gm)) {
    const key = m[2].replace(/\d+/g, 'N').slice(0, 70);
    const e = by.get(key) ?? { ms: 0, count: 0 };
    e.ms += Number(m[1]);
    e.count++;
    by.set(key, e);
  }
  return [...by.entries()]
    .map(([statement, e]) => ({ statement, ms: round(e.ms, 0), count: e.count, share: round(e.ms / totalMs, 3) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n);
}
