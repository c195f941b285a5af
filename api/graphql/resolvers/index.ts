/** Every resolver class of the API: add yours here (api/graphql/schema.ts builds the schema from this list). */
import type { NonEmptyArray } from 'type-graphql';
import { AccessResolver } from './access.ts';
import { CatalogueResolver } from './catalogue.ts';
import { DashboardsResolver } from './dashboards.ts';
import { ReportResolver } from './report.ts';
import { AdminUnitResolver } from './units.ts';
import { ValuesResolver } from './values.ts';

export const RESOLVERS: NonEmptyArray<Function> = [
  CatalogueResolver,
  AdminUnitResolver,
  ValuesResolver,
  DashboardsResolver,
  AccessResolver,
  ReportResolver,
];
