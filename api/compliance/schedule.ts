/**
 * The reporting schedule: which periodic reports are expected, from which levels, and by when. Data, not code:
 * `defaultSchedule()` is the programme's regime; a JSON file (`loadSchedule`) replaces it.
 *
 * The default, from the programme's source documents:
 * - Plan 04/KH-BCĐ, Biên Hòa, 21/3/2024, III.2: "Định kỳ quý I, III (trước ngày 12/3 và 12/9), 6 tháng (trước ngày
 *   12/6) và năm (trước ngày 12/12) báo cáo kết quả thực hiện": the Q1 report before 12 March of its year, the Q3
 *   report before 12 September, the first half-year (S1) before 12 June, the year before 12 December. Every ward
 *   reports to its district or city and every district to its province.
 * - The Bắc Giang programme plan (2021), III.2, adds monthly reports ("hàng tháng") without a due day; we set it:
 *   the 12th of the following month. Districts report monthly there, and wards (communes) do in the report files,
 *   so monthly reports are expected from both levels too.
 *
 * Modelled exactly as the plan says: there is no Q2 or Q4 report (the 6-month report covers Q2, the year report
 * covers Q4) and no S2 report (the year report covers it), so under the default schedule `2024Q2`, `2024Q4` and
 * `2024S2` expect nothing. A schedule file can add them.
 *
 * Due dates: "trước ngày 12/3" is "before 12 March", so `dueDate` is the first day that is LATE: a report is on
 * time when `submitted_on < dueDate` (by 11 March). The plan's deadlines fall before the calendar period ends
 * (Q1 is 1/1–31/3, due 12/3): Vietnamese report figures close mid-month (Decree 09/2019/NĐ-CP closes them on the
 * 14th), so the deadlines are taken as written, against the warehouse's calendar periods.
 *
 * The 2025 reform: from periods starting 1 July 2025 there are no districts; communes (level `ward` in the new list)
 * report to their province. Entries keep naming the levels; the new list simply has no `district` units, so a
 * `district` reporter level expects nothing there (see compliance.ts).
 *
 * File format (JSON), every field checked, unknown fields rejected so that a typo never passes silently:
 *   { "entries": [ { "periodType": "quarter", "index": 1, "reporterLevels": ["district", "ward"],
 *                    "due": { "month": 3, "day": 12 }, "note": "Q1, trước ngày 12/3" }, … ] }
 * - `periodType`: month | quarter | half | year; `index`: which month/quarter/half (omitted = every one; never for
 *   a year). At most one entry may match a period.
 * - `reporterLevels`: which units report: district, ward (and province, for a schedule where provinces report
 *   to the national committee).
 * - `due`: `{ "month": m, "day": d }` = day d of month m of the period's year, or `{ "monthOffset": k, "day": d }`
 *   = day d of the k-th month after the period's last month (monthly reports: `{ "monthOffset": 1, "day": 12 }`).
 *   A day past the month's end (31 with February) means the month's last day.
 */
import { readFileSync } from 'node:fs';
import {
  daysInMonth,
  isoDate,
  MONTHS_IN,
  parsePeriod,
  PERIOD_TYPES,
  type Period,
  type PeriodType,
} from '../../schema/periods.ts';
import { REPORTER_LEVELS, type ReporterLevel, type Schedule, type ScheduleEntry } from '../../schema/schedule.ts';

export class ScheduleError extends Error {}

const BOTH: ReporterLevel[] = ['district', 'ward'];

export function defaultSchedule(): ScheduleEntry[] {
  return [
    {
      periodType: 'quarter',
      index: 1,
      reporterLevels: [...BOTH],
      due: { month: 3, day: 12 },
      note: 'KH 04/KH-BCĐ: quý I, trước ngày 12/3',
    },
    {
      periodType: 'quarter',
      index: 3,
      reporterLevels: [...BOTH],
      due: { month: 9, day: 12 },
      note: 'KH 04/KH-BCĐ: quý III, trước ngày 12/9',
    },
    {
      periodType: 'half',
      index: 1,
      reporterLevels: [...BOTH],
      due: { month: 6, day: 12 },
      note: 'KH 04/KH-BCĐ: 6 tháng, trước ngày 12/6',
    },
    {
      periodType: 'year',
      reporterLevels: [...BOTH],
      due: { month: 12, day: 12 },
      note: 'KH 04/KH-BCĐ: năm, trước ngày 12/12',
    },
    {
      periodType: 'month',
      reporterLevels: [...BOTH],
      due: { monthOffset: 1, day: 12 },
      note: 'hàng tháng: trước ngày 12 tháng sau',
    },
  ];
}

/** The entry that expects a report for `period`, or null (e.g. `2024Q2` under the default schedule). */
export function scheduleEntryFor(schedule: Schedule, period: Period | string): ScheduleEntry | null {
  const p = typeof period === 'string' ? parsePeriod(period) : period;
  return schedule.find((e) => e.periodType === p.type && (e.index === undefined || e.index === p.index)) ?? null;
}

/** The first day a report for `period` is late (YYYY-MM-DD): on time means `submitted_on < dueDate`. */
export function dueDate(entry: ScheduleEntry, period: Period | string): string {
  const p = typeof period === 'string' ? parsePeriod(period) : period;
  let year = p.year;
  let month: number;
  if ('month' in entry.due) {
    month = entry.due.month;
  } else {
    const m = Number(p.end.slice(5, 7)) - 1 + entry.due.monthOffset; // 0-based, may run into later years
    year += Math.floor(m / 12);
    month = (m % 12) + 1;
  }
  return isoDate(year, month, Math.min(entry.due.day, daysInMonth(year, month)));
}

/** Reads and checks a schedule file. Errors name the file and the field: `s.json: entries[2].due.day: …`. */
export function loadSchedule(path: string): ScheduleEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScheduleError(`${path}: cannot read the schedule: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScheduleError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  return parseSchedule(json, path);
}

/** Checks a parsed schedule (`{ "entries": [...] }`); `source` prefixes error messages. */
export function parseSchedule(json: unknown, source = 'schedule'): ScheduleEntry[] {
  const fail = (field: string, message: string): never => {
    throw new ScheduleError(`${source}: ${field}: ${message}`);
  };
  const root = object(json, 'the top level', ['entries', 'description'], fail);
  if (!Array.isArray(root.entries)) fail('entries', `expected a list of schedule entries, got ${show(root.entries)}`);
  const entries = (root.entries as unknown[]).map((raw, i) => parseEntry(raw, `entries[${i}]`, fail));
  entries.forEach((e, i) => {
    const j = entries.findIndex(
      (o, k) =>
        k < i &&
        o.periodType === e.periodType &&
        (o.index === undefined || e.index === undefined || o.index === e.index),
    );
    if (j >= 0)
      fail(
        `entries[${i}]`,
        `expects the same ${e.periodType} report as entries[${j}]; at most one entry may match a period`,
      );
  });
  return entries;
}

type Fail = (field: string, message: string) => never;

function parseEntry(raw: unknown, at: string, fail: Fail): ScheduleEntry {
  const o = object(raw, at, ['periodType', 'index', 'reporterLevels', 'due', 'note'], fail);
  if (!PERIOD_TYPES.includes(o.periodType as PeriodType))
    fail(`${at}.periodType`, `expected one of ${PERIOD_TYPES.join(', ')}, got ${show(o.periodType)}`);
  const periodType = o.periodType as PeriodType;
  const entry: ScheduleEntry = { periodType, reporterLevels: [], due: { month: 1, day: 1 } };
  if (o.index !== undefined) {
    const count = 12 / MONTHS_IN[periodType];
    if (periodType === 'year') fail(`${at}.index`, `a year has no index; leave it out`);
    entry.index = whole(o.index, 1, count, `${at}.index`, fail);
  }
  if (!Array.isArray(o.reporterLevels) || o.reporterLevels.length === 0) {
    fail(
      `${at}.reporterLevels`,
      `expected a non-empty list of ${REPORTER_LEVELS.join(', ')}, got ${show(o.reporterLevels)}`,
    );
  }
  (o.reporterLevels as unknown[]).forEach((level, k) => {
    if (!REPORTER_LEVELS.includes(level as ReporterLevel))
      fail(`${at}.reporterLevels[${k}]`, `expected one of ${REPORTER_LEVELS.join(', ')}, got ${show(level)}`);
    if (entry.reporterLevels.includes(level as ReporterLevel))
      fail(`${at}.reporterLevels[${k}]`, `${show(level)} is listed twice`);
    entry.reporterLevels.push(level as ReporterLevel);
  });
  const due = object(o.due, `${at}.due`, ['month', 'monthOffset', 'day'], fail);
  if ((due.month === undefined) === (due.monthOffset === undefined)) {
    fail(
      `${at}.due`,
      `expected exactly one of "month" (a month of the period's year) or "monthOffset" (months after the period's last month)`,
    );
  }
  const day = whole(due.day, 1, 31, `${at}.due.day`, fail);
  if (due.month !== undefined) {
    const month = whole(due.month, 1, 12, `${at}.due.month`, fail);
    if (day > daysInMonth(2024, month)) fail(`${at}.due.day`, `month ${month} has no day ${day}`);
    entry.due = { month, day };
  } else {
    entry.due = { monthOffset: whole(due.monthOffset, 0, 12, `${at}.due.monthOffset`, fail), day };
  }
  if (o.note !== undefined) {
    if (typeof o.note !== 'string') fail(`${at}.note`, `expected text, got ${show(o.note)}`);
    entry.note = o.note as string;
  }
  return entry;
}

function object(v: unknown, at: string, keys: string[], fail: Fail): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(at, `expected an object, got ${show(v)}`);
  for (const k of Object.keys(v)) {
    if (!keys.includes(k))
      fail(at === 'the top level' ? k : `${at}.${k}`, `unknown field; expected ${keys.join(', ')}`);
  }
  return v as Record<string, unknown>;
}

function whole(v: unknown, min: number, max: number, at: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(at, `expected a whole number from ${min} to ${max}, got ${show(v)}`);
  return v as number;
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
