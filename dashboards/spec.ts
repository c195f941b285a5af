/**
 * The dashboards, declared once. Both renderers read this module:
 * - `dashboards/grafana.ts` turns it into Grafana dashboard JSON (Infinity data source, GraphQL queries);
 * - `dashboards/page/` renders the same dashboards in the built-in page at `/`.
 *
 * Every title, unit and target comes from the indicator catalogue (`schema/catalogue.ts`); no panel holds a
 * hand-written figure. Each panel carries the GraphQL queries it runs: the query text, with GraphQL variables
 * (`$unitCode`) and Infinity's backend macros for the time range (`${__timeFrom}`), and the GraphQL variables as
 * Grafana fills them from the dashboard's (`{"unitCode": ${unit:json}}`); the `root_selector` that picks its rows
 * out of the response and the typed columns it keeps (the Infinity data source's model). The page interpolates the
 * variables itself (`interpolate`) and picks rows the way Infinity's backend parser does (`frame`), so a panel
 * shows the same rows in Grafana and in the page, and the tests check exactly what both run.
 *
 * One module per part, all re-exported here:
 * - `spec/labels.ts`: Vietnamese and English labels, indicator names and targets from the catalogue;
 * - `spec/infinity.ts`: the query model (columns, query texts, the variables they name);
 * - `spec/queries.ts`: the GraphQL queries panels run;
 * - `spec/variables.ts`: the dashboards' variables (the page's pickers);
 * - `spec/panels.ts`: the panel kinds and their builders;
 * - `spec/dashboards.ts`: the six dashboards;
 * - `spec/emulation.ts`: running a query as Grafana and Infinity do.
 *
 * Browser-safe: no Node imports here or in `spec/`.
 */
export * from './spec/labels.ts';
export * from './spec/infinity.ts';
export * from './spec/queries.ts';
export * from './spec/variables.ts';
export * from './spec/panels.ts';
export * from './spec/dashboards.ts';
export * from './spec/emulation.ts';
