/**
 * Administrative units as GraphQL types: both hierarchies (until 30/6/2025 and from 1/7/2025) under the nation,
 * and the reform's lineage between them.
 */
import 'reflect-metadata';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import type { UnitLevel } from '../../../schema/tables.ts';
import type { LineageLink, UnitRow } from '../../directory.ts';

export enum AdminLevel {
  NATIONAL = 'NATIONAL',
  PROVINCE = 'PROVINCE',
  DISTRICT = 'DISTRICT',
  WARD = 'WARD',
}
registerEnumType(AdminLevel, {
  name: 'AdminLevel',
  description: 'Level of an administrative unit',
  valuesConfig: {
    NATIONAL: { description: 'Việt Nam' },
    PROVINCE: { description: 'Tỉnh, thành phố trực thuộc trung ương (63 until 30/6/2025, 34 from 1/7/2025)' },
    DISTRICT: { description: 'Quận, huyện, thị xã, thành phố thuộc tỉnh: the old list only (abolished 1/7/2025)' },
    WARD: { description: 'Old wards (phường, xã, thị trấn) and new communes (phường, xã, đặc khu)' },
  },
});

export enum Transfer {
  FULL = 'FULL',
  PARTIAL = 'PARTIAL',
}
registerEnumType(Transfer, {
  name: 'Transfer',
  description: 'How an old unit went into a new one in the 2025 reform: whole (FULL) or split across several (PARTIAL)',
});

const LEVELS: Record<UnitLevel, AdminLevel> = {
  national: AdminLevel.NATIONAL,
  province: AdminLevel.PROVINCE,
  district: AdminLevel.DISTRICT,
  ward: AdminLevel.WARD,
};
export const LEVEL_OF: Record<AdminLevel, UnitLevel> = {
  NATIONAL: 'national',
  PROVINCE: 'province',
  DISTRICT: 'district',
  WARD: 'ward',
};

@ObjectType({
  description: 'An administrative unit of the old list (2025-03), the new list (2025-07) or the nation (VN)',
})
export class AdminUnit {
  /** Internal: not in the schema. */
  unitId!: number;
  parentId!: number | null;

  @Field(() => String, { description: 'The code within its list: 75, 731, 00004; VN for the nation' })
  code!: string;

  @Field(() => String, {
    description: 'The code with its list, as accepted by every unit argument: 2025-07:75, 2025-03:26734, VN',
  })
  ref!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, {
    description: 'The kind of unit in Vietnamese: Tỉnh, Thành phố, Quận, Huyện, Phường, Xã, Thị trấn, Đặc khu…',
  })
  type!: string;

  @Field(() => String, { description: 'Kind and name, as written: Tỉnh Đồng Nai, Phường Ba Đình' })
  fullName!: string;

  @Field(() => AdminLevel)
  level!: AdminLevel;

  @Field(() => String, { description: '2025-03 (the list until 30/6/2025), 2025-07 (from 1/7/2025) or national' })
  hierarchy!: string;

  @Field(() => String, {
    nullable: true,
    description: 'First day in force (YYYY-MM-DD); null: since before the warehouse',
  })
  validFrom!: string | null;

  @Field(() => String, { nullable: true, description: 'Last day in force (YYYY-MM-DD); null: still in force' })
  validTo!: string | null;

  @Field(() => Transfer, {
    nullable: true,
    description:
      'In successors and predecessors: whether the old unit went wholly or partly into the new one; null elsewhere',
  })
  transfer!: Transfer | null;
}

export function toAdminUnit(u: UnitRow, link?: LineageLink): AdminUnit {
  return {
    unitId: u.unit_id,
    parentId: u.parent_id,
    code: u.code,
    ref: u.ref,
    name: u.name,
    type: u.type,
    fullName: `${u.type} ${u.name}`,
    level: LEVELS[u.level],
    hierarchy: u.hierarchy,
    validFrom: u.valid_from,
    validTo: u.valid_to,
    transfer: link ? (link.transfer === 'full' ? Transfer.FULL : Transfer.PARTIAL) : null,
  };
}
