/**
 * Small-cell suppression for `viewer` keys: which roles and figures it covers. The threshold, which indicators are
 * sensitive and the pattern itself are etl/marts/suppressionPattern.ts's (computed at load time); which figures
 * viewers get at all, and the one status each figure has in every answer, are api/aggregate/withheld.ts's.
 */
import type { Indicator } from '../../schema/catalogue.ts';
import type { Role } from '../../schema/tables.ts';
import { isSensitive } from '../../etl/marts/suppressionPattern.ts';
import { withholdsSmallCounts } from '../auth/roles.ts';

export { isSensitive, isSmall, SUPPRESSION_K } from '../../etl/marts/suppressionPattern.ts';

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
