/**
 * The roles a key can have, and what each may see. Steering committees read real counts to act on them; the
 * public and partners get small victims counts withheld, so no victim can be recognised from a figure.
 * - `viewer`: the public and partners' role; small victims counts are withheld (api/aggregate/suppression.ts);
 * - `leader`: a steering committee of its unit; every figure of its scope, as reported;
 * - `analyst`, `admin`: every figure of its scope, and the collection of reports (submission templates).
 */
import type { Role } from '../../schema/tables.ts';

export const ROLES: readonly Role[] = ['viewer', 'leader', 'analyst', 'admin'];

/** Whether small victims counts are withheld from a role. */
export function withholdsSmallCounts(role: Role): boolean {
  return role === 'viewer';
}

/**
 * Whether a role collects reports (downloads submission templates for the units below it): the analysts and
 * admins who run the reporting. Viewers and leaders read figures; they do not collect them.
 */
export function collectsReports(role: Role): boolean {
  return role === 'analyst' || role === 'admin';
}
