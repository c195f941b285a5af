/**
 * Shared helpers for tests that need a real warehouse and real report files on disk.
 *
 * Opening a fresh warehouse runs the migrations (about 14,000 administrative units): a few hundred milliseconds.
 * Tests that each need an empty warehouse get a copy of one migrated template file instead, which opens in tens of
 * milliseconds. Every temp folder is removed by `cleanupTemp()` (call it in afterAll).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { openWarehouse, type Warehouse } from '../schema/warehouse.ts';
import { SEEDS_DIR } from './requirements.ts';

const tempDirs: string[] = [];

/** A new temp folder, removed by `cleanupTemp()`. */
export function tempDir(prefix = 'pcmbn-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

const openWarehouses = new Set<Warehouse>();

/** Closes every warehouse opened through these helpers and removes every temp folder. */
export async function cleanupTemp(): Promise<void> {
  for (const w of openWarehouses) await w.close();
  openWarehouses.clear();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

let template: Promise<string> | null = null;

/** Path of a migrated, closed warehouse file to copy from (made once per test process). */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const file = path.join(tempDir('pcmbn-template-'), 'template.duckdb');
    const w = await openWarehouse(file);
    await w.close();
    return file;
  })();
  return template;
}

/** A path for a fresh, already migrated warehouse file (not opened). */
export async function freshWarehousePath(): Promise<string> {
  const file = path.join(tempDir(), 'warehouse.duckdb');
  fs.copyFileSync(await migratedTemplate(), file);
  return file;
}

/** Opens a fresh, empty (migrated) warehouse; closed by `closeWarehouse` or `cleanupTemp`. */
export async function freshWarehouse(): Promise<Warehouse> {
  const w = await openWarehouse(await freshWarehousePath());
  openWarehouses.add(w);
  return w;
}

export async function closeWarehouse(w: Warehouse): Promise<void> {
  if (openWarehouses.delete(w)) await w.close();
}

/** Writes a file (text or bytes) into `dir` and returns its absolute path. */
export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, content);
  return p;
}

/** CSV text from a header line and data lines (each already comma-joined), LF line endings, final newline. */
export function csv(header: string, ...rows: string[]): string {
  return [header, ...rows].join('\n') + '\n';
}

export const HEADER = 'unit_code,period,indicator,value';
export const HEADER_FULL = 'unit_code,period,indicator,value,sex,age_group,submitted_on';

export async function unitId(w: Warehouse, ref: string): Promise<number> {
  const rows = await w.sql<{ unit_id: number }>('SELECT unit_id FROM units WHERE ref = $1', [ref]);
  if (rows.length !== 1) throw new Error(`no unit ${ref}`);
  return rows[0].unit_id;
}

export interface FactRow {
  ref: string;
  period_id: string;
  indicator: string;
  sex: string;
  age_group: string;
  value: number;
  submitted_on: string;
  is_current: boolean;
}

/** Every fact, with its unit written as a ref, in a stable order. */
export async function facts(w: Warehouse, where = 'true'): Promise<FactRow[]> {
  return w.sql<FactRow>(`SELECT u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.value,
    f.submitted_on::VARCHAR AS submitted_on, f.is_current
    FROM facts f JOIN units u USING (unit_id) WHERE ${where}
    ORDER BY u.ref, f.period_id, f.indicator, f.sex, f.age_group, f.submitted_on, f.load_seq, f.value`);
}

/** The current facts only, without load bookkeeping: what a query sees. */
export async function currentFacts(w: Warehouse): Promise<Omit<FactRow, 'is_current'>[]> {
  return (await facts(w, 'f.is_current')).map(({ is_current: _, ...rest }) => rest);
}

/** Everything a load may change, as comparable plain data. */
export async function snapshot(
  w: Warehouse,
): Promise<{ facts: unknown[]; reports: unknown[]; loadedFiles: unknown[] }> {
  return {
    facts: await w.sql('SELECT * FROM facts ORDER BY fact_key, load_seq, submitted_on, value'),
    reports: await w.sql('SELECT * FROM reports ORDER BY report_id'),
    loadedFiles: await w.sql(
      `SELECT file_id, file_name, content_hash, rows FROM source_files WHERE status = 'loaded' ORDER BY file_id`,
    ),
  };
}

/** What a load must leave, compared exactly across warehouses: the current facts and the roll-up. */
export async function loadedState(w: Warehouse): Promise<{ facts: unknown[]; rollup: unknown[] }> {
  return {
    facts: await w.sql('SELECT fact_key, value, submitted_on FROM facts WHERE is_current ORDER BY fact_key'),
    rollup: await w.sql('SELECT fact_key, value, source::VARCHAR AS source, partial FROM rollup ORDER BY fact_key'),
  };
}

/** Every file the warehouse says it loaded holds exactly its rows, and no fact belongs to a file it does not list. */
export async function expectWholeFilesOnly(w: Warehouse): Promise<void> {
  const files = await w.sql<{ file_id: number; rows: number; facts: number }>(`
    SELECT s.file_id, s.rows, (SELECT count(*) FROM facts f WHERE f.load_seq = s.file_id) AS facts
    FROM source_files s WHERE s.status = 'loaded'`);
  for (const f of files) expect(f.facts, `file ${f.file_id}`).toBe(f.rows);
  const [{ orphans }] = await w.sql<{ orphans: number }>(
    `SELECT count(*) AS orphans FROM facts WHERE load_seq NOT IN (SELECT file_id FROM source_files WHERE status = ` +
      `'loaded')`,
  );
  expect(orphans).toBe(0);
}

/** Writes generated sample files (etl/sample.ts) under `dir`; returns their absolute paths. */
export function writeSample(dir: string, files: { path: string; text: string }[]): string[] {
  return files.map((f) => writeFile(dir, f.path, f.text));
}

export async function count(w: Warehouse, table: string, where = 'true'): Promise<number> {
  const [{ n }] = await w.sql<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM ${table} WHERE ${where}`);
  return n;
}

/**
 * A source document of `shared/seeds`, which CI puts beside the clone (`../shared`). Call it inside a test or a hook
 * guarded by `needs(SEEDS)` (test/requirements.ts), never at import: a clone without the seeds skips those tests.
 */
export function seedPath(name: string): string {
  const file = path.join(SEEDS_DIR, name);
  if (!fs.existsSync(file)) throw new Error(`seed ${name} not found at ${file}: expected shared/ beside the project`);
  return file;
}
