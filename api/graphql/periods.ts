/**
 * Period arguments, checked the same way by every query: BAD_USER_INPUT naming the argument and the forms expected.
 */
import { isInstant, monthOfInstant, parsePeriod, type Period, PeriodError } from '../../schema/periods.ts';
import { badUserInput } from './errors.ts';

export function resolvePeriodArg(id: string, argName: string): Period {
  try {
    return parsePeriod(id);
  } catch (e) {
    if (e instanceof PeriodError) throw badUserInput(argName, e.message);
    throw e;
  }
}

/** One end of a time range: a period id, or an instant as Grafana sends it (its month in Vietnam). */
export function resolveRangeArg(text: string, argName: string): Period {
  try {
    if (isInstant(text)) return monthOfInstant(text);
    // What is shaped like a period id gets the period's own message (a month 13, a year beyond 2100).
    if (!/[T:]/.test(text) && text.length < 10) return parsePeriod(text);
    throw new PeriodError(
      `"${text}" is neither a period (YYYY, YYYYS1–S2, YYYYQ1–Q4, YYYYMM) nor an instant: expected epoch ` +
        `milliseconds or an ISO 8601 time with its zone (2026-01-01T00:00:00+07:00)`,
    );
  } catch (e) {
    if (e instanceof PeriodError) throw badUserInput(argName, e.message);
    throw e;
  }
}

export const RANGE_END_DESCRIPTION =
  'A period id (2019, 2024Q1, 202403), or an instant as Grafana sends a time range: epoch milliseconds or an ISO ' +
  '8601 time with its zone, read as a day in Vietnam (Asia/Ho_Chi_Minh)';
