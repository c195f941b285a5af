/**
 * Lines no report has: one longer than the reader takes, and one of `x,` repeated (a field per two bytes). Each
 * rejects its file, located, in time linear in its length; the load runs as the real command, ended after a
 * minute if it has not finished, so a reader that is slow on such lines fails here instead of hanging the suite.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { cleanupTemp, freshWarehouse, freshWarehousePath, HEADER, snapshot, tempDir, writeFile } from '../helpers.ts';
import { pcmbnEnv, projectRoot, type Run } from '../api/client.ts';

afterAll(cleanupTemp);

const ok = (q: number) => `2025-03:26734,2024Q${q},cases_solved,1`;

/** `pcmbn etl load FILE`, killed after `limitMs`: `code` is null then. */
function loadWithin(db: string, file: string, limitMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['api/cli/pcmbn.js', 'etl', 'load', file], {
      cwd: projectRoot,
      env: pcmbnEnv(db),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
  });
}

describe('a line longer than 2 MiB', () => {
  it.each([20, 40])('of %i MiB rejects the file, located at its line; the rows around it load nothing', async (mib) => {
    const w = await freshWarehouse();
    const dir = tempDir();
    const long = `2025-03:26734,2024Q2,cases_solved,${'1'.repeat(mib << 20)}`;
    const file = writeFile(dir, `long-${mib}.csv`, `${HEADER}\n${ok(1)}\n${long}\n${ok(3)}\n`);
    const before = await snapshot(w);
    const r = await loadFiles(w, [file], { baseDir: dir });
    expect(r).toMatchObject({ loaded: 0, rejected: 1, rows: 0 });
    expect(r.files[0].issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 3,
        message:
          `the line is ${long.length.toLocaleString('en-US')} bytes long; a line holds at most 2,097,152 ` +
          `bytes (2 MiB): expected one report row per line`,
      }),
    ]);
    expect(await snapshot(w)).toEqual(before);
  });
});

describe('a line of "x," repeated', () => {
  it.each([128, 512, 4096])(
    'of %i KiB is rejected, located, by the real command well within a minute',
    async (kib) => {
      const db = await freshWarehousePath();
      const file = path.join(tempDir(), `x-${kib}.csv`);
      fs.writeFileSync(file, `${HEADER}\n${ok(1)}\n${'x,'.repeat(kib * 512)}\n${ok(2)}\n`);
      const run = await loadWithin(db, file, 60_000);
      expect(run.code, `killed after a minute; stderr:\n${run.stderr}`).toBe(1);
      const fields = (kib * 512 + 1).toLocaleString('en-US');
      expect(run.stderr).toMatch(new RegExp(`x-${kib}\\.csv:3:5: error: expected 4 fields \\(.*\\), found ${fields}`));
    },
    90_000,
  );
});
