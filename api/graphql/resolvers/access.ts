/**
 * `me`: the key a request is made with, its role and the unit it sees. Clients open on that unit (the built-in
 * page does) instead of guessing and meeting FORBIDDEN. Answered from the request itself and the unit directory.
 */
import 'reflect-metadata';
import { Ctx, Field, ObjectType, Query, Resolver } from 'type-graphql';
import { withholdsSmallCounts } from '../../auth/roles.ts';
import type { RequestContext } from '../../request.ts';
import { AdminUnit, toAdminUnit } from '../types/units.ts';

@ObjectType({ description: 'The API key of the request (or anonymous access): what it may see' })
export class Access {
  @Field(() => String, {
    description:
      'viewer (public and partners: small victims counts withheld), leader (every figure of its scope), analyst or admin',
  })
  role!: string;

  @Field(() => AdminUnit, { description: 'The unit the key sees, with what lies under it' })
  unit!: AdminUnit;

  @Field(() => Boolean, { description: 'Whether small victims counts are withheld from this key' })
  withholdsSmallCounts!: boolean;
}

@Resolver()
export class AccessResolver {
  @Query(() => Access, { description: 'The API key of this request: its role and the unit it sees' })
  me(@Ctx() ctx: RequestContext): Access {
    const { role, unitId } = ctx.principal;
    return { role, unit: toAdminUnit(ctx.units.unit(unitId)!), withholdsSmallCounts: withholdsSmallCounts(role) };
  }
}
