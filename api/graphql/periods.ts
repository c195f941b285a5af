/** Period arguments, checked the same way by every query: BAD_USER_INPUT naming the argument and the forms expected. */
import { parsePeriod, type Period, PeriodError } from '../../schema/periods.ts';
import { badUserInput } from './errors.ts';

export function resolvePeriodArg(id: string, argName: string): Period {
  try {
    return parsePeriod(id);
  } catch (e) {
    if (e instanceof PeriodError) throw badUserInput(argName, e.message);
    throw e;
  }
}
