/**
 * The real `pcmbn etl …` command line, run as a child process on a warehouse file in a temp folder.
 * Exit codes: 0 done, 1 some file rejected, 2 misuse. Each spawn costs about a second: few, and sequential only
 * where they share the warehouse (DuckDB lets one process at a time open it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbn as runPcmbn, pcmbnEnv, type Run } from '../api/client.ts';
import { cleanupTemp, csv, freshWarehousePath, HEADER, tempDir, writeFile } from '../helpers.ts';

let dbPath: string;
let dir: string;

beforeAll(async () => {
  // A copy of a migrated warehouse: the CLI need not migrate on its first open.
  dbPath = await freshWarehousePath();
  dir = tempDir();
});
afterAll(cleanupTemp);

/** `pcmbn …` against this file's warehouse. */
const pcmbn = (...args: string[]): Promise<Run> => runPcmbn(pcmbnEnv(dbPath), ...args);

const good = () =>
  writeFile(dir, 'good.csv', csv(HEADER, '2025-03:26734,2024,cases_initiated,3', 'VN,2024,cases_solved,2'));
const bad = () =>
  writeFile(dir, 'bad.csv', csv(HEADER, '2025-03:26734,2024,cases_initiated,3', '2025-03:26734,2024,cases_solved,abc'));

describe('pcmbn etl', () => {
  it('load: a good file exits 0, a bad one 1 naming file:line:col; a missing path and an unknown subcommand exit 2', async () => {
    const [ok, missing, unknown] = await Promise.all([
      pcmbn('etl', 'load', good()),
      // These two never open the warehouse, so they may run beside the load.
      pcmbn('etl', 'load', '/no/such/file.csv'),
      pcmbn('etl', 'frobnicate'),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/run 1: 1 loaded, 0 unchanged, 0 rejected; 2 rows/);

    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file or folder: \/no\/such\/file\.csv/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);

    const rejected = await pcmbn('etl', 'load', bad());
    expect(rejected.code, rejected.stderr).toBe(1);
    expect(rejected.stderr).toMatch(/rejected .*bad\.csv: 1 error\(s\)/);
    expect(rejected.stderr).toMatch(/bad\.csv:3:4 \(value\): error: "abc" is not a number/);
    expect(rejected.stdout).toMatch(/run 2: 0 loaded, 0 unchanged, 1 rejected/);
  });

  const RUN_COLUMNS = [
    'run',
    'trigger',
    'started',
    'status',
    'loaded',
    'unchanged',
    'rejected',
    'rows',
    'revised',
    'warnings',
  ];

  it('runs and rejects print the runs and the errors', async () => {
    const runs = await pcmbn('etl', 'runs');
    expect(runs.code, runs.stderr).toBe(0);
    const lines = runs.stdout.split('\n');
    // One table row per run, newest first.
    const row = (run: number) => lines.find((l) => new RegExp(`^\\s*${run}  cli `).test(l));
    expect(lines[0].split(/\s+/)).toEqual(RUN_COLUMNS);
    expect(row(1)).toMatch(/ succeeded\s+1\s+0\s+0\s+2\s/);
    // The run that rejected a file (the command exited 1) is not "succeeded".
    expect(row(2)).toMatch(/ partial\s+0\s+0\s+1\s+0\s/);
    expect(lines.indexOf(row(2)!)).toBeLessThan(lines.indexOf(row(1)!));

    const rejects = await pcmbn('etl', 'rejects');
    expect(rejects.code, rejects.stderr).toBe(0);
    expect(rejects.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^run 2 {2}.*bad\.csv:3:4 \(value\): error: "abc" is not a number/),
    ]);
  });

  it(
    'schedule --once moves loaded and rejected files aside with their errors; a second scan of the empty inbox ' +
      'loads nothing',
    async () => {
      const inbox = path.join(dir, 'inbox');
      writeFile(inbox, 'good2.csv', csv(HEADER, '2025-07:00004,202509,hotline_calls,4'));
      writeFile(
        inbox,
        'bad2.csv',
        csv(HEADER, '2025-07:00004,202509,hotline_calls,5', '2025-07:00004,202509,media_items,x'),
      );

      const first = await pcmbn('etl', 'schedule', '--inbox', inbox, '--once');
      expect(first.code, first.stderr).toBe(1);
      expect(first.stdout).toMatch(/run 3: 1 loaded, 0 unchanged, 1 rejected/);
      expect(fs.readdirSync(inbox).sort()).toEqual(['loaded', 'rejected']);
      expect(fs.readdirSync(path.join(inbox, 'loaded'))).toEqual(['run-3']);
      expect(fs.readdirSync(path.join(inbox, 'loaded/run-3'))).toEqual(['good2.csv']);
      expect(fs.readdirSync(path.join(inbox, 'rejected/run-3')).sort()).toEqual(['bad2.csv', 'bad2.csv.errors.txt']);
      const errors = fs.readFileSync(path.join(inbox, 'rejected/run-3/bad2.csv.errors.txt'), 'utf8');
      expect(errors).toMatch(/^bad2\.csv:3:4 \(value\): error: "x" is not a number/);

      const second = await pcmbn('etl', 'schedule', '--inbox', inbox, '--once');
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/is empty/);
      expect(fs.readdirSync(path.join(inbox, 'loaded'))).toEqual(['run-3']);
      expect(fs.readdirSync(path.join(inbox, 'rejected'))).toEqual(['run-3']);

      // The warehouse, opened once the CLI is done: three runs, the good files' facts, nothing of the bad ones.
      const w = await openWarehouse(dbPath);
      try {
        expect(
          await w.sql('SELECT run_id, trigger, files_loaded, files_rejected FROM etl_runs ORDER BY run_id'),
        ).toEqual([
          { run_id: 1, trigger: 'cli', files_loaded: 1, files_rejected: 0 },
          { run_id: 2, trigger: 'cli', files_loaded: 0, files_rejected: 1 },
          { run_id: 3, trigger: 'schedule', files_loaded: 1, files_rejected: 1 },
        ]);
        expect(
          await w.sql(
            `SELECT u.ref, f.indicator, f.value FROM facts f JOIN units u USING (unit_id) ORDER BY u.ref, f.indicator`,
          ),
        ).toEqual([
          { ref: '2025-03:26734', indicator: 'cases_initiated', value: 3 },
          { ref: '2025-07:00004', indicator: 'hotline_calls', value: 4 },
          { ref: 'VN', indicator: 'cases_solved', value: 2 },
        ]);
        expect(await w.sql(`SELECT file_name, status FROM source_files WHERE run_id = 3 ORDER BY file_name`)).toEqual([
          { file_name: 'bad2.csv', status: 'rejected' },
          { file_name: 'good2.csv', status: 'loaded' },
        ]);
      } finally {
        await w.close();
      }
    },
  );
});
