/**
 * Unit and date arguments, resolved the same way by every query: `2025-03:26734` and `2025-07:75` name a unit of
 * that list, `VN` the nation, and a plain code (`75`, `00004`) the unit of the list in force on `asOf`
 * (YYYY-MM-DD, default today in Vietnam: the new list).
 */
import { vietnamToday } from '../../schema/periods.ts';
import { hierarchyOn, NATION, parseUnitRef, UnitRefError } from '../../schema/units.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { type UnitRow, unitDirectory } from '../directory.ts';
import { badUserInput } from './errors.ts';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `asOf` checked (a real day, YYYY-MM-DD), or today in Vietnam when absent. */
export function parseAsOf(asOf: string | null | undefined, argName = 'asOf'): string {
  if (asOf === null || asOf === undefined) return vietnamToday();
  const m = DATE.exec(asOf);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (
    !m ||
    !d ||
    d.getUTCFullYear() !== Number(m[1]) ||
    d.getUTCMonth() !== Number(m[2]) - 1 ||
    d.getUTCDate() !== Number(m[3])
  ) {
    throw badUserInput(
      argName,
      `"${asOf}" is not a date: expected YYYY-MM-DD, such as 2024-12-31 (the old list of units) or 2025-07-01 (the ` +
        `new one)`,
    );
  }
  return asOf;
}

/** The ref a code stands for on a day: a prefixed code as it is, a plain one in the list in force. */
export function refOn(code: string, asOf: string, argName: string): string {
  try {
    const ref = parseUnitRef(code);
    if (ref.code === NATION) return NATION;
    return `${ref.hierarchy ?? hierarchyOn(asOf)}:${ref.code}`;
  } catch (e) {
    if (e instanceof UnitRefError) throw badUserInput(argName, e.message);
    throw e;
  }
}

/** The unit a code names (null when well-formed but no such unit); BAD_USER_INPUT when malformed. */
export async function findUnit(
  w: Warehouse,
  code: string,
  asOf: string | null | undefined,
  argName = 'unit',
): Promise<UnitRow | null> {
  const day = parseAsOf(asOf);
  const ref = refOn(code, day, argName);
  return (await unitDirectory(w)).find(ref) ?? null;
}

/**
 * The unit a code argument names, for resolvers: `resolveUnitArg(w, args.unit, args.asOf, 'unit')`. Throws
 * BAD_USER_INPUT naming the argument (and what was expected) when the code is malformed or names no unit.
 */
export async function resolveUnitArg(
  w: Warehouse,
  code: string,
  asOf: string | null | undefined,
  argName = 'unit',
): Promise<UnitRow> {
  const day = parseAsOf(asOf);
  const ref = refOn(code, day, argName);
  const unit = (await unitDirectory(w)).find(ref);
  if (!unit) {
    const plain = !code.includes(':');
    const where = plain ? `the list in force on ${day} (${ref.slice(0, 7)})` : `the ${ref.slice(0, 7)} list`;
    throw badUserInput(
      argName,
      `no unit "${code}" in ${where}: expected a province (2 digits), an old district (3) or a ward/commune (5 ` +
        `digits) of that list, or ` +
        `VN${plain ? '; prefix the code with its list (2025-03: or 2025-07:) or set asOf to use the other list' : ''}`,
    );
  }
  return unit;
}
