/**
 * `kill -9` of `pcmbn etl load` at random points (staging, validation, commit, the roll-up): afterwards the warehouse
 * opens, every file is in whole or not at all, and running the load again gives exactly the warehouse of one
 * uninterrupted load: nothing lost, nothing counted twice.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProvince } from '../../etl/sample.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import {
  cleanupTemp,
  expectWholeFilesOnly,
  freshWarehousePath,
  loadedState,
  tempDir,
  writeSample,
} from '../helpers.ts';

const CLI = path.resolve('api/cli/pcmbn.js');
const KILLS = 20;

function runLoad(db: string, dir: string, killAfterMs?: number): Promise<{ code: number | null; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CLI, 'etl', 'load', dir], {
      env: { ...process.env, PCMBN_DB: db },
      stdio: 'ignore',
    });
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, ms: Date.now() - started });
    });
  });
}

describe('kill -9 during a load', () => {
  let dir: string;
  let reference: Awaited<ReturnType<typeof loadedState>>;
  let fullMs: number;

  beforeAll(async () => {
    // One province-year of ward reports per file, and its consolidated reports: a load of a few seconds.
    dir = tempDir();
    const out = generateProvince({ scale: 'demo', list: '2025-03', province: '12' });
    writeSample(dir, out.files);
    const db = await freshWarehousePath();
    const run = await runLoad(db, dir);
    expect(run.code).toBe(0);
    fullMs = run.ms;
    const w = await openWarehouse(db);
    reference = await loadedState(w);
    await w.close();
    expect(reference.facts.length).toBeGreaterThan(1000);
  }, 120_000);
  afterAll(cleanupTemp);

  it(`at ${KILLS} random points: the warehouse opens, holds whole files only, and a re-run equals one uninterrupted load`, async () => {
    const outcomes: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      const db = await freshWarehousePath();
      // Spread over the whole run, start-up included, so that some kills land in each phase.
      const at = Math.round(((k + Math.random()) / KILLS) * fullMs);
      const killed = await runLoad(db, dir, at);
      outcomes.push(killed.code === 0 ? 'finished' : 'killed');
      const w = await openWarehouse(db);
      try {
        await expectWholeFilesOnly(w);
      } finally {
        await w.close();
      }
      expect((await runLoad(db, dir)).code).toBe(0);
      const after = await openWarehouse(db);
      try {
        await expectWholeFilesOnly(after);
        expect(await loadedState(after)).toEqual(reference);
      } finally {
        await after.close();
      }
    }
    expect(outcomes.filter((o) => o === 'killed').length).toBeGreaterThan(KILLS / 2);
  }, 600_000);
});
