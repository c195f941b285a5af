/** One province of one list: the unit of work, of output files and of testing; what it is asked and what it gives. */
import { type AdminLists, type List, OLD_LIST } from './admin.ts';
import { type Leaf, newLeafProfile, oldLeafProfile, startLeaf } from './leaves.ts';
import { dateIn, DEMO_FIRST_WARD_MONTH, LAST_OLD_MONTH, monthIndex } from './time.ts';

export type SampleScale = 'demo' | 'national';

export interface ProvinceOptions {
  scale: SampleScale;
  list: List;
  /** Province code in that list. */
  province: string;
  seed?: number;
  until?: string;
}

export interface SampleFile {
  /** Path relative to outDir, `/`-separated. */
  path: string;
  text: string;
  rows: number;
}

export interface ProvinceOutput {
  /** Ward and consolidated files, header included. */
  files: SampleFile[];
  /** Revision rows (no header) by the year of their period. */
  revisions: Map<number, string[]>;
  /** Rows of `expected/discrepancies.expected` (no header). */
  discrepancies: string[];
  /** Rows of `expected/outliers.expected` (no header); spikes in months not written (demo history) are listed too. */
  outliers: string[];
  units: number;
  /** Written ranges, as month indexes from January 2019 and quarter indexes from 2019Q1 (-1 if none). */
  firstMonth: number;
  lastMonth: number;
  firstQuarter: number;
  lastQuarter: number;
}

export interface Resolved {
  seed: number;
  untilMonth: number;
}

export function resolve(o: { seed?: number; until?: string }): Resolved {
  const seed = o.seed ?? 1;
  const until = o.until ?? '202610';
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!/^\d{4}(0[1-9]|1[0-2])$/.test(until) || until < '201901')
    throw new Error(`until must be a month YYYYMM from 201901, got "${until}"`);
  return { seed: seed | 0, untilMonth: monthIndex(until) };
}

export interface Job {
  list: List;
  province: string;
  /** Consolidating units: the districts with wards (old list), then the province, last. */
  consolidators: string[];
  leaves: Leaf[];
  firstMonth: number;
  lastMonth: number;
  firstWrittenMonth: number;
  /**
   * The day the sample is "taken": the 20th of the month after the last one. Nothing is dated later (a report
   * dated in the future would be refused by the loader); a correction that would come later has not come yet.
   */
  asOf: string;
}

export function planJob(o: ProvinceOptions, r: Resolved, admin: AdminLists): Job {
  const old = o.list === OLD_LIST;
  if (!(old ? admin.oldProvinces : admin.newProvinces).includes(o.province))
    throw new Error(`no province ${o.province} in the ${o.list} list`);
  const consolidators: string[] = [];
  const leaves: Leaf[] = [];
  if (old) {
    for (const district of admin.districtsOf.get(o.province) ?? []) {
      const wards = admin.wardsOf.get(district);
      if (!wards) {
        // An island district without wards reports monthly itself; only the province consolidates it.
        leaves.push(startLeaf(r.seed, o.list, district, -1, oldLeafProfile(r.seed, district, o.province)));
        continue;
      }
      consolidators.push(district);
      for (const ward of wards)
        leaves.push(
          startLeaf(r.seed, o.list, ward, consolidators.length - 1, oldLeafProfile(r.seed, ward, o.province)),
        );
    }
  } else {
    for (const commune of admin.communesOf.get(o.province) ?? [])
      leaves.push(startLeaf(r.seed, o.list, commune, -1, newLeafProfile(r.seed, commune, admin)));
  }
  consolidators.push(o.province);
  const firstMonth = old ? 0 : LAST_OLD_MONTH + 1;
  const lastMonth = old ? Math.min(LAST_OLD_MONTH, r.untilMonth) : r.untilMonth;
  const firstWrittenMonth = old && o.scale === 'demo' ? DEMO_FIRST_WARD_MONTH : firstMonth;
  return {
    list: o.list,
    province: o.province,
    consolidators,
    leaves,
    firstMonth,
    lastMonth,
    firstWrittenMonth,
    asOf: dateIn(r.untilMonth + 1, 20),
  };
}
