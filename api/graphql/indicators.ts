/**
 * Indicator arguments: query arguments take catalogue codes as strings (the contract) and are checked here, so
 * every query words a wrong code the same way.
 */
import { findIndicator, type Indicator, INDICATORS } from '../../schema/catalogue.ts';
import { badUserInput } from './errors.ts';

/** The catalogue entry a code argument names; BAD_USER_INPUT naming the argument and listing the codes otherwise. */
export function resolveIndicatorArg(
  code: string,
  argName = 'indicator',
  kinds: readonly Indicator['kind'][] = ['count', 'ratio'],
): Indicator {
  const indicator = findIndicator(code);
  if (!indicator || !kinds.includes(indicator.kind)) {
    const allowed = INDICATORS.filter((i) => kinds.includes(i.kind)).map((i) => i.code);
    throw badUserInput(
      argName,
      `"${code}" is not ${indicator ? `a ${kinds.join(' or ')} indicator` : 'an indicator'}: expected one of ${allowed.join(', ')}`,
    );
  }
  return indicator;
}
