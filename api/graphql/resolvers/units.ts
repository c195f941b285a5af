/**
 * `adminUnit`, `adminUnits` and the links between units. Everything is answered from the in-memory unit
 * directory (api/directory.ts): nesting parents, children and lineage costs no SQL at all. Units outside the
 * caller's scope are FORBIDDEN when asked for by code and left out of lists.
 */
import 'reflect-metadata';
import { Arg, Ctx, FieldResolver, Int, Query, Resolver, Root } from 'type-graphql';
import { hierarchyOn } from '../../../schema/units.ts';
import { foldName, type UnitRow } from '../../directory.ts';
import type { RequestContext } from '../../request.ts';
import { badUserInput } from '../errors.ts';
import { capRows, MAX_ROWS } from '../limits.ts';
import { AdminLevel, AdminUnit, LEVEL_OF, toAdminUnit } from '../types/units.ts';
import { findUnit, parseAsOf, resolveUnitArg } from '../units.ts';

@Resolver(() => AdminUnit)
export class AdminUnitResolver {
  @Query(() => AdminUnit, {
    nullable: true,
    description:
      'A unit by code: 2025-03:26734 or 2025-07:75 name a unit of that list, VN the nation, a plain code the unit ' +
      'of the list in force on asOf (YYYY-MM-DD, default today in Vietnam). Null when no unit has that code.',
  })
  async adminUnit(
    @Arg('code', () => String) code: string,
    @Arg('asOf', () => String, { nullable: true }) asOf: string | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AdminUnit | null> {
    const unit = await findUnit(ctx.warehouse, code, asOf, 'code');
    if (!unit) return null;
    await ctx.assertInScope(unit.unit_id);
    return toAdminUnit(unit);
  }

  @Query(() => [AdminUnit], {
    description:
      'Units of one list, for pickers and breakdowns. Without level or search: the children of parent (default VN: ' +
      "the provinces of the list in force on asOf). With level: the units of that level in parent's subtree " +
      '(parent included). search matches names ignoring case and diacritics ("bien hoa" finds Biên Hòa), prefix ' +
      "matches first. Units outside the caller's scope are left out.",
  })
  async adminUnits(
    @Arg('parent', () => String, {
      nullable: true,
      description: 'A unit code, resolved like adminUnit(code); default VN',
    })
    parent: string | null | undefined,
    @Arg('level', () => AdminLevel, { nullable: true }) level: AdminLevel | null | undefined,
    @Arg('asOf', () => String, {
      nullable: true,
      description: 'YYYY-MM-DD: which list a plain code (or VN) means; default today',
    })
    asOf: string | null | undefined,
    @Arg('search', () => String, { nullable: true }) search: string | null | undefined,
    @Arg('limit', () => Int, { nullable: true, description: `At most this many units (1–${MAX_ROWS})` })
    limit: number | null | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<AdminUnit[]> {
    const day = parseAsOf(asOf);
    if (limit !== null && limit !== undefined && (limit < 1 || limit > MAX_ROWS))
      throw badUserInput('limit', `${limit} is out of range: expected 1 to ${MAX_ROWS}`);
    const dir = ctx.units;
    const root =
      parent === null || parent === undefined
        ? dir.find('VN')!
        : await resolveUnitArg(ctx.warehouse, parent, day, 'parent');
    // Asking for the units under a unit outside the scope is FORBIDDEN, as asking for the unit itself is.
    if (parent !== null && parent !== undefined) await ctx.assertInScope(root.unit_id);
    // Under VN both lists meet: keep the one in force on asOf. Under any other unit, its own list.
    const list = root.hierarchy === 'national' ? hierarchyOn(day) : root.hierarchy;
    const query = search ? foldName(search) : '';
    let units: UnitRow[] = level || query ? dir.subtree(root.unit_id) : dir.children(root.unit_id);
    units = units.filter((u) => (u.hierarchy === list || u.hierarchy === 'national') && ctx.inScope(u.unit_id));
    if (level) units = units.filter((u) => u.level === LEVEL_OF[level]);
    if (query) {
      const rank = (u: UnitRow) => (dir.foldedName(u).startsWith(query) ? 0 : 1);
      units = units
        .filter((u) => dir.foldedName(u).includes(query))
        .sort((a, b) => rank(a) - rank(b) || a.depth - b.depth || a.code.localeCompare(b.code));
    }
    if (limit) units = units.slice(0, limit);
    return capRows(units, 'adminUnits', 'parent, level, search or limit').map((u) => toAdminUnit(u));
  }

  @FieldResolver(() => AdminUnit, {
    nullable: true,
    description: "The unit above (VN above provinces); null for VN or when outside the caller's scope",
  })
  parent(@Root() unit: AdminUnit, @Ctx() ctx: RequestContext): AdminUnit | null {
    const p = unit.parentId === null ? undefined : ctx.units.unit(unit.parentId);
    return p && ctx.inScope(p.unit_id) ? toAdminUnit(p) : null;
  }

  @FieldResolver(() => [AdminUnit], { description: 'The units directly under this one, in its own list' })
  children(@Root() unit: AdminUnit, @Ctx() ctx: RequestContext): AdminUnit[] {
    return ctx.units
      .children(unit.unitId)
      .filter((c) => ctx.inScope(c.unit_id))
      .map((c) => toAdminUnit(c));
  }

  @FieldResolver(() => [AdminUnit], {
    description: 'Old units: the new units they went into on 1/7/2025 (with transfer). New units: none.',
  })
  successors(@Root() unit: AdminUnit, @Ctx() ctx: RequestContext): AdminUnit[] {
    return linked(ctx, ctx.units.successors.get(unit.unitId));
  }

  @FieldResolver(() => [AdminUnit], {
    description: 'New units: the old units they came from (with transfer). Old units: none.',
  })
  predecessors(@Root() unit: AdminUnit, @Ctx() ctx: RequestContext): AdminUnit[] {
    return linked(ctx, ctx.units.predecessors.get(unit.unitId));
  }
}

function linked(
  ctx: RequestContext,
  links: { unitId: number; transfer: 'full' | 'partial' }[] | undefined,
): AdminUnit[] {
  return (links ?? []).filter((l) => ctx.inScope(l.unitId)).map((l) => toAdminUnit(ctx.units.unit(l.unitId)!, l));
}
