/**
 * How a unit is named. A code means nothing without its list: `2025-03:26734` (the list in force until
 * 30/6/2025) or `2025-07:00004` (from 1/7/2025). A plain code resolves by date; `VN` is the nation in both.
 */
import type { HierarchyVersion } from './tables.ts';

/** The day the 2025 reorganisation took effect: 63 → 34 provinces, districts abolished. */
export const REFORM_DATE = '2025-07-01';
export const NATION = 'VN';

export interface UnitRef {
  /** Null for a plain code, resolved by date. */
  hierarchy: HierarchyVersion | null;
  code: string;
}

export class UnitRefError extends Error {}

const REF = /^(?:(2025-03|2025-07):)?(VN|\d{2}|\d{3}|\d{5})$/;

export function parseUnitRef(text: string): UnitRef {
  const m = REF.exec(text.trim());
  if (!m) {
    throw new UnitRefError(
      `"${text}" is not a unit: expected VN, a code of 2 (province), 3 (district) or 5 (ward/commune) digits, ` +
        `optionally prefixed by its list, as in 2025-03:26734 or 2025-07:00004`,
    );
  }
  return { hierarchy: m[2] === NATION ? null : ((m[1] as HierarchyVersion | undefined) ?? null), code: m[2] };
}

/** The list in force on a day (YYYY-MM-DD). */
export function hierarchyOn(date: string): HierarchyVersion {
  return date < REFORM_DATE ? '2025-03' : '2025-07';
}

/**
 * Whether a list can name the reporter of a period: the old list for periods that start before the reform,
 * the new one for periods that end on or after it. (An old-list unit cannot report the 2025 year as a whole: the
 * load rejects it, since the unit existed for its first half only.)
 */
export function hierarchyCovers(hierarchy: HierarchyVersion, periodStart: string, periodEnd: string): boolean {
  return hierarchy === '2025-03' ? periodStart < REFORM_DATE : periodEnd >= REFORM_DATE;
}

/** The default list for a report of a period: the one in force on its last day. */
export function defaultHierarchyFor(periodEnd: string): HierarchyVersion {
  return hierarchyOn(periodEnd);
}

export function formatUnitRef(hierarchy: HierarchyVersion | 'national', code: string): string {
  return hierarchy === 'national' ? NATION : `${hierarchy}:${code}`;
}
