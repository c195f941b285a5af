/**
 * Small-cell suppression for `viewer` keys. Counts of victims between 1 and k − 1 (k = 11 by default, as the
 * international Counter Trafficking Data Collaborative publishes; `PCMBN_SUPPRESSION_K` overrides) are withheld,
 * and so is a victim ratio computed from such a count. Zero is shown: it identifies no one.
 *
 * Complementary suppression: values that add up to a total the viewer can also ask for (a breakdown's units make
 * up their parent; a trend's months make up their quarter, half and year) are treated as one set. Where a set
 * would have exactly one withheld value, the next smallest shown non-zero value is withheld too, so that
 * "total − the others" never reveals a withheld cell.
 */
import type { Indicator } from '../../schema/catalogue.ts';
import type { Role } from '../../schema/tables.ts';

export const SUPPRESSION_K = Number(process.env.PCMBN_SUPPRESSION_K ?? 11);

const SENSITIVE = /^victims_/;

/** Whether values of this indicator are subject to suppression at all. */
export function isSensitive(indicator: Indicator): boolean {
  return indicator.kind === 'count' ? SENSITIVE.test(indicator.code) : SENSITIVE.test(indicator.numerator) || SENSITIVE.test(indicator.denominator);
}

export function appliesTo(role: Role, indicator: Indicator): boolean {
  return role === 'viewer' && isSensitive(indicator);
}

export function isSmall(count: number | null): boolean {
  return count !== null && count >= 1 && count < SUPPRESSION_K;
}

/** Primary suppression of one measure: a small count, or a ratio built on one. */
export function primarySuppressed(indicator: Indicator, m: { value: number | null; numerator: number | null; denominator: number | null }): boolean {
  if (indicator.kind === 'count') return isSmall(m.value);
  return (SENSITIVE.test(indicator.numerator) && isSmall(m.numerator)) || (SENSITIVE.test(indicator.denominator) && isSmall(m.denominator));
}

/**
 * Complementary suppression over sets of values that add up to a known total. `suppressed[i]` is updated in place;
 * `counts[i]` is the count each value rests on (the value itself, or a ratio's sensitive count).
 */
export function suppressComplements(sets: number[][], counts: (number | null)[], suppressed: boolean[]): void {
  // Withholding one more value can leave another set with a single withheld value: repeat until stable.
  for (let changed = true; changed;) {
    changed = false;
    for (const set of sets) {
      const withheld = set.filter((i) => suppressed[i]);
      if (withheld.length !== 1) continue;
      const candidates = set.filter((i) => !suppressed[i] && (counts[i] ?? 0) > 0).sort((a, b) => (counts[a] ?? 0) - (counts[b] ?? 0));
      if (candidates.length) {
        suppressed[candidates[0]] = true;
        changed = true;
      }
    }
  }
}
