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
 * variables itself
 * (`interpolate`) and picks rows the way Infinity's backend parser does (`frame`), so a panel shows the same rows
 * in Grafana and in the page, and the tests check exactly what both run.
 *
 * Browser-safe: no Node imports here.
 */
import { findIndicator, type Indicator, INDICATORS } from '../schema/catalogue.ts';

// ---------------------------------------------------------------------------------------------------------------
// Labels: Vietnamese first, English beside it.

export type Lang = 'vi' | 'en';

export interface Label {
  vi: string;
  en: string;
}

export const label = (vi: string, en: string): Label => ({ vi, en });

/** "Nạn nhân (Victims)": how Grafana titles read. */
export function bilingual(l: Label): string {
  return l.vi === l.en ? l.vi : `${l.vi} (${l.en})`;
}

/** Longer texts (descriptions): Vietnamese, a blank line, English. */
export function bilingualText(l: Label): string {
  return l.vi === l.en ? l.vi : `${l.vi}\n\n${l.en}`;
}

export function pick(l: Label, lang: Lang): string {
  return lang === 'vi' ? l.vi : l.en;
}

/** The catalogue entry for a code; throws on a code the catalogue does not have (a typo in this file). */
export function indicator(code: string): Indicator {
  const i = findIndicator(code);
  if (!i) throw new Error(`dashboards/spec.ts: no indicator "${code}" in the catalogue`);
  return i;
}

export function indicatorLabel(i: Indicator): Label {
  return label(i.nameVi, i.nameEn);
}

/** "Mục tiêu ≥ 95 %" / "Target ≥ 95 %", from the catalogue; null for counts. */
export function targetLabel(i: Indicator): Label | null {
  if (i.kind !== 'ratio') return null;
  const op = i.target.operator === '>=' ? '≥' : '>';
  return label(`Mục tiêu ${op} ${i.target.value} %`, `Target ${op} ${i.target.value} %`);
}

// ---------------------------------------------------------------------------------------------------------------
// Queries: the Infinity data source's model (type graphql, POST, root_selector, typed columns, backend parser).

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

const str = (selector: string, alias = selector.split('.').pop()!): Column => ({ selector, alias, type: 'string' });
const num = (selector: string, alias = selector.split('.').pop()!): Column => ({ selector, alias, type: 'number' });
const day = (selector: string, alias: string): Column => ({
  selector,
  alias,
  type: 'timestamp',
  timestampFormat: '2006-01-02',
});
const epoch = (selector: string, alias: string): Column => ({ selector, alias, type: 'timestamp_epoch' });

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
const q = (graphql: string, root: string, columns: Column[], refId = 'A'): QuerySpec => {
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
const list = (codes: readonly string[]) => `[${codes.map((c) => JSON.stringify(c)).join(', ')}]`;

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

/** An argument: a GraphQL variable as it is, a literal quoted. */
const arg = (v: string) => (v.startsWith('$') ? v : JSON.stringify(v));

/** The first day of the warehouse's history: trends and the Grafana time range start here. */
export const HISTORY_START = '2019-01-01';

type Disaggregation = { sex?: 'female' | 'male'; ageGroup?: 'child' | 'adult' };
const disagg = (d: Disaggregation) =>
  (d.sex ? `, sex: "${d.sex}"` : '') + (d.ageGroup ? `, ageGroup: "${d.ageGroup}"` : '');

export const queries = {
  /** One indicator for the unit and year, with the year before and the status against the target. */
  kpi: (code: string) =>
    q(
      `{ kpi(indicator: "${code}", period: ${V.year}, unit: ${V.unit}) { value previousValue change status ` +
        `suppressed complete } }`,
      'data.kpi',
      [num('value'), num('previousValue'), num('change'), str('status'), str('suppressed'), str('complete')],
    ),
  /** An indicator over the time range, one point per `$granularity`, with the target for ratios. */
  trend: (code: string, alias = 'value', d: Disaggregation = {}, refId = 'A') =>
    q(
      `{ trend(indicator: "${code}", from: ${V.from}, to: ${V.to}, granularity: ${V.granularity}, unit: ` +
        `${V.unit}${disagg(d)}) { start value target suppressed } }`,
      'data.trend',
      [
        day('start', 'time'),
        num('value', alias),
        ...(indicator(code).kind === 'ratio' ? [num('target')] : []),
        str('suppressed'),
      ],
      refId,
    ),
  /** The units under `unit` (or `level` beneath it) for the year, ranked. */
  breakdown: (code: string, o: { unit?: string; period?: string; level?: 'DISTRICT' | 'WARD' } = {}) =>
    q(
      `{ breakdown(indicator: ${arg(code)}, period: ${o.period ?? V.year}, unit: ` +
        `${o.unit ?? V.unit}${o.level ? `, level: ${o.level}` : ''}) { unit { ref fullName level } value rank ` +
        `status suppressed } }`,
      'data.breakdown',
      [
        str('unit.fullName', 'name'),
        str('unit.ref', 'ref'),
        str('unit.level', 'level'),
        num('value'),
        num('rank'),
        str('status'),
        str('suppressed'),
      ],
    ),
  /** Several counts for the unit and year, in the order given (funnels and breakdowns by sex or age). */
  kpis: (codes: readonly string[], valueAlias = 'value', d: Disaggregation = {}, refId = 'A', withNames = true) =>
    q(
      `{ kpis(indicators: ${list(codes)}, period: ${V.year}, unit: ${V.unit}${disagg(d)}) { indicator { ` +
        `code${withNames ? ' nameVi' : ''} } value } }`,
      'data.kpis',
      [
        str('indicator.code', 'code'),
        ...(withNames ? [str('indicator.nameVi', 'name')] : []),
        num('value', valueAlias),
      ],
      refId,
    ),
  compliance: () =>
    q(
      `{ reportingCompliance(period: ${V.month}, unit: ${V.unit}) { dueDate expected received onTime late pending ` +
        `completeness timeliness } }`,
      'data.reportingCompliance',
      [
        str('dueDate'),
        num('expected'),
        num('received'),
        num('onTime'),
        num('late'),
        num('pending'),
        num('completeness'),
        num('timeliness'),
      ],
    ),
  complianceByUnit: () =>
    q(
      `{ complianceByUnit(period: ${V.month}, unit: ${V.unit}) { unit { ref fullName } expected received onTime ` +
        `late missing completeness timeliness } }`,
      'data.complianceByUnit',
      [
        str('unit.fullName', 'name'),
        str('unit.ref', 'ref'),
        num('expected'),
        num('received'),
        num('onTime'),
        num('late'),
        num('missing'),
        num('completeness'),
        num('timeliness'),
      ],
    ),
  missingReports: () =>
    q(
      `{ reportingCompliance(period: ${V.month}, unit: ${V.unit}) { missing { ref fullName parent { fullName } } } }`,
      'data.reportingCompliance.missing',
      [str('fullName', 'name'), str('ref'), str('parent.fullName', 'parent')],
    ),
  /** Annotations: the 30/7 national day and the 01/7–30/9 peak of each year of the time range. */
  campaigns: () =>
    q(`{ campaigns(from: ${V.from}, to: ${V.to}) { kind titleVi titleEn startMs endMs } }`, 'data.campaigns', [
      epoch('startMs', 'time'),
      epoch('endMs', 'timeEnd'),
      str('titleVi', 'title'),
      str('titleEn', 'text'),
      str('kind', 'tags'),
    ]),
};

// ---------------------------------------------------------------------------------------------------------------
// Variables (Grafana template variables; the page's pickers).

export const VARIABLE_NAMES = ['unit', 'year', 'month', 'granularity', 'indicator', 'old', 'oldYear'] as const;
export type VariableName = (typeof VARIABLE_NAMES)[number];

export type UnitMode =
  /** The nation only (a hidden constant VN in Grafana). */
  | 'nation'
  /** A province of today's list, required. */
  | 'province'
  /** A province of today's list, or "all" = the nation. */
  | 'provinceOrNation';

export interface OptionSpec {
  value: string;
  label: Label;
}

export interface VariableSpec {
  name: VariableName;
  label: Label;
  /** Options read from the API (rows with `__text` and `__value`), or fixed options from the catalogue. */
  query?: QuerySpec;
  options?: OptionSpec[];
  default?: string;
  unitMode?: UnitMode;
  /** Grafana only: the page reaches the same data through its unit picker (both hierarchies). */
  grafanaOnly?: boolean;
}

const textValue = (text: string, value: string) => [str(text, '__text'), str(value, '__value')];

export const GRANULARITIES: readonly OptionSpec[] = [
  { value: 'MONTH', label: label('Tháng', 'Month') },
  { value: 'QUARTER', label: label('Quý', 'Quarter') },
  { value: 'HALF_YEAR', label: label('6 tháng', 'Half-year') },
  { value: 'YEAR', label: label('Năm', 'Year') },
];

export function unitVariable(mode: UnitMode): VariableSpec {
  return {
    name: 'unit',
    label: label('Đơn vị', 'Unit'),
    unitMode: mode,
    default: mode === 'province' ? undefined : 'VN',
    query:
      mode === 'nation'
        ? undefined
        : q('{ adminUnits(level: PROVINCE) { ref fullName } }', 'data.adminUnits', textValue('fullName', 'ref')),
  };
}

export const variables = {
  year: (): VariableSpec => ({
    name: 'year',
    label: label('Năm', 'Year'),
    query: q('{ periods(type: YEAR) { id labelVi } }', 'data.periods', textValue('labelVi', 'id')),
  }),
  month: (): VariableSpec => ({
    name: 'month',
    label: label('Tháng báo cáo', 'Reporting month'),
    query: q('{ periods(type: MONTH) { id labelVi } }', 'data.periods', textValue('labelVi', 'id')),
  }),
  granularity: (dflt: string): VariableSpec => ({
    name: 'granularity',
    label: label('Chu kỳ', 'Granularity'),
    options: [...GRANULARITIES],
    default: dflt,
  }),
  indicator: (dflt: string): VariableSpec => ({
    name: 'indicator',
    label: label('Chỉ tiêu', 'Indicator'),
    default: dflt,
    options: INDICATORS.map((i) => ({ value: i.code, label: indicatorLabel(i) })),
  }),
  /** The old provinces a province of today was made of (for periods before 1 July 2025). */
  old: (): VariableSpec => ({
    name: 'old',
    label: label('Tỉnh cũ (trước 1/7/2025)', 'Old province (before 1 July 2025)'),
    grafanaOnly: true,
    query: q(
      `{ adminUnit(code: ${V.unit}) { predecessors { ref fullName } } }`,
      'data.adminUnit.predecessors',
      textValue('fullName', 'ref'),
    ),
  }),
  oldYear: (): VariableSpec => ({
    name: 'oldYear',
    label: label('Năm (danh mục cũ)', 'Year (old list)'),
    grafanaOnly: true,
    query: q(
      '{ periods(type: YEAR, hierarchy: "2025-03") { id labelVi } }',
      'data.periods',
      textValue('labelVi', 'id'),
    ),
  }),
};

// ---------------------------------------------------------------------------------------------------------------
// Panels.

export interface PanelBase {
  /** Unique within its dashboard; `dashboard.panel` is unique overall. */
  id: string;
  title: Label;
  description?: Label;
  /** Grid size in Grafana's 24-column grid. */
  w: number;
  h: number;
  queries: QuerySpec[];
  grafanaOnly?: boolean;
}

/** One indicator for the unit and year: value, change on the year before, coloured by its target. */
export interface StatPanel extends PanelBase {
  kind: 'stat';
  indicator: Indicator;
}

export interface FigureSpec {
  alias: string;
  label: Label;
  format: 'percent' | 'count' | 'date';
}

/** Several figures of one row (reporting compliance). */
export interface FiguresPanel extends PanelBase {
  kind: 'figures';
  figures: FigureSpec[];
}

export interface SeriesSpec {
  /** The column alias holding the series' values. */
  alias: string;
  label: Label;
}

/** An indicator over time, one query per series (joined on time), with the target line for ratios. */
export interface TrendPanel extends PanelBase {
  kind: 'trend';
  indicator: Indicator;
  series: SeriesSpec[];
}

/** Units ranked by an indicator: top (desc) or bottom (asc), at most `limit`. */
export interface RankingPanel extends PanelBase {
  kind: 'ranking';
  /** An indicator, or the dashboard's `indicator` variable. */
  indicator: Indicator | 'variable';
  order: 'desc' | 'asc';
  limit?: number;
}

/** Counts by category (the indicators), one series per query, joined on `code`. */
export interface BarsPanel extends PanelBase {
  kind: 'bars';
  categories: Indicator[];
  series: SeriesSpec[];
}

/** A sequence of counts, each a step of the process. */
export interface FunnelPanel extends PanelBase {
  kind: 'funnel';
  steps: Indicator[];
}

export interface TableColumn {
  alias: string;
  label: Label;
  format: 'text' | 'count' | 'percent';
}

export interface TablePanel extends PanelBase {
  kind: 'table';
  columns: TableColumn[];
  /** The order rows first appear in (compliance: the worst first). */
  sort?: { alias: string; desc: boolean };
}

export type PanelSpec = StatPanel | FiguresPanel | TrendPanel | RankingPanel | BarsPanel | FunnelPanel | TablePanel;

export interface RowSpec {
  title: Label;
  panels: PanelSpec[];
}

export interface DashboardSpec {
  uid: string;
  title: Label;
  description: Label;
  variables: VariableSpec[];
  rows: RowSpec[];
  /** Campaign annotations on the time series. */
  annotations: boolean;
}

// Panel builders: sizes and queries follow from the catalogue entry.

function stat(i: Indicator, w = 4): StatPanel {
  return {
    kind: 'stat',
    id: `stat-${i.code}`,
    indicator: i,
    w,
    h: 5,
    title: indicatorLabel(i),
    description: label(
      `${i.nameVi} năm đã ` +
        `chọn${i.kind === 'ratio' ? `; ${targetLabel(i)!.vi.toLowerCase()} (${i.target.source})` : ` (${i.unit})`}; ` +
        `so với năm trước.`,
      `${i.nameEn} in the chosen ` +
        `year${i.kind === 'ratio' ? `; ${targetLabel(i)!.en.toLowerCase()} (${i.target.source})` : ` (${i.unit})`}; ` +
        `change on the year before.`,
    ),
    queries: [queries.kpi(i.code)],
  };
}

function trend(i: Indicator, w = 12): TrendPanel {
  return {
    kind: 'trend',
    id: `trend-${i.code}`,
    indicator: i,
    w,
    h: 8,
    title: label(`${i.nameVi} theo thời gian`, `${i.nameEn} over time`),
    series: [{ alias: 'value', label: indicatorLabel(i) }],
    queries: [queries.trend(i.code)],
  };
}

/**
 * A ranking's title, naming the level it lists ("5 tỉnh, thành phố cao nhất", "xếp hạng xã, phường"); without an
 * indicator, the dashboard's chosen one. The page titles its rankings again by the level of the rows it shows.
 */
export function rankingTitle(
  i: Indicator | null,
  order: 'desc' | 'asc',
  limit: number | undefined,
  scope: Label,
): Label {
  const [vi, en] = i ? [`${i.nameVi}: `, `${i.nameEn}: `] : ['', ''];
  if (limit === undefined)
    return i
      ? label(`${vi}xếp hạng ${scope.vi}`, `${en}${scope.en} ranked`)
      : label(`Xếp hạng ${scope.vi} theo chỉ tiêu đã chọn`, `${scope.en} ranked by the chosen indicator`);
  return order === 'desc'
    ? label(`${vi}${limit} ${scope.vi} cao nhất`, `${en}top ${limit} ${scope.en}`)
    : label(`${vi}${limit} ${scope.vi} thấp nhất`, `${en}bottom ${limit} ${scope.en}`);
}

/** What the units of a level are called, by list (`2025-03:…` refs are of the old list). */
export function levelScope(level: string, ref: string): Label | null {
  const old = ref.startsWith('2025-03:');
  switch (level) {
    case 'PROVINCE':
      return PROVINCES;
    case 'DISTRICT':
      return label('huyện, thị xã, thành phố', 'districts');
    case 'WARD':
      return old ? label('xã, phường, thị trấn', 'wards') : label('xã, phường', 'communes');
    default:
      return null;
  }
}

function ranking(i: Indicator, order: 'desc' | 'asc', limit: number | undefined, scope: Label, w = 6): RankingPanel {
  const title = rankingTitle(i, order, limit, scope);
  return {
    kind: 'ranking',
    id: `${limit === undefined ? 'rank' : order === 'desc' ? 'top' : 'bottom'}-${i.code}`,
    indicator: i,
    order,
    limit,
    w,
    h: 9,
    title,
    queries: [queries.breakdown(i.code)],
  };
}

const HEADLINE = [
  'victims_returned',
  'outreach_participants',
  'tipoff_resolution_rate',
  'case_clearance_rate',
  'indictment_rate',
  'trial_rate',
].map(indicator);
const HEADLINE_TRENDS = [
  'victims_returned',
  'outreach_participants',
  'case_clearance_rate',
  'tipoff_resolution_rate',
].map(indicator);
const VICTIMS = [
  'victims_identified',
  'victims_rescued',
  'victims_returned',
  'victims_supported',
  'victims_legal_aid',
].map(indicator);
const OUTREACH = [
  'outreach_sessions',
  'outreach_participants',
  'leaflets_distributed',
  'media_items',
  'trainings_held',
  'training_participants',
].map(indicator);
const MODEL = ['model_coverage_rate', 'wards_with_model', 'community_models_active'].map(indicator);
const TIPOFF_FUNNEL = ['tipoffs_received', 'tipoffs_classified', 'tipoffs_resolved'].map(indicator);
const CASE_FUNNEL = ['cases_initiated', 'cases_solved', 'cases_indicted', 'cases_tried'].map(indicator);
const CASE_RATES = [
  'tipoff_classification_rate',
  'tipoff_resolution_rate',
  'case_clearance_rate',
  'indictment_rate',
  'trial_rate',
].map(indicator);

const PROVINCES = label('tỉnh, thành phố', 'provinces');
const UNDER_UNIT = label('đơn vị trực thuộc', 'units below');

function headlineRow(): RowSpec {
  return {
    title: label('Chỉ tiêu chính trong năm', 'Headline indicators for the year'),
    panels: HEADLINE.map((i) => stat(i)),
  };
}

function trendsRow(): RowSpec {
  return {
    title: label(
      'Xu hướng từ 2019 đến nay, qua cải cách 1/7/2025',
      'Trends from 2019 to today, across the 1 July 2025 reform',
    ),
    panels: HEADLINE_TRENDS.map((i) => trend(i)),
  };
}

function bySeries(
  i: Indicator,
  id: string,
  title: Label,
  parts: { d: Disaggregation; alias: string; label: Label }[],
): TrendPanel {
  return {
    kind: 'trend',
    id,
    indicator: i,
    w: 12,
    h: 8,
    title,
    series: parts.map((p) => ({ alias: p.alias, label: p.label })),
    queries: parts.map((p, n) => queries.trend(i.code, p.alias, p.d, String.fromCharCode(65 + n))),
  };
}

const SEX = [
  { d: { sex: 'female' as const }, alias: 'female', label: label('Nữ', 'Female') },
  { d: { sex: 'male' as const }, alias: 'male', label: label('Nam', 'Male') },
];
const AGE = [
  { d: { ageGroup: 'child' as const }, alias: 'child', label: label('Trẻ em (dưới 16 tuổi)', 'Children (under 16)') },
  { d: { ageGroup: 'adult' as const }, alias: 'adult', label: label('Người lớn (từ 16 tuổi)', 'Adults (16 and over)') },
];

function bars(
  id: string,
  title: Label,
  categories: Indicator[],
  parts: { d: Disaggregation; alias: string; label: Label }[],
): BarsPanel {
  return {
    kind: 'bars',
    id,
    title,
    categories,
    w: 12,
    h: 9,
    series: parts.map((p) => ({ alias: p.alias, label: p.label })),
    queries: parts.map((p, n) =>
      queries.kpis(
        categories.map((c) => c.code),
        p.alias,
        p.d,
        String.fromCharCode(65 + n),
        n === 0,
      ),
    ),
  };
}

function funnel(id: string, title: Label, steps: Indicator[]): FunnelPanel {
  return { kind: 'funnel', id, title, steps, w: 12, h: 8, queries: [queries.kpis(steps.map((s) => s.code))] };
}

const COMPLIANCE_COLUMNS: TableColumn[] = [
  { alias: 'name', label: label('Đơn vị', 'Unit'), format: 'text' },
  { alias: 'expected', label: label('Phải báo cáo', 'Expected'), format: 'count' },
  { alias: 'received', label: label('Đã nhận', 'Received'), format: 'count' },
  { alias: 'onTime', label: label('Đúng hạn', 'On time'), format: 'count' },
  { alias: 'late', label: label('Muộn', 'Late'), format: 'count' },
  { alias: 'missing', label: label('Chưa báo cáo', 'Missing'), format: 'count' },
  { alias: 'completeness', label: label('Tỷ lệ đầy đủ', 'Completeness'), format: 'percent' },
  { alias: 'timeliness', label: label('Tỷ lệ đúng hạn', 'Timeliness'), format: 'percent' },
];

// ---------------------------------------------------------------------------------------------------------------
// The six dashboards.

export const DASHBOARDS: readonly DashboardSpec[] = [
  {
    uid: 'pcmbn-overview',
    title: label('Tổng quan', 'National overview'),
    description: label(
      'Chỉ tiêu chính của Chương trình phòng, chống mua bán người trên toàn quốc: năm đã chọn so với năm trước, xu ' +
        'hướng và xếp hạng tỉnh, thành phố.',
      'Headline indicators of the anti-trafficking programme nationwide: the chosen year against the year before, ' +
        'trends, and province rankings.',
    ),
    variables: [unitVariable('nation'), variables.year(), variables.granularity('MONTH')],
    annotations: true,
    rows: [
      headlineRow(),
      trendsRow(),
      {
        title: label('Xếp hạng tỉnh, thành phố trong năm', 'Province rankings for the year'),
        panels: [
          ranking(indicator('case_clearance_rate'), 'desc', 5, PROVINCES),
          ranking(indicator('case_clearance_rate'), 'asc', 5, PROVINCES),
          ranking(indicator('outreach_participants'), 'desc', 5, PROVINCES),
          ranking(indicator('outreach_participants'), 'asc', 5, PROVINCES),
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-province',
    title: label('Tỉnh, thành phố', 'Province'),
    description: label(
      'Một tỉnh, thành phố (danh mục từ 1/7/2025): chỉ tiêu chính, xu hướng nối qua cải cách, xếp hạng xã, phường. ' +
        'Tỉnh cũ trước cải cách: chọn ở ô Đơn vị (danh mục cũ).',
      'One province (the list from 1 July 2025): headline indicators, trends across the reform, communes ranked. An ' +
        'old province before the reform: pick it in the Unit box (old list).',
    ),
    variables: [
      unitVariable('province'),
      variables.year(),
      variables.granularity('MONTH'),
      variables.indicator('outreach_participants'),
      variables.old(),
      variables.oldYear(),
    ],
    annotations: true,
    rows: [
      headlineRow(),
      trendsRow(),
      {
        title: label('Xã, phường trong năm, danh mục hiện hành', "Communes in the year, today's list"),
        panels: [
          {
            kind: 'ranking',
            id: 'communes',
            indicator: 'variable',
            order: 'desc',
            w: 24,
            h: 12,
            title: rankingTitle(null, 'desc', undefined, label('xã, phường', 'communes')),
            queries: [queries.breakdown(V.indicator)],
          },
        ],
      },
      {
        title: label('Trước cải cách 1/7/2025: tỉnh cũ', 'Before the 1 July 2025 reform: the old province'),
        panels: [
          {
            kind: 'ranking',
            id: 'old-districts',
            indicator: 'variable',
            order: 'desc',
            w: 12,
            h: 12,
            grafanaOnly: true,
            title: label('Huyện, thị xã, thành phố của tỉnh cũ', 'Districts of the old province'),
            queries: [queries.breakdown(V.indicator, { unit: V.old, period: V.oldYear, level: 'DISTRICT' })],
          },
          {
            kind: 'ranking',
            id: 'old-wards',
            indicator: 'variable',
            order: 'desc',
            w: 12,
            h: 12,
            grafanaOnly: true,
            title: label('Xã, phường, thị trấn của tỉnh cũ', 'Wards of the old province'),
            queries: [queries.breakdown(V.indicator, { unit: V.old, period: V.oldYear, level: 'WARD' })],
          },
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-victims',
    title: label('Nạn nhân', 'Victims'),
    description: label(
      'Nạn nhân được xác minh, giải cứu, tiếp nhận, hỗ trợ và trợ giúp pháp lý, theo giới tính và độ tuổi; tỷ lệ hỗ ' +
        'trợ so với mục tiêu. Số nhỏ được ẩn để bảo vệ nạn nhân.',
      'Victims identified, rescued, returned, supported and given legal aid, by sex and age; the support rate ' +
        'against its target. Small numbers are withheld to protect victims.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('YEAR')],
    annotations: true,
    rows: [
      {
        title: label('Nạn nhân trong năm', 'Victims in the year'),
        panels: [...VICTIMS.map((i) => stat(i)), stat(indicator('victim_support_rate'))],
      },
      {
        title: label('Theo giới tính và độ tuổi', 'By sex and age'),
        panels: [
          bars('by-sex', label('Nạn nhân theo giới tính', 'Victims by sex'), VICTIMS, SEX),
          bars('by-age', label('Nạn nhân theo độ tuổi', 'Victims by age group'), VICTIMS, AGE),
        ],
      },
      {
        title: label('Xu hướng', 'Trends'),
        panels: [
          bySeries(
            indicator('victims_returned'),
            'returned-by-sex',
            label('Nạn nhân trở về theo giới tính', 'Victims returned by sex'),
            SEX,
          ),
          trend(indicator('victim_support_rate')),
        ],
      },
    ],
  },
  {
    uid: 'pcmbn-outreach',
    title: label('Truyền thông', 'Outreach'),
    description: label(
      'Tuyên truyền, tập huấn và mô hình "03 không, 03 có" ở cơ sở.',
      'Outreach sessions, participants, leaflets, media items and trainings, and the "03 không, 03 có" community ' +
        'model.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('MONTH')],
    annotations: true,
    rows: [
      {
        title: label('Tuyên truyền, tập huấn trong năm', 'Outreach and training in the year'),
        panels: OUTREACH.map((i) => stat(i)),
      },
      {
        title: label('Mô hình "03 không, 03 có"', 'The "03 không, 03 có" model'),
        panels: [...MODEL.map((i) => stat(i, 6)), ranking(indicator('model_coverage_rate'), 'asc', 10, UNDER_UNIT)],
      },
      {
        title: label('Xu hướng', 'Trends'),
        panels: [trend(indicator('outreach_sessions')), trend(indicator('outreach_participants'))],
      },
    ],
  },
  {
    uid: 'pcmbn-cases',
    title: label('Điều tra, truy tố, xét xử', 'Case resolution'),
    description: label(
      'Từ tố giác, tin báo đến xét xử: tiếp nhận → phân loại → giải quyết, khởi tố → điều tra, khám phá → truy tố → ' +
        'xét xử; mỗi tỷ lệ so với mục tiêu.',
      'From tip-offs to trials: received → classified → resolved, and cases initiated → solved → indicted → tried; ' +
        'each rate against its target.',
    ),
    variables: [unitVariable('provinceOrNation'), variables.year(), variables.granularity('QUARTER')],
    annotations: true,
    rows: [
      {
        title: label('Các bước trong năm', 'The steps in the year'),
        panels: [
          funnel('tipoff-funnel', label('Tố giác, tin báo, kiến nghị khởi tố', 'Tip-offs'), TIPOFF_FUNNEL),
          funnel('case-funnel', label('Vụ án mua bán người', 'Trafficking cases'), CASE_FUNNEL),
        ],
      },
      {
        title: label('Tỷ lệ so với mục tiêu', 'Rates against their targets'),
        panels: CASE_RATES.map((i) => stat(i, i === CASE_RATES[0] ? 8 : 4)),
      },
      {
        title: label('Tỷ lệ theo thời gian', 'Rates over time'),
        panels: CASE_RATES.map((i, n) => trend(i, n < 3 ? 8 : 12)),
      },
    ],
  },
  {
    uid: 'pcmbn-compliance',
    title: label('Chấp hành chế độ báo cáo', 'Reporting compliance'),
    description: label(
      'Báo cáo định kỳ phải nộp, đã nhận đúng hạn, muộn hoặc chưa nộp (KH 04/KH-BCĐ: báo cáo tháng trước ngày 12 ' +
        'tháng sau).',
      'Periodic reports expected, received on time, late or missing (plan 04/KH-BCĐ: a monthly report before the ' +
        '12th of the next month).',
    ),
    variables: [unitVariable('provinceOrNation'), variables.month()],
    annotations: false,
    rows: [
      {
        title: label('Tổng hợp', 'Summary'),
        panels: [
          {
            kind: 'figures',
            id: 'summary',
            w: 24,
            h: 5,
            title: label('Chấp hành chế độ báo cáo tháng', 'Monthly reporting compliance'),
            figures: [
              { alias: 'completeness', label: label('Tỷ lệ đầy đủ', 'Completeness'), format: 'percent' },
              { alias: 'timeliness', label: label('Tỷ lệ đúng hạn', 'Timeliness'), format: 'percent' },
              { alias: 'expected', label: label('Phải báo cáo', 'Expected'), format: 'count' },
              { alias: 'received', label: label('Đã nhận', 'Received'), format: 'count' },
              { alias: 'late', label: label('Nộp muộn', 'Late'), format: 'count' },
              { alias: 'dueDate', label: label('Tính là muộn từ ngày', 'Late from'), format: 'date' },
            ],
            queries: [queries.compliance()],
          },
        ],
      },
      {
        title: label('Theo đơn vị', 'By unit'),
        panels: [
          {
            kind: 'table',
            id: 'by-unit',
            w: 14,
            h: 14,
            title: label('Tỷ lệ đầy đủ, đúng hạn theo đơn vị', 'Completeness and timeliness by unit'),
            columns: COMPLIANCE_COLUMNS,
            sort: { alias: 'completeness', desc: false },
            queries: [queries.complianceByUnit()],
          },
          {
            kind: 'table',
            id: 'missing',
            w: 10,
            h: 14,
            title: label('Đơn vị chưa báo cáo', 'Missing reports'),
            description: label(
              'Đơn vị phải báo cáo mà chưa nộp khi đã đến hạn.',
              'Units expected to report that had not reported by the due date.',
            ),
            columns: [
              { alias: 'name', label: label('Đơn vị', 'Unit'), format: 'text' },
              { alias: 'parent', label: label('Trực thuộc', 'Under'), format: 'text' },
              { alias: 'ref', label: label('Mã', 'Code'), format: 'text' },
            ],
            queries: [queries.missingReports()],
          },
        ],
      },
    ],
  },
];

export const CAMPAIGNS = queries.campaigns();

export function findDashboard(uid: string): DashboardSpec | undefined {
  return DASHBOARDS.find((d) => d.uid === uid);
}

export function allPanels(d: DashboardSpec): PanelSpec[] {
  return d.rows.flatMap((r) => r.panels);
}

// ---------------------------------------------------------------------------------------------------------------
// Running a query the way Grafana and Infinity do: interpolate variables, then pick typed rows.

export interface TimeRange {
  /** YYYY-MM-DD */
  from: string;
  to: string;
}

export class InterpolationError extends Error {}

/** A day's first and last instants in Vietnam (UTC+7, no daylight saving), in epoch milliseconds. */
const vietnamMidnight = (day: string) => Date.parse(`${day}T00:00:00+07:00`);

/**
 * Grafana's and Infinity's interpolation for what the queries use: `$name`, `${name}` and `${name:json}` (the
 * value as a JSON string, for GraphQL variables), and Infinity's `${__timeFrom}` / `${__timeTo}` (the time range
 * in epoch milliseconds: the first instant of `from`'s day and the last of `to`'s, in Vietnam). Other names (the
 * GraphQL variables of a query text) are left as they are, as Grafana leaves them; a dashboard variable without a
 * value is an error, not an empty string.
 */
export function interpolate(text: string, values: Partial<Record<VariableName, string>>, range: TimeRange): string {
  return text
    .replace(/\$\{__time(From|To)\}/g, (_, which: 'From' | 'To') =>
      String(which === 'From' ? vietnamMidnight(range.from) : vietnamMidnight(range.to) + 86_400_000 - 1),
    )
    .replace(
      /\$\{(\w+)(?::(json))?\}|\$(\w+)/g,
      (m, a: string | undefined, json: string | undefined, b: string | undefined) => {
        const name = (a ?? b) as VariableName;
        if (!VARIABLE_NAMES.includes(name)) return m;
        const v = values[name];
        if (v === undefined) throw new InterpolationError(`no value for the variable ${m}`);
        return json ? JSON.stringify(v) : v;
      },
    );
}

export type Cell = string | number | Date | null;
export type Row = Record<string, Cell>;

/** A GJSON-style dot path (`data.kpis`, `unit.fullName`); undefined when a step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let v: unknown = value;
  for (const step of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[step];
  }
  return v;
}

/** Go's `2006-01-02` layout, the only one we use; other strings parse as ISO dates. */
function parseTime(text: string, layout?: string): Date | null {
  if (layout === '2006-01-02') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
    return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  }
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}

/** A cell converted the way Infinity's backend parser converts it (gframer): anything else becomes null. */
export function convert(raw: unknown, c: Column): Cell {
  switch (c.type) {
    case 'string':
      return typeof raw === 'string' ? raw : typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : null;
    case 'number':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'string' && raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
      return null;
    case 'timestamp':
      return typeof raw === 'string' && raw !== '' ? parseTime(raw, c.timestampFormat) : null;
    case 'timestamp_epoch':
      return typeof raw === 'number'
        ? new Date(raw)
        : typeof raw === 'string' && /^\d+$/.test(raw)
          ? new Date(Number(raw))
          : null;
  }
}

/** The rows under `root` (an object is one row), each reduced to the query's columns. */
export function rawRows(response: unknown, root: string): unknown[] {
  const r = root ? getPath(response, root) : response;
  if (Array.isArray(r)) return r;
  if (r !== null && typeof r === 'object') return [r];
  return [];
}

export function frame(response: unknown, query: QuerySpec): Row[] {
  return rawRows(response, query.root).map((raw) =>
    Object.fromEntries(query.columns.map((c) => [c.alias, convert(getPath(raw, c.selector), c)])),
  );
}

/** Outer join of several frames on a key column, in the order keys first appear (Grafana's joinByField). */
export function joinRows(frames: Row[][], key: string): Row[] {
  const out = new Map<string, Row>();
  for (const f of frames) {
    for (const row of f) {
      const k = String(row[key] instanceof Date ? (row[key] as Date).getTime() : row[key]);
      out.set(k, { ...out.get(k), ...row });
    }
  }
  return [...out.values()];
}
