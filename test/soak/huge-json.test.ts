/**
 * A JSON report of 600 MiB (6.5 million rows) with one bad value near its end: `pcmbn etl load` (the real command, in
 * its own process) must reject it naming the bad value's exact line and column, leave the warehouse as it was, and
 * stay within a memory bound. The reader that held the text whole could not read it at all: a JavaScript string
 * holds at most 512 MiB. Read as a stream in the parse worker, the file costs the process a few stream buffers and
 * where each row starts (16 bytes a row); DuckDB's stage holds the rows within its budget (PCMBN_MEMORY_LIMIT).
 * Time and peak memory are printed for the README, not asserted (only the memory bound is).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../schema/warehouse.ts';
import { pcmbnEnv, projectRoot } from '../api/client.ts';
import { cleanupTemp, freshWarehousePath, snapshot, tempDir } from '../helpers.ts';
import { measuredPcmbn } from './measure.ts';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
/** Past what a JavaScript string can hold (2^29 − 24 characters), so the file cannot be read as one. */
const BYTES = 600 * MiB;
const MEMORY_LIMIT = '2GB';
/**
 * DuckDB's budget (1.9 GiB) and 1.35 GiB for the rest (measured 2.7 GiB in all, on 6.5 million rows). Holding the
 * text, were it possible, would add the file twice over (its bytes and its string): 1.2 GiB.
 */
const PEAK_RSS_BOUND = 3.25 * GiB;

const INDICATORS = [
  'cases_initiated',
  'cases_solved',
  'hotline_calls',
  'media_items',
  'trainings_held',
  'inspections_held',
  'outreach_sessions',
  'leaflets_distributed',
  'tipoffs_received',
];

interface Written {
  path: string;
  bytes: number;
  rows: number;
  badLine: number;
  badCol: number;
  badValue: string;
}

/** Ward-month reports, one object a line, until the file holds BYTES; one value that is not a number near the end. */
async function writeHugeJson(file: string, wards: string[]): Promise<Written> {
  const out = fs.createWriteStream(file, { highWaterMark: 4 << 20 });
  const badValue = '7O';
  let bytes = 0;
  let rows = 0;
  let bad = { line: 0, col: 0 };
  const put = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  await put('[\n');
  let chunk = '';
  outer: for (let year = 2000; year <= 2024; year++) {
    for (let month = 1; month <= 12; month++) {
      const period = `${year}${String(month).padStart(2, '0')}`;
      for (const ward of wards) {
        const value = (Number(ward.slice(-3)) + month) % 40;
        for (const indicator of INDICATORS) {
          rows++;
          const head = `${rows > 1 ? ',\n' : ''}{"unit_code": "2025-03:${ward}", "period": "${period}", "indicator": "${indicator}", "value": `;
          let v = String(value);
          if (!bad.line && bytes + chunk.length >= BYTES - 4096) {
            v = JSON.stringify(badValue);
            bad = { line: rows + 1, col: head.length - (rows > 1 ? 2 : 0) + 1 };
          }
          chunk += `${head}${v}}`;
          if (bytes + chunk.length >= BYTES) break outer;
        }
        if (chunk.length >= MiB) {
          await put(chunk);
          chunk = '';
        }
      }
    }
  }
  await put(`${chunk}\n]\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return { path: file, bytes, rows, badLine: bad.line, badCol: bad.col, badValue };
}

describe('a 600 MiB JSON report', () => {
  let db: string;
  let huge: Written;

  beforeAll(async () => {
    db = await freshWarehousePath();
    const w = await openWarehouse(db);
    const wards = (
      await w.sql<{ code: string }>(
        `SELECT code FROM units WHERE hierarchy = '2025-03' AND level = 'ward' ORDER BY code`,
      )
    ).map((r) => r.code);
    await w.close();
    huge = await writeHugeJson(path.join(tempDir('pcmbn-huge-json-'), 'huge.json'), wards);
    expect(huge.bytes).toBeGreaterThan(2 ** 29);
    expect(huge.badLine).toBeGreaterThan(0);
  }, 600_000);
  afterAll(cleanupTemp);

  it('one bad value near the end: rejected at its exact line and column, the warehouse unchanged, in bounded memory', async () => {
    const state = async () => {
      const w = await openWarehouse(db);
      try {
        return await snapshot(w);
      } finally {
        await w.close();
      }
    };
    const before = await state();
    const run = await measuredPcmbn(pcmbnEnv(db, { PCMBN_MEMORY_LIMIT: MEMORY_LIMIT }), 'etl', 'load', huge.path);
    console.log(
      `600 MiB JSON, one bad value: ${JSON.stringify({
        bytes: huge.bytes,
        rows: huge.rows,
        loadSeconds: run.seconds,
        memoryLimit: MEMORY_LIMIT,
        peakRssMiB: Math.round(run.peakRssBytes / MiB),
        measuredBy: run.how,
      })}`,
    );
    expect(run.code, run.stderr).toBe(1);
    const name = path.relative(projectRoot, huge.path);
    expect(run.stderr.split('\n').filter((l) => / error: /.test(l))).toEqual([
      `  ${name}:${huge.badLine}:${huge.badCol} (value): error: "${huge.badValue}" is not a number; expected a whole ` +
        `number of 0 or more, digits only`,
    ]);
    expect(await state()).toEqual(before);
    expect(run.peakRssBytes).toBeGreaterThan(0);
    expect(run.peakRssBytes).toBeLessThan(PEAK_RSS_BOUND);
  }, 1_800_000);
});
