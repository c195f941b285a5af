/**
 * The sample's calendar: months are counted from January 2019 (t = 0), when the sample's history starts; quarters
 * likewise from 2019Q1.
 */
import { periodId } from '../../schema/periods.ts';

export const FIRST_YEAR = 2019;
/** June 2025, the last month under the old list. */
export const LAST_OLD_MONTH = monthIndex('202506');
/** The demo's ward files start in January 2024; consolidated history still goes back to 2019. */
export const DEMO_FIRST_WARD_MONTH = monthIndex('202401');

export function monthIndex(yyyymm: string): number {
  return (Number(yyyymm.slice(0, 4)) - FIRST_YEAR) * 12 + Number(yyyymm.slice(4, 6)) - 1;
}
export const yearOf = (t: number) => FIRST_YEAR + Math.floor(t / 12);
export const monthOf = (t: number) => (t % 12) + 1;
export const monthId = (t: number) => periodId('month', yearOf(t), monthOf(t));
export const quarterId = (q: number) => periodId('quarter', FIRST_YEAR + Math.floor(q / 4), (q % 4) + 1);

const dayCache: string[][] = [];
/** `YYYY-MM-DD` of day `day` (1–28) of month t, cached: dates are written millions of times. */
export function dateIn(t: number, day: number): string {
  const days = (dayCache[t] ??= []);
  return (days[day] ??= `${yearOf(t)}-${String(monthOf(t)).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

export function earliest(a: string, b: string): string {
  return a < b ? a : b;
}

export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
