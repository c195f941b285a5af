/**
 * Small-cell suppression for `viewer` keys: which figures it covers, and its threshold. Counts of victims from 0 to
 * k − 1 (k = 11 by default, as the international Counter Trafficking Data Collaborative publishes;
 * `PCMBN_SUPPRESSION_K` overrides) are withheld; 0 too, since a shown 0 would tell that every withheld figure is at
 * least 1.
 *
 * Which figures viewers get at all, complementary suppression, and the one status each figure has in every answer
 * are api/aggregate/withheld.ts's.
 */
import type { Indicator } from '../../schema/catalogue.ts';
import type { Role } from '../../schema/tables.ts';
import { withholdsSmallCounts } from '../auth/roles.ts';

export const SUPPRESSION_K = Number(process.env.PCMBN_SUPPRESSION_K ?? 11);

const SENSITIVE = /^victims_/;

/** Whether values of this indicator are subject to suppression at all. */
export function isSensitive(indicator: Indicator): boolean {
  return indicator.kind === 'count'
    ? SENSITIVE.test(indicator.code)
    : SENSITIVE.test(indicator.numerator) || SENSITIVE.test(indicator.denominator);
}

export function appliesTo(role: Role, indicator: Indicator): boolean {
  return withholdsSmallCounts(role) && isSensitive(indicator);
}

/**
 * Whether the role gets no notes (`sources`) at all: a note can quote victims counts whatever indicator it sits on
 * (a case's note telling how many victims were rescued), and none can be told apart safely by its text.
 */
export function notesHiddenFrom(role: Role): boolean {
  return withholdsSmallCounts(role);
}

/** Primary suppression: a count withheld for its own value. */
export function isSmall(count: number): boolean {
  return count < SUPPRESSION_K;
}
