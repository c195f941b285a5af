/**
 * DuckDB's memory is bounded by default (schema/duckdbSettings.ts): a warehouse opened with no variable set gets a
 * fifth of RAM within 256 MiB–1 GiB and spills beside its file; PCMBN_MEMORY_LIMIT and PCMBN_TEMP_DIR override.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultMemoryLimit, duckdbSettings, sizeBytes } from '../../schema/duckdbSettings.ts';
import { openWarehouse } from '../../schema/warehouse.ts';

const GiB = 1024 ** 3;
const dirs: string[] = [];
const saved = { limit: process.env.PCMBN_MEMORY_LIMIT, temp: process.env.PCMBN_TEMP_DIR };

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcmbn-settings-'));
  dirs.push(dir);
  return dir;
}

afterEach(() => {
  for (const [k, v] of [
    ['PCMBN_MEMORY_LIMIT', saved.limit],
    ['PCMBN_TEMP_DIR', saved.temp],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
});
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function settingsOf(db: string): Promise<{ limit: number; temp: string }> {
  const w = await openWarehouse(db);
  try {
    const [row] = await w.sql<{ limit: string; temp: string }>(
      `SELECT current_setting('memory_limit') AS "limit", current_setting('temp_directory') AS temp`,
    );
    return { limit: sizeBytes(row.limit)!, temp: row.temp };
  } finally {
    await w.close();
  }
}

describe('DuckDB settings', () => {
  it('a fifth of the machine memory, at least 256 MiB and at most 1 GiB', () => {
    expect(defaultMemoryLimit(2 * GiB)).toBe('409MiB');
    expect(defaultMemoryLimit(8 * GiB)).toBe('1024MiB');
    expect(defaultMemoryLimit(64 * GiB)).toBe('1024MiB');
    expect(defaultMemoryLimit(GiB / 2)).toBe('256MiB');
  });

  it('PCMBN_MEMORY_LIMIT overrides the budget and must be a size', () => {
    expect(duckdbSettings('/x/w.duckdb', { PCMBN_MEMORY_LIMIT: '3GB' }, 8 * GiB).memory_limit).toBe('3GB');
    expect(() => duckdbSettings('/x/w.duckdb', { PCMBN_MEMORY_LIMIT: 'lots' })).toThrow(
      /PCMBN_MEMORY_LIMIT="lots" is not a memory size; expected a number and a unit/,
    );
  });

  it('DuckDB sizes read back as bytes', () => {
    expect(sizeBytes('1.0 GiB')).toBe(GiB);
    expect(sizeBytes('953.6 MiB')).toBe(Math.round(953.6 * 1024 ** 2));
    expect(sizeBytes('3GB')).toBe(3e9);
    expect(sizeBytes('unlimited')).toBeNull();
  });

  it('a warehouse opened with no variable is bounded and spills beside its file', async () => {
    delete process.env.PCMBN_MEMORY_LIMIT;
    delete process.env.PCMBN_TEMP_DIR;
    const db = path.join(tempDir(), 'warehouse.duckdb');
    const s = await settingsOf(db);
    expect(s.limit).toBeLessThanOrEqual(GiB);
    expect(s.limit).toBeGreaterThanOrEqual(255 * 1024 ** 2);
    expect(s.temp).toBe(`${db}.tmp`);
  });

  it('PCMBN_MEMORY_LIMIT and PCMBN_TEMP_DIR reach DuckDB', async () => {
    process.env.PCMBN_MEMORY_LIMIT = '300MB';
    const spill = tempDir();
    process.env.PCMBN_TEMP_DIR = spill;
    const s = await settingsOf(path.join(tempDir(), 'warehouse.duckdb'));
    expect(s.limit).toBeGreaterThan(280e6);
    expect(s.limit).toBeLessThan(310e6);
    expect(s.temp).toBe(spill);
  });
});
