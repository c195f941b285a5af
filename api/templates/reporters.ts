/**
 * Who fills a submission template in. Apart from the workbook itself (exceljs), so that the command line and the
 * download route can check a request before loading the workbook writer.
 */
import type { Period } from '../../schema/periods.ts';
import { defaultHierarchyFor } from '../../schema/units.ts';
import type { UnitDirectory, UnitRow } from '../directory.ts';

export class TemplateError extends Error {}

export const REPORTING_LEVELS = ['province', 'district', 'ward'] as const;
export type ReportingLevel = (typeof REPORTING_LEVELS)[number];

/**
 * Who fills the template in: the unit itself, or (`below`) every unit of that level under it in the list in force
 * for the period; `visible` leaves out the units a key may not see.
 */
export function reportersOf(
  dir: UnitDirectory,
  unit: UnitRow,
  period: Period,
  below?: string,
  visible: (unitId: number) => boolean = () => true,
): UnitRow[] {
  if (below === undefined) return [unit];
  if (!(REPORTING_LEVELS as readonly string[]).includes(below))
    throw new TemplateError(`below "${below}" is not a level: expected ${REPORTING_LEVELS.join(', ')}`);
  const list = defaultHierarchyFor(period.end);
  const units = dir
    .subtree(unit.unit_id)
    .filter((u) => u.level === below && u.hierarchy === list && u.unit_id !== unit.unit_id && visible(u.unit_id));
  if (!units.length)
    throw new TemplateError(
      `no ${below} units under ${unit.ref} (${unit.type} ${unit.name}) in the ${list} list, the one in force for ` +
        `${period.id}: expected a level below the ` +
        `unit${list === '2025-07' && below === 'district' ? ' (the 2025 reform abolished districts)' : ''}`,
    );
  return units;
}
