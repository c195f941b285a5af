/**
 * Reporting periods, identified as DHIS2 does: `2024` (year), `2024S1` / `2024S2` (half-year),
 * `2024Q1`…`2024Q4` (quarter), `202403` (month). Dates are ISO `YYYY-MM-DD` strings, compared as strings.
 */

export type PeriodType = 'year' | 'half' | 'quarter' | 'month';

export interface Period {
  id: string;
  type: PeriodType;
  year: number;
  /** 1-based index within the year: half 1–2, quarter 1–4, month 1–12; 1 for a year. */
  index: number;
  /** First day, inclusive. */
  start: string;
  /** Last day, inclusive. */
  end: string;
}

/** Months in each period type, finest last. */
export const MONTHS_IN: Record<PeriodType, number> = { year: 12, half: 6, quarter: 3, month: 1 };
export const PERIOD_TYPES: readonly PeriodType[] = ['year', 'half', 'quarter', 'month'];

/** Years the warehouse accepts; a wider range would only let typos such as `20244` or `1024` through. */
export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

export class PeriodError extends Error {}

const PATTERN = /^(\d{4})(?:(S)([12])|(Q)([1-4])|(\d{2}))?$/;

export function parsePeriod(id: string): Period {
  const m = PATTERN.exec(id);
  if (!m) throw new PeriodError(`"${id}" is not a period: expected YYYY, YYYYS1–S2, YYYYQ1–Q4 or YYYYMM`);
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR)
    throw new PeriodError(`"${id}": year ${year} is outside ${MIN_YEAR}–${MAX_YEAR}`);
  if (m[2]) return build('half', year, Number(m[3]));
  if (m[4]) return build('quarter', year, Number(m[5]));
  if (m[6]) {
    const month = Number(m[6]);
    if (month < 1 || month > 12) throw new PeriodError(`"${id}": month ${m[6]} is not 01–12`);
    return build('month', year, month);
  }
  return build('year', year, 1);
}

export function isPeriodId(id: string): boolean {
  try {
    parsePeriod(id);
    return true;
  } catch {
    return false;
  }
}

export function periodId(type: PeriodType, year: number, index: number): string {
  switch (type) {
    case 'year':
      return String(year);
    case 'half':
      return `${year}S${index}`;
    case 'quarter':
      return `${year}Q${index}`;
    case 'month':
      return `${year}${String(index).padStart(2, '0')}`;
  }
}

function build(type: PeriodType, year: number, index: number): Period {
  const months = MONTHS_IN[type];
  const firstMonth = (index - 1) * months + 1;
  const lastMonth = firstMonth + months - 1;
  return {
    id: periodId(type, year, index),
    type,
    year,
    index,
    start: isoDate(year, firstMonth, 1),
    end: isoDate(year, lastMonth, daysInMonth(year, lastMonth)),
  };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whether `outer` covers every day of `inner`. */
export function contains(outer: Period, inner: Period): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

/**
 * The periods one step finer that make up `p`, as precedence walks them:
 * a year → its two halves, a half → its two quarters, a quarter → its three months; a month has none.
 */
export function childPeriods(p: Period): Period[] {
  const next: Record<PeriodType, PeriodType | null> = { year: 'half', half: 'quarter', quarter: 'month', month: null };
  const type = next[p.type];
  if (!type) return [];
  return periodsOfTypeWithin(type, p);
}

/** The period one step coarser that contains `p` (a month's quarter, a quarter's half, a half's year). */
export function parentPeriod(p: Period): Period | null {
  const coarser: Record<PeriodType, PeriodType | null> = {
    year: null,
    half: 'year',
    quarter: 'half',
    month: 'quarter',
  };
  const type = coarser[p.type];
  return type ? periodContaining(type, p.start) : null;
}

/** Every period of `type` inside `p` (e.g. the twelve months of a year), in order. */
export function periodsOfTypeWithin(type: PeriodType, p: Period): Period[] {
  if (MONTHS_IN[type] > MONTHS_IN[p.type]) throw new PeriodError(`a ${type} is coarser than the ${p.type} ${p.id}`);
  const per = 12 / MONTHS_IN[type];
  const firstMonth = Number(p.start.slice(5, 7));
  const first = Math.floor((firstMonth - 1) / MONTHS_IN[type]) + 1;
  const count = MONTHS_IN[p.type] / MONTHS_IN[type];
  return Array.from({ length: count }, (_, i) => build(type, p.year, first + i)).filter((q) => q.index <= per);
}

/** The period of `type` that contains the day `date` (YYYY-MM-DD). */
export function periodContaining(type: PeriodType, date: string): Period {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  return build(type, year, Math.floor((month - 1) / MONTHS_IN[type]) + 1);
}

/** Consecutive periods of `type` from the one containing `fromDate` to the one containing `toDate`. */
export function periodRange(type: PeriodType, fromDate: string, toDate: string): Period[] {
  const out: Period[] = [];
  let p = periodContaining(type, fromDate);
  const last = periodContaining(type, toDate);
  while (p.start <= last.start) {
    out.push(p);
    p = nextPeriod(p);
  }
  return out;
}

export function nextPeriod(p: Period): Period {
  const per = 12 / MONTHS_IN[p.type];
  return p.index < per ? build(p.type, p.year, p.index + 1) : build(p.type, p.year + 1, 1);
}

/** The same period one year earlier (for year-on-year change). */
export function previousYear(p: Period): Period {
  return build(p.type, p.year - 1, p.index);
}

/** Every period id from MIN_YEAR to MAX_YEAR: the rows of the `periods` dimension table. */
export function allPeriods(): Period[] {
  const out: Period[] = [];
  for (let year = MIN_YEAR; year <= MAX_YEAR; year++) {
    for (const type of PERIOD_TYPES) {
      for (let index = 1; index <= 12 / MONTHS_IN[type]; index++) out.push(build(type, year, index));
    }
  }
  return out;
}

/** Built once: constructing an Intl formatter costs more than a whole cached API answer. */
const VIETNAM_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' });

/** The day in Vietnam (UTC+7, YYYY-MM-DD) of an instant: a report submitted at 06:00 in Hà Nội is dated that day. */
export function vietnamDay(instant: Date): string {
  return VIETNAM_DAY.format(instant);
}

export function vietnamToday(): string {
  return vietnamDay(new Date());
}

const EPOCH_MS = /^-?\d{10,}$/;
/** An ISO 8601 instant: a date, a time and a zone (Z or ±hh:mm); a time without a zone names no instant. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** Whether a text is an instant as Grafana sends a time range: epoch milliseconds or an ISO 8601 instant. */
export function isInstant(text: string): boolean {
  return EPOCH_MS.test(text) || ISO_INSTANT.test(text);
}

/**
 * The month an instant falls in, in Vietnam: a time range from Grafana (epoch milliseconds, `1767200400000`, or an
 * ISO instant, `2025-12-31T17:00:00Z`) becomes Vietnamese periods by the day it is in Asia/Ho_Chi_Minh, never in
 * UTC, where local midnight on 1 January is still 31 December. A range's ends are months; coarser periods
 * (quarters, years) are the ones those months lie in.
 */
export function monthOfInstant(text: string): Period {
  if (!isInstant(text))
    throw new PeriodError(
      `"${text}" is not an instant: expected epoch milliseconds (1767200400000) or an ISO 8601 time with its zone ` +
        `(2026-01-01T00:00:00+07:00)`,
    );
  const instant = new Date(EPOCH_MS.test(text) ? Number(text) : Date.parse(text));
  if (Number.isNaN(instant.getTime())) throw new PeriodError(`"${text}" is not a valid time`);
  const day = vietnamDay(instant);
  return parsePeriod(day.slice(0, 4) + day.slice(5, 7));
}
