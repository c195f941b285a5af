/** Writing rows: the report CSV's lines, when reports arrive, and the spikes and slips planted in them. */
import {
  ADULT_COLS,
  BREAKDOWN_OF,
  CHILD_COLS,
  FEMALE_COLS,
  MALE_COLS,
  N,
  REVISABLE,
  SPIKEABLE,
  TOTAL_COLS,
} from './indicators.ts';
import type { Rng } from './random.ts';
import { addDays, dateIn } from './time.ts';

export const HEADER = 'unit_code,period,indicator,sex,age_group,value,submitted_on\n';
export const DISCREPANCY_HEADER = 'unit_code,period,indicator,sex,age_group,reported,children_sum\n';
export const OUTLIER_HEADER = 'unit_code,period,indicator,value,usual\n';

/** Share of reported ward-months revised later. */
const REVISION_RATE = 0.005;
/** Chance that a reported ward-month holds an outlier (×20): a handful in the demo, a few hundred nationally. */
const OUTLIER_RATE = 0.0003;

/** Appends a report's rows: every indicator's total, and the breakdown of victims_* figures that are not 0. */
export function appendReport(
  out: string[],
  prefix: string,
  suffix: string,
  v: Float64Array,
  override = -1,
  overrideValue = 0,
): number {
  let rows = 0;
  for (let s = 0; s < N; s++) {
    const total = s === override ? overrideValue : v[s];
    out.push(prefix + TOTAL_COLS[s] + total + suffix);
    rows++;
    const b = BREAKDOWN_OF[s];
    // No breakdown for a figure that is 0, nor for one whose only count is a planted discrepancy.
    if (b === undefined || v[b.first] + v[b.first + 1] + v[b.first + 2] + v[b.first + 3] === 0) continue;
    if (b.bySex) {
      out.push(prefix + FEMALE_COLS[s] + v[b.first] + suffix, prefix + MALE_COLS[s] + v[b.first + 1] + suffix);
      rows += 2;
    }
    if (b.byAge) {
      out.push(prefix + CHILD_COLS[s] + v[b.first + 2] + suffix, prefix + ADULT_COLS[s] + v[b.first + 3] + suffix);
      rows += 2;
    }
  }
  return rows;
}

/** When a monthly report arrives: 1st–11th of the next month, or (late) after the 12th. */
export function monthlySubmission(r: Rng, t: number, lateRate: number): string {
  if (r.next() >= lateRate) return dateIn(t + 1, r.int(1, 11));
  return r.next() < 0.7 ? dateIn(t + 1, r.int(13, 28)) : dateIn(t + 2, r.int(1, 28));
}

/** Quarterly consolidated reports are due before the 12th of the quarter's last month (Q1 before 12/3). */
export function quarterlySubmission(r: Rng, q: number, lateRate: number): string {
  const last = 3 * q + 2;
  if (r.next() >= lateRate) return dateIn(last, r.int(1, 11));
  return r.next() < 0.6 ? dateIn(last, r.int(13, 28)) : dateIn(last + 1, r.int(1, 28));
}

/** One of `slots`, at random among those whose value is not 0 (a spike or a slip on 0 is not much of one). */
function pickNonZero(r: Rng, slots: readonly number[], v: Float64Array): number {
  const first = r.int(0, slots.length - 1);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[(first + k) % slots.length];
    if (v[slot] > 0) return slot;
  }
  return slots[first];
}

/** Rarely, a real ×20 spike (a mass event, a big campaign) in one figure of v; returns it, with its usual value. */
export function maybeSpike(r: Rng, v: Float64Array): { slot: number; usual: number } | undefined {
  if (r.next() >= OUTLIER_RATE) return undefined;
  const slot = pickNonZero(r, SPIKEABLE, v);
  if (v[slot] === 0) return undefined;
  const usual = v[slot];
  v[slot] = 20 * usual;
  return { slot, usual };
}

/**
 * Rarely, the ward sends one wrong figure and corrects it weeks later. The true value (in v) is the correction:
 * the original report carries `wrong`, the revisions file the true value on the later date.
 */
export function maybeRevision(
  r: Rng,
  v: Float64Array,
  submitted: string,
): { slot: number; wrong: number; submitted: string } | undefined {
  if (r.next() >= REVISION_RATE) return undefined;
  const slot = pickNonZero(r, REVISABLE, v);
  const wrong = mistake(r, v[slot]);
  return { slot, wrong, submitted: addDays(submitted, r.int(20, 80)) };
}

/** A plausible wrong figure: a slip of 10–50%, never the true value, never negative. */
function mistake(r: Rng, truth: number): number {
  const slip = 1 + Math.floor(truth * (0.1 + 0.4 * r.next()));
  return truth - slip >= 0 && r.next() < 0.5 ? truth - slip : truth + slip;
}
