/** Consolidated quarterly reports: the sums of the leaves' reports, with a few figures deliberately off. */
import { ADULT_COLS, BREAKDOWN_OF, FEMALE_COLS, N, SLOTS, TOTAL_COLS } from './indicators.ts';
import type { Job, ProvinceOutput, Resolved } from './job.ts';
import { type Rng, streamFor } from './random.ts';
import { appendReport, HEADER, quarterlySubmission } from './rows.ts';
import { earliest, FIRST_YEAR, quarterId } from './time.ts';

/** Share of consolidated total figures deliberately changed. */
const DISCREPANCY_RATE = 0.02;

/** Consolidated reports: the sums, with about 2% of total figures deliberately off. */
export function writeConsolidated(
  job: Job,
  r: Resolved,
  sums: Float64Array,
  firstQuarter: number,
  quarters: number,
  out: ProvinceOutput,
): void {
  const units = job.consolidators.length;
  const streams = job.consolidators.map((code) => streamFor(r.seed, 'consolidated', job.list, code));
  const lateRates = streams.map((s) => 0.1 * (0.4 + 1.2 * s.next()));
  const byYear = new Map<number, { rows: string[]; count: number }>();
  const v = new Float64Array(SLOTS);
  for (let q = 0; q < quarters; q++) {
    const quarter = firstQuarter + q;
    const year = FIRST_YEAR + Math.floor(quarter / 4);
    const file = byYear.get(year) ?? byYear.set(year, { rows: [HEADER], count: 0 }).get(year)!;
    for (let u = 0; u < units; u++) {
      const rng = streams[u];
      v.set(sums.subarray((q * units + u) * SLOTS, (q * units + u + 1) * SLOTS));
      const unit = `${job.list}:${job.consolidators[u]}`;
      const period = quarterId(quarter);
      const submitted = earliest(quarterlySubmission(rng, quarter, lateRates[u]), job.asOf);
      const reported = plantDiscrepancies(rng, v, `${unit},${period},`, out.discrepancies);
      file.count += appendReport(file.rows, `${unit},${period},`, `,${submitted}\n`, reported);
    }
  }
  for (const [year, file] of byYear)
    out.files.push({
      path: `consolidated/${job.list}-${job.province}-${year}.csv`,
      text: file.rows.join(''),
      rows: file.count,
    });
  if (quarters > 0) {
    out.units += units;
    out.firstQuarter = firstQuarter;
    out.lastQuarter = firstQuarter + quarters - 1;
  }
}

/**
 * Changes about 2% of a consolidated report's total figures, as a clerk's slip would, and records each changed row.
 * A figure with a breakdown (its true total is not 0) changes upward, and its female and adult rows by as much,
 * so the breakdown still adds up to the reported total; a 0 raised by a slip gets no breakdown.
 */
function plantDiscrepancies(rng: Rng, truth: Float64Array, prefix: string, record: string[]): Float64Array {
  const reported = Float64Array.from(truth);
  for (let s = 0; s < N; s++) {
    if (rng.next() >= DISCREPANCY_RATE) continue;
    const b = BREAKDOWN_OF[s];
    const hasBreakdown = b !== undefined && truth[s] > 0;
    const slip = 1 + Math.floor(truth[s] * (0.02 + 0.2 * rng.next()));
    const delta = hasBreakdown || truth[s] < slip || rng.next() < 0.5 ? slip : -slip;
    reported[s] += delta;
    record.push(`${prefix}${TOTAL_COLS[s]}${reported[s]},${truth[s]}\n`);
    if (!hasBreakdown) continue;
    if (b.bySex) {
      reported[b.first] += delta;
      record.push(`${prefix}${FEMALE_COLS[s]}${reported[b.first]},${truth[b.first]}\n`);
    }
    if (b.byAge) {
      reported[b.first + 3] += delta;
      record.push(`${prefix}${ADULT_COLS[s]}${reported[b.first + 3]},${truth[b.first + 3]}\n`);
    }
  }
  return reported;
}
