/**
 * Grafana dashboards as code: `dashboards/spec.ts` turned into Grafana dashboard JSON with Grafana's own
 * `@grafana/grafana-foundation-sdk` builders. Panels read the GraphQL API through the Infinity data source
 * (`yesoreyeram-infinity-datasource`): query type `graphql`, POST, `root_selector`, typed `columns` and the
 * backend parser, so the same queries also run server-side (alerting, recorded queries, shared dashboards).
 *
 * Target: Grafana 12.2 or later (dashboard `schemaVersion` 42, what foundation SDK 0.0.21 writes) with the Infinity
 * plugin 3.x. Thresholds come from the catalogue's targets, units from its units: no figure is written here.
 */
import type { Builder, Dataquery } from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as barchart from '@grafana/grafana-foundation-sdk/barchart';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { Indicator } from '../schema/catalogue.ts';
import {
  bilingual,
  bilingualText,
  type BarsPanel,
  CAMPAIGNS,
  type Column,
  DASHBOARDS,
  type DashboardSpec,
  type FiguresPanel,
  type FunnelPanel,
  HISTORY_START,
  label,
  type Label,
  type PanelSpec,
  type QuerySpec,
  type RankingPanel,
  type StatPanel,
  type TablePanel,
  type TrendPanel,
  type VariableSpec,
  withheldAlias,
} from './spec.ts';

/** The Grafana this project targets: the dashboards' `schemaVersion` is the one this version writes. */
export const GRAFANA = {
  /** Lowest version the JSON is written for (schemaVersion 42 arrived in 12.2). */
  version: '12.2.0',
  schemaVersion: 42,
  infinityPlugin: 'yesoreyeram-infinity-datasource',
  infinityVersion: '3.x',
} as const;

/** The API as a Grafana data source: one Infinity instance with a fixed uid that every panel names. */
export const DATASOURCE: common.DataSourceRef = { type: GRAFANA.infinityPlugin, uid: 'pcmbn-api' };
export const DATASOURCE_NAME = 'PCMBN API';

/** Folder of the dashboards (push and provisioning). */
export const FOLDER = { uid: 'pcmbn', title: bilingual(label('Phòng, chống mua bán người', 'Anti-trafficking')) };

// ---------------------------------------------------------------------------------------------------------------
// The Infinity query model (the SDK ships core data sources only; plugins define their own query type).

export interface InfinityColumn {
  selector: string;
  text: string;
  type: Column['type'];
  timestampFormat?: string;
}

export interface InfinityQuery {
  refId: string;
  datasource: common.DataSourceRef;
  type: 'graphql';
  source: 'url';
  /** The backend parser: queries run in Grafana's server, so alerting and recorded queries work. */
  parser: 'backend';
  format: 'table';
  /** Relative to the data source's URL (the API's origin). */
  url: string;
  url_options: {
    method: 'POST';
    data: string;
    body_type: 'graphql';
    body_content_type: 'application/json';
    body_graphql_query: string;
    body_graphql_variables: string;
  };
  root_selector: string;
  columns: InfinityColumn[];
  filters: never[];
  _implementsDataqueryVariant(): void;
}

export function infinityQuery(q: QuerySpec): InfinityQuery {
  return {
    refId: q.refId,
    datasource: DATASOURCE,
    type: 'graphql',
    source: 'url',
    parser: 'backend',
    format: 'table',
    url: '/graphql',
    url_options: {
      method: 'POST',
      data: '',
      body_type: 'graphql',
      body_content_type: 'application/json',
      body_graphql_query: q.graphql,
      body_graphql_variables: q.variables,
    },
    root_selector: q.root,
    columns: q.columns.map((c) => ({
      selector: c.selector,
      text: c.alias,
      type: c.type,
      ...(c.timestampFormat ? { timestampFormat: c.timestampFormat } : {}),
    })),
    filters: [],
    _implementsDataqueryVariant() {},
  };
}

class InfinityQueryBuilder implements Builder<Dataquery> {
  constructor(private readonly q: QuerySpec) {}
  build(): InfinityQuery {
    return infinityQuery(this.q);
  }
}

const target = (q: QuerySpec) => new InfinityQueryBuilder(q);

// ---------------------------------------------------------------------------------------------------------------
// Field options from the catalogue.

/** The smallest number above x: Grafana's threshold steps are inclusive, a "> 90" target is not met at 90. */
function nextUp(x: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + (x >= 0 ? 1n : -1n));
  return view.getFloat64(0);
}

const GOOD = 'green';
const BAD = 'red';
const NEUTRAL = 'blue';

function thresholds(i: Indicator | null): dashboard.ThresholdsConfigBuilder {
  const steps: dashboard.Threshold[] = [{ value: null, color: i?.kind === 'ratio' ? BAD : NEUTRAL }];
  if (i?.kind === 'ratio')
    steps.push({ value: i.target.operator === '>=' ? i.target.value : nextUp(i.target.value), color: GOOD });
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Grafana's unit for an indicator: percent for ratios, the catalogue's unit as a suffix for counts. */
export function grafanaUnit(i: Indicator): string {
  return i.kind === 'ratio' ? 'percent' : `suffix: ${i.unit}`;
}

const displayName = (l: Label | string): dashboard.DynamicConfigValue => ({
  id: 'displayName',
  value: typeof l === 'string' ? l : bilingual(l),
});
const fixedColor = (color: string): dashboard.DynamicConfigValue => ({
  id: 'color',
  value: { mode: 'fixed', fixedColor: color },
});

function reduce(fields: string, values = false): common.ReduceDataOptionsBuilder {
  return new common.ReduceDataOptionsBuilder()
    .values(values)
    .calcs(values ? [] : ['lastNotNull'])
    .fields(fields);
}

/** Grafana transformations the panels use. */
const transform = {
  join: (byField: string): dashboard.DataTransformerConfig => ({
    id: 'joinByField',
    options: { byField, mode: 'outer' },
  }),
  hide: (...names: string[]): dashboard.DataTransformerConfig => ({
    id: 'organize',
    options: { excludeByName: Object.fromEntries(names.map((n) => [n, true])) },
  }),
  withValues: (field: string): dashboard.DataTransformerConfig => ({
    id: 'filterByValue',
    options: { type: 'exclude', match: 'any', filters: [{ fieldName: field, config: { id: 'isNull', options: {} } }] },
  }),
  sort: (field: string, desc: boolean): dashboard.DataTransformerConfig => ({
    id: 'sortBy',
    options: { sort: [{ field, desc }] },
  }),
  limit: (n: number): dashboard.DataTransformerConfig => ({ id: 'limit', options: { limitField: n } }),
};

// ---------------------------------------------------------------------------------------------------------------
// Panels.

type AnyPanelBuilder = Builder<dashboard.Panel>;

function base<
  T extends {
    title(t: string): T;
    description(d: string): T;
    datasource(d: common.DataSourceRef): T;
    gridPos(g: dashboard.GridPos): T;
    withTarget(t: Builder<Dataquery>): T;
  },
>(b: T, p: PanelSpec): T {
  b.title(bilingual(p.title)).datasource(DATASOURCE).gridPos({ x: 0, y: 0, w: p.w, h: p.h });
  if (p.description) b.description(bilingualText(p.description));
  for (const q of p.queries) b.withTarget(target(q));
  return b;
}

function statPanel(p: StatPanel): AnyPanelBuilder {
  const i = p.indicator;
  return base(new stat.PanelBuilder(), p)
    .unit(grafanaUnit(i))
    .decimals(i.kind === 'ratio' ? 1 : 0)
    .thresholds(thresholds(i))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .justifyMode(common.BigValueJustifyMode.Center)
    .orientation(common.VizOrientation.Vertical)
    .reduceOptions(reduce('/^(value|change)$/'))
    .noValue(bilingual(label('Không có số liệu hoặc số nhỏ bị ẩn', 'No data, or a small number withheld')))
    .overrideByName('value', [displayName('${year}')])
    .overrideByName('change', [
      displayName(label('So với năm trước', 'vs the year before')),
      fixedColor('text'),
      ...(i.kind === 'ratio' ? [{ id: 'unit', value: 'suffix: điểm %' }] : []),
    ]);
}

/** Field-config overrides for a column's format: percentages with one decimal, counts as whole numbers. */
function formatOverrides(format: string | undefined): { id: string; value: unknown }[] {
  if (format === 'percent')
    return [
      { id: 'unit', value: 'percent' },
      { id: 'decimals', value: 1 },
    ];
  if (format === 'count') return [{ id: 'decimals', value: 0 }];
  return [];
}

function figuresPanel(p: FiguresPanel): AnyPanelBuilder {
  let b = base(new stat.PanelBuilder(), p)
    .colorMode(common.BigValueColorMode.None)
    .graphMode(common.BigValueGraphMode.None)
    .textMode(common.BigValueTextMode.ValueAndName)
    .reduceOptions(reduce(`/^(${p.figures.map((f) => f.alias).join('|')})$/`));
  for (const f of p.figures) {
    b = b.overrideByName(f.alias, [displayName(f.label), ...formatOverrides(f.format)]);
  }
  return b;
}

function trendPanel(p: TrendPanel): AnyPanelBuilder {
  const i = p.indicator;
  let b = base(new timeseries.PanelBuilder(), p)
    .unit(grafanaUnit(i))
    .decimals(i.kind === 'ratio' ? 1 : 0)
    .min(0)
    .drawStyle(common.GraphDrawStyle.Line)
    .lineInterpolation(common.LineInterpolation.Linear)
    .lineWidth(2)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Auto)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None));
  for (const s of p.series) b = b.overrideByName(s.alias, [displayName(s.label)]);
  if (i.kind === 'ratio') {
    b = b.overrideByName('target', [
      displayName(label('Mục tiêu', 'Target')),
      fixedColor(GOOD),
      { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
      { id: 'custom.fillOpacity', value: 0 },
      { id: 'custom.showPoints', value: 'never' },
    ]);
  }
  return b;
}

function rankingPanel(p: RankingPanel): AnyPanelBuilder {
  const i = p.indicator === 'variable' ? null : p.indicator;
  const b = base(new bargauge.PanelBuilder(), p)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Basic)
    .valueMode(common.BarGaugeValueMode.Text)
    .namePlacement(common.BarGaugeNamePlacement.Left)
    .showUnfilled(true)
    .min(0)
    .reduceOptions(reduce('/^value$/', true))
    .thresholds(thresholds(i))
    .transformations([
      transform.withValues('value'),
      transform.sort('value', p.order === 'desc'),
      ...(p.limit ? [transform.limit(p.limit)] : []),
      transform.hide('ref', 'rank', 'status'),
    ]);
  return i ? b.unit(grafanaUnit(i)).decimals(i.kind === 'ratio' ? 1 : 0) : b;
}

function barsPanel(p: BarsPanel): AnyPanelBuilder {
  let b = base(new barchart.PanelBuilder(), p)
    .xField('name')
    .orientation(common.VizOrientation.Horizontal)
    .stacking(common.StackingMode.None)
    .showValue(common.VisibilityMode.Auto)
    .decimals(0)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.List)
        .placement(common.LegendPlacement.Bottom)
        .calcs([]),
    )
    .transformations([transform.join('code'), transform.hide('code', ...p.series.map((s) => withheldAlias(s.alias)))]);
  for (const s of p.series) b = b.overrideByName(s.alias, [displayName(s.label)]);
  return b;
}

function funnelPanel(p: FunnelPanel): AnyPanelBuilder {
  return base(new bargauge.PanelBuilder(), p)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .valueMode(common.BarGaugeValueMode.Text)
    .namePlacement(common.BarGaugeNamePlacement.Top)
    .showUnfilled(true)
    .min(0)
    .decimals(0)
    .reduceOptions(reduce('/^value$/', true))
    .thresholds(thresholds(null))
    .transformations([transform.hide('code', withheldAlias('value'))]);
}

function tablePanel(p: TablePanel): AnyPanelBuilder {
  let b = base(new table.PanelBuilder(), p)
    .showHeader(true)
    .cellHeight(common.TableCellHeight.Sm)
    .footer(new common.TableFooterOptionsBuilder().show(false).reducer([]))
    .transformations([
      transform.hide(...p.queries[0].columns.map((c) => c.alias).filter((a) => !p.columns.some((c) => c.alias === a))),
    ]);
  for (const c of p.columns) {
    b = b.overrideByName(c.alias, [displayName(c.label), ...formatOverrides(c.format)]);
  }
  return b;
}

function panel(p: PanelSpec): AnyPanelBuilder {
  switch (p.kind) {
    case 'stat':
      return statPanel(p);
    case 'figures':
      return figuresPanel(p);
    case 'trend':
      return trendPanel(p);
    case 'ranking':
      return rankingPanel(p);
    case 'bars':
      return barsPanel(p);
    case 'funnel':
      return funnelPanel(p);
    case 'table':
      return tablePanel(p);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Variables and annotations.

/** Infinity's variable query model: `{ queryType: "infinity", infinityQuery }`, columns `__text` and `__value`. */
function infinityVariableQuery(q: QuerySpec): Record<string, unknown> {
  const { _implementsDataqueryVariant: _, ...query } = infinityQuery({ ...q, refId: 'variable' });
  return { queryType: 'infinity', refId: 'variable', query: '', infinityQuery: query };
}

/** Grafana's custom variable syntax: `text : value` pairs, commas in texts escaped. */
function customQuery(v: VariableSpec): string {
  return v.options!.map((o) => `${bilingual(o.label).replaceAll(',', '\\,')} : ${o.value}`).join(', ');
}

function variable(v: VariableSpec): Builder<dashboard.VariableModel> {
  const title = bilingual(v.label);
  if (v.name === 'unit' && v.unitMode === 'nation') {
    return new dashboard.ConstantVariableBuilder('unit').label(title).value('VN');
  }
  if (v.options) {
    const chosen = v.options.find((o) => o.value === v.default) ?? v.options[0];
    return new dashboard.CustomVariableBuilder(v.name)
      .label(title)
      .values(customQuery(v))
      .current({ text: bilingual(chosen.label), value: chosen.value, selected: true })
      .options(v.options.map((o) => ({ text: bilingual(o.label), value: o.value, selected: o === chosen })));
  }
  const b = new dashboard.QueryVariableBuilder(v.name)
    .label(title)
    .datasource(DATASOURCE)
    .query(infinityVariableQuery(v.query!))
    .definition(v.query!.graphql)
    .refresh(dashboard.VariableRefresh.OnDashboardLoad)
    .sort(dashboard.VariableSort.Disabled);
  if (v.name === 'unit' && v.unitMode === 'provinceOrNation') {
    // "All" provinces stands for the nation: $unit becomes VN (includeAll works in every Grafana version).
    b.includeAll(true).allValue('VN').current({ text: 'All', value: '$__all', selected: true });
  }
  return b;
}

function campaignAnnotations(): dashboard.AnnotationQueryBuilder {
  return new dashboard.AnnotationQueryBuilder()
    .name(
      bilingual(label('Ngày toàn dân 30/7 và cao điểm 01/7–30/9', 'National day 30 July and the July–September peak')),
    )
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('orange')
    .target(target({ ...CAMPAIGNS, refId: 'Anno' }));
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboards.

export function grafanaDashboard(d: DashboardSpec): dashboard.Dashboard {
  const b = new dashboard.DashboardBuilder(bilingual(d.title))
    .uid(d.uid)
    .description(bilingualText(d.description))
    .tags(['pcmbn', 'generated'])
    .editable()
    .timezone('Asia/Ho_Chi_Minh')
    .time({ from: `${HISTORY_START}T00:00:00.000Z`, to: 'now' })
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .link(
      new dashboard.DashboardLinkBuilder(bilingual(label('Bảng điều khiển PCMBN', 'PCMBN dashboards')))
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(['pcmbn'])
        .asDropdown(true)
        .includeVars(false)
        .keepTime(true)
        .targetBlank(false)
        .icon('external link'),
    )
    .variables(d.variables.map(variable));
  if (d.annotations) b.annotation(campaignAnnotations());
  for (const row of d.rows) {
    b.withRow(new dashboard.RowBuilder(bilingual(row.title)));
    for (const p of row.panels) b.withPanel(panel(p));
  }
  const built = b.build();
  built.annotations = { list: built.annotations?.list ?? [] };
  // Stable panel ids, in layout order (Grafana needs them unique; the builder leaves them out).
  built.panels?.forEach((p, n) => (p.id = n + 1));
  return built;
}

export function grafanaDashboards(): dashboard.Dashboard[] {
  return DASHBOARDS.map(grafanaDashboard);
}

/** The dashboard as JSON text, as written to files and sent to Grafana (functions such as cog's markers drop out). */
export function dashboardJson(d: dashboard.Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
