/**
 * Faults of the disk under `pcmbn etl load`: a warehouse that cannot be written, and a disk that fills up in the
 * middle of a load. Each gives a clear error, and the warehouse holds what it held before; once the fault is
 * mended, the same load gives the warehouse of a load that never failed.
 *
 * The full disk is a real one: a tmpfs mounted for the test, just larger than the warehouse (CI runs as root).
 * Without root, the file-size limit of the load's process (`ulimit -f`) plays the full disk: writes past it fail
 * with "File too large" instead of "No space left on device". A read-only file is refused to root by no
 * permission, so as root the load runs as `nobody`.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { generateProvince } from '../../etl/sample.ts';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbnEnv, type Run, runCommand } from '../api/client.ts';
import {
  cleanupTemp,
  expectWholeFilesOnly,
  freshWarehousePath,
  loadedState,
  snapshot,
  tempDir,
  writeSample,
} from '../helpers.ts';

const root = process.getuid?.() === 0;
const NOBODY = 65534;

/** Runs `pcmbn etl load` with PCMBN_DB, as `nobody` or under a file-size limit when asked. */
function load(db: string, files: string, o: { asNobody?: boolean; maxFileBlocks?: number } = {}): Promise<Run> {
  const args = ['api/cli/pcmbn.js', 'etl', 'load', '--wait', '0', files];
  // SIGXFSZ ignored, so a write past the limit fails with EFBIG instead of killing the process.
  const [cmd, argv] =
    o.maxFileBlocks === undefined
      ? [process.execPath, args]
      : ['bash', ['-c', `trap '' XFSZ; ulimit -f ${o.maxFileBlocks}; exec "$0" "$@"`, process.execPath, ...args]];
  return runCommand(cmd, argv, { env: pcmbnEnv(db), ...(o.asNobody && root ? { uid: NOBODY, gid: NOBODY } : {}) });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

let base: string;
let more: string;

beforeAll(async () => {
  // The warehouse already holds a province's consolidated reports; the load adds its wards' (about 50,000 rows).
  const files = generateProvince({ scale: 'demo', list: '2025-03', province: '12' }).files;
  base = await freshWarehousePath();
  const w = await openWarehouse(base);
  try {
    await loadFiles(
      w,
      writeSample(
        tempDir(),
        files.filter((f) => f.path.startsWith('consolidated/')),
      ),
    );
  } finally {
    await w.close();
  }
  more = tempDir();
  writeSample(
    more,
    files.filter((f) => f.path.startsWith('wards/')),
  );
}, 120_000);
afterAll(cleanupTemp);

describe('a warehouse that cannot be written', () => {
  it('a read-only file: exit 2, naming the file and what is expected; the file is unchanged', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'warehouse.duckdb');
    fs.copyFileSync(base, db);
    fs.chmodSync(db, 0o444);
    fs.chmodSync(dir, 0o555);
    fs.chmodSync(more, 0o755);
    const before = sha256(db);
    try {
      const r = await load(db, more, { asNobody: true });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(
          `^pcmbn: the warehouse ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be opened for writing ` +
            `\\(.*Permission denied\\); expected a writable file in a writable folder`,
          'm',
        ),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack
    } finally {
      fs.chmodSync(dir, 0o755);
    }
    expect(sha256(db)).toBe(before);
    expect(fs.readdirSync(dir)).toEqual(['warehouse.duckdb']);
  });
});

describe('the disk filling up during a load', () => {
  let mount: string | null = null;

  afterAll(() => {
    if (mount) execFileSync('umount', [mount]);
  });

  it('fails naming the fault, commits nothing, and once there is room the same load equals one that never failed', async () => {
    const dir = tempDir();
    const db = path.join(dir, 'warehouse.duckdb');
    const room = fs.statSync(base).size + 256 * 1024; // the warehouse, its journal's start, and not much more
    let run: Run;
    if (root) {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${room}`, 'tmpfs', dir]);
      mount = dir;
      fs.copyFileSync(base, db);
      run = await load(db, more);
    } else {
      fs.copyFileSync(base, db);
      run = await load(db, more, { maxFileBlocks: Math.ceil(room / 1024) });
    }
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(/^pcmbn: run \d+ failed: .*(No space left on device|File too large)/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);

    if (root) execFileSync('mount', ['-o', 'remount,size=512m', dir]);
    const w = await openWarehouse(db);
    try {
      const reference = await openWarehouse(base);
      try {
        expect(await snapshot(w)).toEqual(await snapshot(reference));
        expect(await loadedState(w)).toEqual(await loadedState(reference));
      } finally {
        await reference.close();
      }
      await expectWholeFilesOnly(w);
      const runs = await w.sql<{ status: string }>('SELECT status FROM etl_runs ORDER BY run_id');
      expect(runs.at(-1)!.status).toMatch(/^(failed|running)$/);
    } finally {
      await w.close();
    }

    const again = await load(db, more);
    expect(again.code, again.stderr).toBe(0);
    const expected = await freshWarehousePath();
    fs.copyFileSync(base, expected);
    const [after, clean] = [await openWarehouse(db), await openWarehouse(expected)];
    try {
      await loadFiles(clean, [more]);
      expect(await loadedState(after)).toEqual(await loadedState(clean));
      // The run the full disk cut short is marked so, not left "running".
      expect(await after.sql<{ status: string }>(`SELECT status FROM etl_runs WHERE status = 'running'`)).toEqual([]);
    } finally {
      await after.close();
      await clean.close();
    }
  }, 120_000);
});
