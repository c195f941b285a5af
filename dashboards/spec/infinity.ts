/**
 * The Infinity data source's query model (type graphql, POST, root_selector, typed columns, backend parser): what a
 * panel's query is, and how its text names the dashboard's variables.
 */

/** The dashboard variables a query can use (Grafana template variables; the page's pickers). */
export const VARIABLE_NAMES = ['unit', 'year', 'month', 'granularity', 'indicator', 'old', 'oldYear'] as const;
export type VariableName = (typeof VARIABLE_NAMES)[number];

/** Infinity's column types that we use. */
export type ColumnType = 'string' | 'number' | 'timestamp' | 'timestamp_epoch';

export interface Column {
  /** Path inside one row, as Infinity's backend parser (GJSON) reads it: `value`, `unit.fullName`. */
  selector: string;
  /** The field name in Grafana and the key in the page's rows. */
  alias: string;
  type: ColumnType;
  /** Go layout for `timestamp` columns. */
  timestampFormat?: string;
}

export interface QuerySpec {
  refId: string;
  /** The GraphQL document: GraphQL variables, and Infinity's time-range macros. */
  graphql: string;
  /** The GraphQL variables as a JSON template of Grafana's (Infinity's `body_graphql_variables`). */
  variables: string;
  /** Where the rows are in the response: a GJSON path such as `data.breakdown` (an object counts as one row). */
  root: string;
  columns: Column[];
}

/** Typed columns: a string, a number, a `YYYY-MM-DD` day, an instant in epoch milliseconds. */
export const str = (selector: string, alias = selector.split('.').pop()!): Column => ({
  selector,
  alias,
  type: 'string',
});
export const num = (selector: string, alias = selector.split('.').pop()!): Column => ({
  selector,
  alias,
  type: 'number',
});
export const day = (selector: string, alias: string): Column => ({
  selector,
  alias,
  type: 'timestamp',
  timestampFormat: '2006-01-02',
});
export const epoch = (selector: string, alias: string): Column => ({ selector, alias, type: 'timestamp_epoch' });

/**
 * The GraphQL variables queries use, each filled from a dashboard variable. Grafana interpolates its variables
 * into the query text too, so the GraphQL names are not the dashboard's: `$unitCode` is `{"unitCode": ${unit:json}}`.
 */
const GRAPHQL_VARIABLES: Record<string, { from: VariableName; type: string }> = {
  unitCode: { from: 'unit', type: 'String!' },
  yearId: { from: 'year', type: 'String!' },
  monthId: { from: 'month', type: 'String!' },
  granularityLevel: { from: 'granularity', type: 'Granularity!' },
  indicatorCode: { from: 'indicator', type: 'String!' },
  oldUnit: { from: 'old', type: 'String!' },
  oldYearId: { from: 'oldYear', type: 'String!' },
};

/** A query: its operation declares the GraphQL variables its text uses, each given from its dashboard variable. */
export const q = (graphql: string, root: string, columns: Column[], refId = 'A'): QuerySpec => {
  const used = [...new Set([...graphql.matchAll(/\$(\w+)/g)].map((m) => m[1]))].filter((n) => n in GRAPHQL_VARIABLES);
  return {
    refId,
    graphql: used.length
      ? `query (${used.map((n) => `$${n}: ${GRAPHQL_VARIABLES[n].type}`).join(', ')}) ${graphql}`
      : graphql,
    variables: `{${used.map((n) => `"${n}": \${${GRAPHQL_VARIABLES[n].from}:json}`).join(', ')}}`,
    root,
    columns,
  };
};

/** What query texts hold: GraphQL variables, and the time range as Infinity's backend macros. */
export const V = {
  unit: '$unitCode',
  year: '$yearId',
  month: '$monthId',
  granularity: '$granularityLevel',
  indicator: '$indicatorCode',
  old: '$oldUnit',
  oldYear: '$oldYearId',
  /**
   * The dashboard's time range in epoch milliseconds, filled in by Infinity's backend (panels, alerts and public
   * dashboards alike); the API reads each instant as a day in Vietnam. Grafana's `${__from:date:…}` would be
   * formatted in UTC by that backend: local midnight on 1 January would read as 31 December.
   */
  from: '"${__timeFrom}"',
  to: '"${__timeTo}"',
} as const;
