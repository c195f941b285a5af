/**
 * The panels: what each kind shows, and the builders that make one from a catalogue entry (sizes, titles and
 * queries follow from the entry).
 */
import type { Indicator } from '../../schema/catalogue.ts';
import type { QuerySpec } from './infinity.ts';
import { indicatorLabel, label, type Label, targetLabel } from './labels.ts';
import { type Disaggregation, queries } from './queries.ts';
import type { VariableSpec } from './variables.ts';

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

export function stat(i: Indicator, w = 4): StatPanel {
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

export function trend(i: Indicator, w = 12): TrendPanel {
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

export function ranking(
  i: Indicator,
  order: 'desc' | 'asc',
  limit: number | undefined,
  scope: Label,
  w = 6,
): RankingPanel {
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

export const PROVINCES = label('tỉnh, thành phố', 'provinces');
export const UNDER_UNIT = label('đơn vị trực thuộc', 'units below');

export function bySeries(
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

export const SEX = [
  { d: { sex: 'female' as const }, alias: 'female', label: label('Nữ', 'Female') },
  { d: { sex: 'male' as const }, alias: 'male', label: label('Nam', 'Male') },
];
export const AGE = [
  { d: { ageGroup: 'child' as const }, alias: 'child', label: label('Trẻ em (dưới 16 tuổi)', 'Children (under 16)') },
  { d: { ageGroup: 'adult' as const }, alias: 'adult', label: label('Người lớn (từ 16 tuổi)', 'Adults (16 and over)') },
];

export function bars(
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

export function funnel(id: string, title: Label, steps: Indicator[]): FunnelPanel {
  return { kind: 'funnel', id, title, steps, w: 12, h: 8, queries: [queries.kpis(steps.map((s) => s.code))] };
}

/** The reporting-compliance figures' labels and formats: one home for the summary's figures and the table's columns. */
const COMPLIANCE = {
  expected: { label: label('Phải báo cáo', 'Expected'), format: 'count' },
  received: { label: label('Đã nhận', 'Received'), format: 'count' },
  onTime: { label: label('Đúng hạn', 'On time'), format: 'count' },
  late: { label: label('Nộp muộn', 'Late'), format: 'count' },
  missing: { label: label('Chưa báo cáo', 'Missing'), format: 'count' },
  completeness: { label: label('Tỷ lệ đầy đủ', 'Completeness'), format: 'percent' },
  timeliness: { label: label('Tỷ lệ đúng hạn', 'Timeliness'), format: 'percent' },
} as const;
type ComplianceFigure = keyof typeof COMPLIANCE;

/** The summary's figures, in the order given, and the day from which a report counts as late. */
export function complianceFigures(aliases: readonly ComplianceFigure[]): FigureSpec[] {
  return [
    ...aliases.map((alias) => ({ alias, ...COMPLIANCE[alias] })),
    { alias: 'dueDate', label: label('Tính là muộn từ ngày', 'Late from'), format: 'date' },
  ];
}

/** The table's columns: the unit, then the figures in the order given. */
export function complianceColumns(aliases: readonly ComplianceFigure[]): TableColumn[] {
  return [
    { alias: 'name', label: label('Đơn vị', 'Unit'), format: 'text' },
    ...aliases.map((alias) => ({ alias, ...COMPLIANCE[alias] })),
  ];
}
