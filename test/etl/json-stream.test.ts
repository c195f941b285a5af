/**
 * The JSON reader streams the file through a worker thread (etl/sources/json.ts, etl/sources/parse.ts): what that
 * way of reading must still get right. Lines and columns are counted from bytes across the chunks the file is read
 * in (and in UTF-16 code units, as editors count them); a value is located by reading its row again, from a UTF-8
 * or a UTF-16 file; a string that is not UTF-8 is a located legacy-code-page error, as in CSV; a stopped load
 * terminates the worker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFiles } from '../../etl/load.ts';
import { readJson } from '../../etl/sources/json.ts';
import type { SourceRow } from '../../etl/stage.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, closeWarehouse, freshWarehouse, snapshot, tempDir, writeFile } from '../helpers.ts';

const TODAY = '2026-01-15';
let w: Warehouse;
let dir: string;
let n = 0;

beforeAll(async () => {
  w = await freshWarehouse();
  dir = tempDir();
});
afterAll(async () => {
  await closeWarehouse(w);
  await cleanupTemp();
});

const row = (value: unknown, note = 'báo cáo quý', period = '2024', indicator = 'cases_initiated') =>
  `{"unit_code": "2025-03:26734", "period": "${period}", "indicator": "${indicator}", "value": ${JSON.stringify(value)}, ` +
  `"source_note": "${note}"}`;

const INDICATORS = ['cases_initiated', 'hotline_calls', 'media_items', 'trainings_held', 'inspections_held'];
/** `count` distinct good rows: months of 2000–2024 × indicators. */
const goodRows = (count: number) =>
  Array.from({ length: count }, (_, i) => {
    const month = i % 300;
    const period = `${2000 + Math.floor(month / 12)}${String((month % 12) + 1).padStart(2, '0')}`;
    return row(i % 5, `Trung tâm trợ giúp ${i} — ghi chú tiếng Việt 🇻🇳`, period, INDICATORS[Math.floor(i / 300)]);
  });

async function load(content: string | Buffer) {
  const name = `f-${++n}.json`;
  const before = await snapshot(w);
  const r = await loadFiles(w, [writeFile(dir, name, content)], { today: TODAY, baseDir: dir });
  const f = r.files[0];
  if (f.status === 'rejected') expect(await snapshot(w)).toEqual(before);
  return f;
}

/** Line and column (1-based, UTF-16 code units) of the first `needle` in `text`. */
function at(text: string, needle: string): [number, number] {
  const i = text.indexOf(needle);
  const before = text.slice(0, i).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

describe('the streamed JSON reader', () => {
  it('locates a bad value past the first chunks, after lines of multi-byte text', async () => {
    // About 700 KB of good rows with Vietnamese notes (several 256 KiB chunks), then the bad one on a long line.
    const good = goodRows(1_500);
    const text = `[\n${good.join(',\n')},\n  ${row('x', 'Phường Trúc Bạch 🇻🇳 — số liệu')}\n]\n`;
    const f = await load(text);
    expect(f.status).toBe('rejected');
    const value = f.issues.filter((i) => i.column === 'value');
    expect(value.map((i) => [i.line, i.col])).toEqual([at(text, '"value": "x"').map((v, k) => v + (k ? 9 : 0))]);
  });

  it('locates a bad value in a UTF-16 file, read again from the row', async () => {
    const text = `[\n  ${row(1)},\n  ${row('bảy')}\n]\n`.replace('"2024"', '"2023"');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const be = Buffer.from(le).swap16();
    for (const bytes of [le, be]) {
      const f = await load(bytes);
      expect(f.status).toBe('rejected');
      const [line, col] = at(text, '"bảy"');
      expect(f.issues.filter((i) => i.column === 'value').map((i) => [i.line, i.col])).toEqual([[line, col]]);
    }
  });

  it('a string that is not UTF-8 is located, with the legacy code page named', async () => {
    const text = `[\n  ${row(1, 'Trung tâm XX')}\n]\n`;
    const bytes = Buffer.from(text, 'utf8');
    const k = bytes.indexOf('XX');
    bytes[k] = 0xe0; // "à" in Windows-1258, then an ASCII byte: not UTF-8
    const f = await load(bytes);
    expect(f.status).toBe('rejected');
    const [line, col] = at(text, 'XX');
    expect(f.issues).toEqual([
      expect.objectContaining({
        line,
        col,
        message: expect.stringMatching(/byte 0xE0 is not valid UTF-8.*Windows-1258/),
      }),
    ]);
  });

  it('a file cut inside a string, and a stray character, are located syntax errors', async () => {
    const cut = `[\n  ${row(1)},\n  {"unit_code": "2025-03:267`;
    const f = await load(cut);
    expect(f.issues).toEqual([expect.objectContaining({ line: 3, message: 'invalid JSON: UnexpectedEndOfString' })]);
    const stray = `[\n  ${row(1)} @\n]`;
    const g = await load(stray);
    const [line, col] = at(stray, '@');
    expect(g.issues).toEqual([expect.objectContaining({ line, col, message: 'invalid JSON: InvalidSymbol' })]);
  });

  it('a stopped read terminates its worker and rejects with the reason', async () => {
    const rows = Array.from({ length: 50_000 }, (_, i) => row(i % 7, 'x', String(i)));
    const file = writeFile(dir, 'long.json', `[${rows.join(',\n')}]`);
    const stop = new AbortController();
    const staged: number[] = [];
    const reading = readJson(
      file,
      'long.json',
      async (batch: SourceRow[]) => {
        staged.push(batch.length);
        if (staged.length === 2) stop.abort(new Error('stopped by the test'));
      },
      stop.signal,
    );
    await expect(reading).rejects.toThrow('stopped by the test');
    const after = staged.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(staged.length).toBe(after); // nothing staged once stopped
    expect(after).toBeLessThan(25);
  });
});
