import 'reflect-metadata';
import { Query, Resolver } from 'type-graphql';
import { INDICATORS } from '../../../schema/catalogue.ts';
import { Indicator, toIndicator } from '../types/catalogue.ts';

const ALL = INDICATORS.map(toIndicator);

@Resolver()
export class CatalogueResolver {
  @Query(() => [Indicator], {
    description:
      'The indicator catalogue: counts reported by units and the ratios computed from them, with their targets',
  })
  indicators(): Indicator[] {
    return ALL;
  }
}
