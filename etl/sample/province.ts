/** One province of one list, generated in memory. */
import { adminLists } from './admin.ts';
import { writeConsolidated } from './consolidated.ts';
import { assertCatalogueModelled, SLOTS } from './indicators.ts';
import { planJob, type ProvinceOptions, type ProvinceOutput, resolve } from './job.ts';
import { simulateLeaves } from './monthly.ts';

/**
 * Generates one province of one list in memory: its ward files, its consolidated files, its revisions and what
 * was planted. `generateSample` writes these; tests call it directly to check national scale on one province.
 */
export function generateProvince(o: ProvinceOptions): ProvinceOutput {
  assertCatalogueModelled();
  const resolved = resolve(o);
  const job = planJob(o, resolved, adminLists());
  const out: ProvinceOutput = {
    files: [],
    revisions: new Map(),
    discrepancies: [],
    outliers: [],
    units: 0,
    firstMonth: -1,
    lastMonth: -1,
    firstQuarter: -1,
    lastQuarter: -1,
  };
  if (job.lastMonth < job.firstMonth) return out;

  // Consolidated figures per (consolidator, quarter, slot), built as the leaves' months are simulated.
  const firstQuarter = Math.floor(job.firstMonth / 3);
  const quarters = Math.floor((job.lastMonth + 1) / 3) - firstQuarter; // complete quarters only
  const sums = new Float64Array(Math.max(quarters, 0) * job.consolidators.length * SLOTS);
  simulateLeaves(job, sums, firstQuarter, quarters, out);
  writeConsolidated(job, resolved, sums, firstQuarter, quarters, out);
  return out;
}
