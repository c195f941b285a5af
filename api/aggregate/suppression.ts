/**
 * Small-cell suppression for `viewer` keys. Counts of victims between 1 and k − 1 (k = 11 by default, as the
 * international Counter Trafficking Data Collaborative publishes; `PCMBN_SUPPRESSION_K` overrides) are withheld,
 * and so is a victim ratio computed from such a count. Zero is shown: it identifies no one.
 *
 * Complementary suppression, and the one status each figure has in every answer, are api/aggregate/withheld.ts's.
 */
import type { Indicator } from '../../schema/catalogue.ts';
import type { Role } from '../../schema/tables.ts';

export const SUPPRESSION_K = Number(process.env.PCMBN_SUPPRESSION_K ?? 11);

const SENSITIVE = /^victims_/;

/** Whether values of this indicator are subject to suppression at all. */
export function isSensitive(indicator: Indicator): boolean {
  return indicator.kind === 'count'
    ? SENSITIVE.test(indicator.code)
    : SENSITIVE.test(indicator.numerator) || SENSITIVE.test(indicator.denominator);
}

export function appliesTo(role: Role, indicator: Indicator): boolean {
  return role === 'viewer' && isSensitive(indicator);
}

/**
 * Whether the role gets no notes (`sources`) at all: a note can quote victims counts whatever indicator it sits on
 * (a case's note telling how many victims were rescued), and none can be told apart safely by its text.
 */
export function notesHiddenFrom(role: Role): boolean {
  return role === 'viewer';
}

export function isSmall(count: number | null): boolean {
  return count !== null && count >= 1 && count < SUPPRESSION_K;
}

/** Primary suppression of one measure: a small count, or a ratio built on one. */
export function primarySuppressed(
  indicator: Indicator,
  m: { value: number | null; numerator: number | null; denominator: number | null },
): boolean {
  if (indicator.kind === 'count') return isSmall(m.value);
  return (
    (SENSITIVE.test(indicator.numerator) && isSmall(m.numerator)) ||
    (SENSITIVE.test(indicator.denominator) && isSmall(m.denominator))
  );
}
