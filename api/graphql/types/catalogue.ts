/**
 * The indicator catalogue as GraphQL types. Every value comes from schema/catalogue.ts: the one catalogue.
 */
import 'reflect-metadata';
import { GraphQLEnumType } from 'graphql';
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { type Indicator as CatalogueIndicator, INDICATORS } from '../../../schema/catalogue.ts';

export enum IndicatorKind {
  COUNT = 'COUNT',
  RATIO = 'RATIO',
}
registerEnumType(IndicatorKind, {
  name: 'IndicatorKind',
  description:
    'COUNT: reported by units; RATIO: computed as sum(numerator) / sum(denominator) × 100 over the selection',
});

export enum Aggregation {
  SUM = 'SUM',
  LAST = 'LAST',
}
registerEnumType(Aggregation, {
  name: 'Aggregation',
  description:
    'How a count combines over time: SUM for flows (cases, victims returned), LAST for stocks (the latest value in the period)',
});

@ObjectType({ description: 'A target of the programme for a ratio, e.g. >= 95 (%)' })
export class Target {
  @Field(() => String, { description: '">=" or ">"' })
  operator!: string;

  @Field(() => Float)
  value!: number;

  @Field(() => String, { description: 'Where the target comes from' })
  source!: string;
}

@ObjectType({ description: 'An indicator of the catalogue (schema/catalogue.ts)' })
export class Indicator {
  @Field(() => String, { description: 'The code used in report files and query arguments, e.g. victims_returned' })
  code!: string;

  @Field(() => String, { description: 'Vietnamese name' })
  nameVi!: string;

  @Field(() => String, { description: 'English name' })
  nameEn!: string;

  @Field(() => String, { description: 'Unit of measure shown next to values (người, vụ, %)' })
  unit!: string;

  @Field(() => IndicatorKind)
  kind!: IndicatorKind;

  @Field(() => Aggregation, { nullable: true, description: 'Null for ratios' })
  aggregation!: Aggregation | null;

  @Field(() => [String], { description: 'The breakdowns a count may be reported with: sex, age_group' })
  disaggregations!: string[];

  @Field(() => String, { nullable: true, description: 'Ratios: the indicator summed above the line' })
  numerator!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Ratios: the indicator summed below the line, or wards_in_force',
  })
  denominator!: string | null;

  @Field(() => Target, { nullable: true, description: 'Ratios: the programme target' })
  target!: Target | null;
}

export function toIndicator(i: CatalogueIndicator): Indicator {
  return {
    code: i.code,
    nameVi: i.nameVi,
    nameEn: i.nameEn,
    unit: i.unit,
    kind: i.kind === 'count' ? IndicatorKind.COUNT : IndicatorKind.RATIO,
    aggregation: i.kind === 'count' ? (i.aggregation === 'sum' ? Aggregation.SUM : Aggregation.LAST) : null,
    disaggregations: i.kind === 'count' ? [...i.disaggregations] : [],
    numerator: i.kind === 'ratio' ? i.numerator : null,
    denominator: i.kind === 'ratio' ? i.denominator : null,
    target: i.kind === 'ratio' ? { ...i.target } : null,
  };
}

/**
 * Every indicator code, for introspection and generated clients (dashboards). Query arguments stay `String`
 * (the contract) and are checked against the catalogue by the resolvers.
 */
export const IndicatorCodeEnum = new GraphQLEnumType({
  name: 'IndicatorCode',
  description: 'The codes of the indicator catalogue; query arguments take them as strings',
  values: Object.fromEntries(
    INDICATORS.map((i) => [i.code, { value: i.code, description: `${i.nameEn} (${i.nameVi})` }]),
  ),
});
