/**
 * The deterministic synthetic sample: report files shaped like the real ones, for demos, tests and the benchmark.
 *
 * What it writes under `outDir` (every report file follows the report CSV contract, see `etl/contract.ts`):
 * - `wards/<list>-<province>-<year>.csv`: ward (old list) or commune (new list) monthly reports, one file per
 *   list, province and year. Under the old list the five island districts that have no wards (e.g. `318` Bạch Long
 *   Vĩ) report monthly themselves, like wards: they are the grassroots unit there.
 * - `consolidated/<list>-<province>-<year>.csv`: quarterly consolidated reports of the province's districts (old list)
 *   and of the province itself.
 * - `revisions/revisions-<year>.csv`: later corrections of ward-month figures (by the period's year).
 * - `expected/discrepancies.expected` and `expected/outliers.expected` (CSV text; an extension the loader passes
 *   over, so `pcmbn etl load OUT` loads the reports and not the answer key): what was planted, so tests can check the warehouse
 *   finds it. Their headers are not the report contract: a loader must not take them for reports.
 *
 * How the figures hang together (the "truth"):
 * - Every leaf (ward, commune, island district) has a profile (size, trafficking exposure, habits) derived from a
 *   hash of the seed and its code, and its own PRNG stream. So a ward's figures do not depend on which other units
 *   are generated: the demo is an exact slice of the national sample for the same seed.
 * - A new commune's profile is the sum of its predecessor wards' (a split ward counts 1/k in each of its k pieces),
 *   so trends run on across the 2025 reform.
 * - A consolidated quarterly figure is what the warehouse can recompute from the leaves' final reports (revisions
 *   applied): flows sum the reported months, stocks sum each leaf's latest reported month of the quarter; a leaf
 *   with no report in the quarter is left out. A ward-month's original figure that is later revised was a mistake:
 *   the consolidated report already holds the corrected value. Outliers (×20) are real spikes, included in sums.
 *   About 2% of consolidated total figures are then deliberately changed; `expected/discrepancies.expected` lists them
 *   (for victims_* figures with a breakdown, the female and adult rows carry the same change so breakdowns still
 *   add up to their total).
 *
 * The parts, under `etl/sample/`: the calendar (`time.ts`), the random streams (`random.ts`), the indicators' value
 * slots (`indicators.ts`), the unit lists (`admin.ts`, read through `schema/reference.ts`), the leaves' profiles and
 * months (`leaves.ts`), the rows (`rows.ts`), one province's plan (`job.ts`), its monthly and consolidated files
 * (`monthly.ts`, `consolidated.ts`) and their assembly (`province.ts`). This file writes the whole sample.
 */
import { mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { adminLists, byCode, type List, NEW_LIST, OLD_LIST } from './sample/admin.ts';
import { resolve, type SampleScale } from './sample/job.ts';
import { generateProvince } from './sample/province.ts';
import { DISCREPANCY_HEADER, HEADER, OUTLIER_HEADER } from './sample/rows.ts';
import { monthId, quarterId } from './sample/time.ts';

// Callers import the generator from here, never from its parts.
export { generateProvince } from './sample/province.ts';
export type { ProvinceOptions, ProvinceOutput, SampleFile, SampleScale } from './sample/job.ts';
export { DISCREPANCY_HEADER, HEADER, OUTLIER_HEADER } from './sample/rows.ts';
export { adminLists, type List, NEW_LIST, OLD_LIST } from './sample/admin.ts';

export interface SampleOptions {
  scale: SampleScale;
  outDir: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Last month generated, YYYYMM; default '202610'. */
  until?: string;
}

export interface SampleSummary {
  /** Report files written (wards, consolidated, revisions; not the `expected/` side files). */
  files: number;
  /** Data rows in those files (header lines excluded). */
  rows: number;
  bytes: number;
  /** Distinct reporting units (list + code) that appear in the report files. */
  units: number;
  /** Earliest period written (by start date; a month before the quarter starting the same day). */
  firstPeriod: string;
  /** Latest period written (by end date; a month before the quarter ending the same day). */
  lastPeriod: string;
}

/** The demo: the provinces of the source documents, before and after the reform. */
const DEMO_OLD_PROVINCES = ['75', '70', '12', '24', '34']; // Đồng Nai (Biên Hòa), Bình Phước, Lai Châu, Bắc Giang, Thái Bình

/** Which (list, province) pairs a scale covers, old list first. */
export function sampleProvinces(scale: SampleScale): { list: List; province: string }[] {
  const admin = adminLists();
  const oldOnes = scale === 'national' ? admin.oldProvinces : [...DEMO_OLD_PROVINCES].sort(byCode);
  const newOnes =
    scale === 'national'
      ? admin.newProvinces
      : [...new Set(oldOnes.map((p) => admin.successorOf.get(p)!))].sort(byCode);
  return [
    ...oldOnes.map((province) => ({ list: OLD_LIST, province })),
    ...newOnes.map((province) => ({ list: NEW_LIST, province })),
  ];
}

export async function generateSample(o: SampleOptions): Promise<SampleSummary> {
  resolve(o);
  for (const dir of ['wards', 'consolidated', 'revisions', 'expected'])
    mkdirSync(join(o.outDir, dir), { recursive: true });
  const summary: SampleSummary = { files: 0, rows: 0, bytes: 0, units: 0, firstPeriod: '', lastPeriod: '' };
  const revisions = new Map<number, string[]>();
  const discrepancies: string[] = [DISCREPANCY_HEADER];
  const outliers: string[] = [OUTLIER_HEADER];
  let firstMonth = -1,
    lastMonth = -1,
    firstQuarter = -1,
    lastQuarter = -1;

  const write = (path: string, text: string): Promise<void> => {
    const bytes = Buffer.from(text, 'utf8');
    summary.files++;
    summary.bytes += bytes.length;
    return writeFile(join(o.outDir, path), bytes);
  };

  // Writes of one province overlap the generation of the next; at most two provinces are held in memory.
  let pending: Promise<unknown> = Promise.resolve();
  for (const { list, province } of sampleProvinces(o.scale)) {
    const p = generateProvince({ ...o, list, province });
    await pending;
    pending = Promise.all(p.files.map((f) => write(f.path, f.text)));
    for (const f of p.files) summary.rows += f.rows;
    for (const [year, rows] of p.revisions) (revisions.get(year) ?? revisions.set(year, []).get(year)!).push(...rows);
    discrepancies.push(...p.discrepancies);
    outliers.push(...p.outliers);
    summary.units += p.units;
    if (p.firstMonth >= 0 && (firstMonth < 0 || p.firstMonth < firstMonth)) firstMonth = p.firstMonth;
    lastMonth = Math.max(lastMonth, p.lastMonth);
    if (p.firstQuarter >= 0 && (firstQuarter < 0 || p.firstQuarter < firstQuarter)) firstQuarter = p.firstQuarter;
    lastQuarter = Math.max(lastQuarter, p.lastQuarter);
  }
  await pending;

  for (const year of [...revisions.keys()].sort()) {
    const rows = revisions.get(year)!;
    summary.rows += rows.length;
    await write(`revisions/revisions-${year}.csv`, HEADER + rows.join(''));
  }
  await writeFile(join(o.outDir, 'expected', 'discrepancies.expected'), discrepancies.join(''));
  await writeFile(join(o.outDir, 'expected', 'outliers.expected'), outliers.join(''));

  // A month starting the same day as a quarter is the earlier period; one ending the same day, the later.
  const quarterStart = firstQuarter * 3;
  summary.firstPeriod =
    firstMonth >= 0 && (firstQuarter < 0 || firstMonth <= quarterStart)
      ? monthId(firstMonth)
      : firstQuarter >= 0
        ? quarterId(firstQuarter)
        : '';
  const quarterEnd = lastQuarter * 3 + 2;
  summary.lastPeriod =
    lastMonth >= 0 && (lastQuarter < 0 || lastMonth >= quarterEnd)
      ? monthId(lastMonth)
      : lastQuarter >= 0
        ? quarterId(lastQuarter)
        : '';
  return summary;
}
