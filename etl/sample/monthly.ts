/** The leaves' monthly reports, their revisions and outliers, and the sums the consolidated reports are made of. */
import { COUNT_INDICATORS } from '../../schema/catalogue.ts';
import { IS_STOCK, N, SLOTS, STOCK_SLOTS, TOTAL_COLS } from './indicators.ts';
import type { Job, ProvinceOutput } from './job.ts';
import { type Leaf, simulateMonth } from './leaves.ts';
import { appendReport, HEADER, maybeRevision, maybeSpike, monthlySubmission } from './rows.ts';
import { earliest, FIRST_YEAR, monthId, yearOf } from './time.ts';

export function simulateLeaves(
  job: Job,
  sums: Float64Array,
  firstQuarter: number,
  quarters: number,
  out: ProvinceOutput,
): void {
  const unitPrefix = `${job.list}:`;
  const provinceIndex = job.consolidators.length - 1;
  const v = new Float64Array(SLOTS);
  const lastStocks = new Float64Array(STOCK_SLOTS.length);
  const written = new Uint8Array(job.leaves.length);

  for (let year = yearOf(job.firstMonth); year <= yearOf(job.lastMonth); year++) {
    const rows: string[] = [HEADER];
    let count = 0;
    const from = Math.max(job.firstMonth, (year - FIRST_YEAR) * 12);
    const to = Math.min(job.lastMonth, (year - FIRST_YEAR) * 12 + 11);
    for (let li = 0; li < job.leaves.length; li++) {
      const leaf = job.leaves[li];
      const unit = unitPrefix + leaf.code;
      let reportedInQuarter = false;
      for (let t = from; t <= to; t++) {
        simulateMonth(leaf, t, v);
        const rng = leaf.rng;
        const reported = rng.next() >= leaf.profile.missRate;
        if (reported) {
          const spike = maybeSpike(rng, v);
          if (spike)
            out.outliers.push(
              `${unit},${monthId(t)},${COUNT_INDICATORS[spike.slot].code},${v[spike.slot]},${spike.usual}\n`,
            );
          const submitted = earliest(monthlySubmission(rng, t, leaf.profile.lateRate), job.asOf);
          // Drawn whether or not the month is written, so the demo stays a slice of the national sample.
          const drawn = maybeRevision(rng, v, submitted);
          const revision = drawn && drawn.submitted <= job.asOf ? drawn : undefined;
          if (t >= job.firstWrittenMonth) {
            const prefix = `${unit},${monthId(t)},`;
            count += appendReport(rows, prefix, `,${submitted}\n`, v, revision?.slot, revision?.wrong);
            if (revision) {
              const revisions = out.revisions.get(year) ?? out.revisions.set(year, []).get(year)!;
              revisions.push(`${prefix}${TOTAL_COLS[revision.slot]}${v[revision.slot]},${revision.submitted}\n`);
            }
            written[li] = 1;
            if (out.firstMonth < 0 || t < out.firstMonth) out.firstMonth = t;
            if (t > out.lastMonth) out.lastMonth = t;
          }
          addMonthToSums(sums, leaf, provinceIndex, t, v, firstQuarter, quarters, job.consolidators.length);
          reportedInQuarter = true;
          for (let k = 0; k < STOCK_SLOTS.length; k++) lastStocks[k] = v[STOCK_SLOTS[k]];
        }
        if (t % 3 === 2) {
          // Stocks consolidate as each leaf's latest reported value in the quarter.
          if (reportedInQuarter)
            addStocksToSums(
              sums,
              leaf,
              provinceIndex,
              Math.floor(t / 3),
              lastStocks,
              firstQuarter,
              quarters,
              job.consolidators.length,
            );
          reportedInQuarter = false;
        }
      }
    }
    if (count > 0)
      out.files.push({ path: `wards/${job.list}-${job.province}-${year}.csv`, text: rows.join(''), rows: count });
  }
  out.units += written.reduce((a, b) => a + b, 0);
}

function addMonthToSums(
  sums: Float64Array,
  leaf: Leaf,
  province: number,
  t: number,
  v: Float64Array,
  firstQuarter: number,
  quarters: number,
  units: number,
): void {
  const q = Math.floor(t / 3) - firstQuarter;
  if (q >= quarters) return;
  for (const unit of leaf.district >= 0 ? [leaf.district, province] : [province]) {
    const base = (q * units + unit) * SLOTS;
    for (let s = 0; s < SLOTS; s++) if (s >= N || !IS_STOCK[s]) sums[base + s] += v[s];
  }
}

function addStocksToSums(
  sums: Float64Array,
  leaf: Leaf,
  province: number,
  quarter: number,
  stocks: Float64Array,
  firstQuarter: number,
  quarters: number,
  units: number,
): void {
  const q = quarter - firstQuarter;
  if (q >= quarters) return;
  for (const unit of leaf.district >= 0 ? [leaf.district, province] : [province]) {
    const base = (q * units + unit) * SLOTS;
    for (let k = 0; k < STOCK_SLOTS.length; k++) sums[base + STOCK_SLOTS[k]] += stocks[k];
  }
}
