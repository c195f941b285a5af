/**
 * SIGTERM in the middle of a load, to `pcmbn etl load` and to a `pcmbn serve` loading its inbox: the process stops
 * well before the load would have ended, the file in flight is not in the warehouse (which holds what it held
 * before), and the next start loads it.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbnBackground, pcmbnEnv, projectRoot } from '../api/client.ts';
import { cleanupTemp, csv, freshWarehousePath, HEADER, loadedState, tempDir, writeFile } from '../helpers.ts';
import { writeLargeJson } from './large-json.ts';

/** How long a stopped process may take to exit; a load of the large file takes longer than this to finish. */
const STOP_BOUND_MS = 30_000;

let base: string;
let large: string;
let rows: number;
let before: Awaited<ReturnType<typeof loadedState>>;

beforeAll(async () => {
  // The warehouse already holds a small report; the large one (600,000 rows) is the load that gets stopped.
  base = await freshWarehousePath();
  const w = await openWarehouse(base);
  try {
    await loadFiles(w, [writeFile(tempDir(), 'small.csv', csv(HEADER, '2025-03:26734,2024,cases_initiated,3'))]);
    large = path.join(tempDir(), 'export.json');
    rows = await writeLargeJson(w, large, 10_000);
    before = await loadedState(w);
  } finally {
    await w.close();
  }
}, 120_000);
afterAll(cleanupTemp);

async function copyOfBase(): Promise<string> {
  const db = path.join(tempDir(), 'warehouse.duckdb');
  fs.copyFileSync(base, db);
  return db;
}

async function stateOf(db: string) {
  const w = await openWarehouse(db);
  try {
    const runs = await w.sql<{ status: string }>('SELECT status FROM etl_runs ORDER BY run_id');
    return { ...(await loadedState(w)), runs: runs.map((r) => r.status) };
  } finally {
    await w.close();
  }
}

/** Resolves with how the process ended, or rejects (killing it) when it did not end within the bound. */
function ended(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running ${STOP_BOUND_MS} ms after SIGTERM`));
    }, STOP_BOUND_MS);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('SIGTERM during a load', () => {
  it('`pcmbn etl load`: stops, the file is not in, the warehouse is as before; the next load loads it', async () => {
    const db = await copyOfBase();
    const child = spawn(process.execPath, ['api/cli/pcmbn.js', 'etl', 'load', large], {
      cwd: projectRoot,
      env: pcmbnEnv(db),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d));
    // The run is under way once the warehouse's write-ahead log holds something: the run's row is its first write.
    const wal = () => fs.statSync(`${db}.wal`, { throwIfNoEntry: false })?.size ?? 0;
    while (wal() === 0) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const end = await ended(child);
    expect(end.code === 0).toBe(false);
    expect(out).not.toMatch(/loaded/);
    const after = await stateOf(db);
    expect({ facts: after.facts, rollup: after.rollup }).toEqual(before);
    expect(after.runs).toEqual(['succeeded', 'running']); // it was stopped in the middle of its run

    const again = spawn(process.execPath, ['api/cli/pcmbn.js', 'etl', 'load', large], {
      cwd: projectRoot,
      env: pcmbnEnv(db),
      stdio: 'ignore',
    });
    expect(await new Promise((r) => again.on('exit', r))).toBe(0);
    const loaded = await stateOf(db);
    expect(loaded.facts.length).toBe(before.facts.length + rows);
    expect(loaded.runs).toEqual(['succeeded', 'interrupted', 'succeeded']);
  }, 300_000);

  it(
    '`pcmbn serve` loading its inbox: stops, the file stays in the inbox and is not in the warehouse; the next ' +
      'start loads it',
    async () => {
      const db = await copyOfBase();
      const inbox = path.join(tempDir(), 'inbox');
      const serve = () =>
        pcmbnBackground(pcmbnEnv(db, { PORT: '0' }), 'serve', '--inbox', inbox, '--cron', '* * * * * *');
      const first = serve();
      await first.waitFor(/GraphQL/);
      fs.copyFileSync(large, path.join(inbox, 'export.json'));
      await first.waitFor(/inbox: loading export\.json/);
      const end = await Promise.race([
        first.stop(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`still running ${STOP_BOUND_MS} ms after SIGTERM`)), STOP_BOUND_MS),
        ),
      ]).finally(() => first.child.kill('SIGKILL'));
      expect(end).toBe(0);
      expect(first.stdout()).toMatch(/stopped/);
      expect(first.stdout()).not.toMatch(/run \d+: 1 loaded/);
      expect(fs.existsSync(path.join(inbox, 'export.json'))).toBe(true);
      const after = await stateOf(db);
      expect({ facts: after.facts, rollup: after.rollup }).toEqual(before);
      expect(after.runs.at(-1)).toBe('interrupted');

      const second = serve();
      try {
        await second.waitFor(/run \d+: 1 loaded/, 300_000);
      } finally {
        expect(await second.stop()).toBe(0);
      }
      expect(fs.existsSync(path.join(inbox, 'export.json'))).toBe(false);
      const loaded = await stateOf(db);
      expect(loaded.facts.length).toBe(before.facts.length + rows);
    },
    600_000,
  );
});
