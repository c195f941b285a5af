/**
 * Charts of the built-in page: Apache ECharts (only the parts used, bundled into the page at build time, drawn
 * as SVG). Each function draws into an element and returns how many data points it drew.
 */
import { BarChart, LineChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  MarkLineComponent,
  TooltipComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([
  LineChart,
  BarChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  MarkAreaComponent,
  MarkLineComponent,
  SVGRenderer,
]);

export const COLORS = {
  series: ['#1f6fb2', '#d9480f', '#7048e8', '#0c8599', '#5c940d'],
  good: '#2b8a3e',
  bad: '#c92a2a',
  neutral: '#1f6fb2',
  muted: '#868e96',
  peak: 'rgba(247, 103, 7, 0.10)',
  day: '#f76707',
};

export interface Campaign {
  kind: string;
  title: string;
  start: Date;
  end: Date;
}

export interface LineSeries {
  name: string;
  points: [Date, number | null][];
  /** The target line of a ratio. */
  target?: boolean;
}

const observed = new WeakMap<HTMLElement, ResizeObserver>();

function chartIn(el: HTMLElement): echarts.ECharts {
  echarts.getInstanceByDom(el)?.dispose();
  const chart = echarts.init(el, undefined, { renderer: 'svg' });
  if (!observed.has(el) && typeof ResizeObserver !== 'undefined') {
    const ro = new ResizeObserver(() => echarts.getInstanceByDom(el)?.resize());
    ro.observe(el);
    observed.set(el, ro);
  }
  return chart;
}

export function disposeChart(el: HTMLElement): void {
  echarts.getInstanceByDom(el)?.dispose();
}

/** The page's font stack: ECharts measures text with it, so it must name real fonts (not "inherit"). */
export const FONT_FAMILY =
  'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", Arial, sans-serif';
const FONT = { fontFamily: FONT_FAMILY, color: '#495057' };

export function lineChart(
  el: HTMLElement,
  o: {
    series: LineSeries[];
    format: (v: number) => string;
    campaigns: Campaign[];
    lang: 'vi' | 'en';
    integer: boolean;
  },
): number {
  const chart = chartIn(el);
  const monthName = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });
  const tick = (v: number) => {
    const d = new Date(v);
    const [y, m] = [d.getUTCFullYear(), d.getUTCMonth()];
    if (m === 0) return String(y);
    return o.lang === 'vi' ? `T${m + 1}/${y}` : `${monthName.format(d)} ${y}`;
  };
  let drawn = 0;
  let colorIndex = 0;
  const series = o.series.map((s, n) => {
    const data = s.points.map(([t, v]) => [t.getTime(), v]);
    if (!s.target) drawn += s.points.filter(([, v]) => v !== null).length;
    const color = s.target ? COLORS.good : COLORS.series[colorIndex++ % COLORS.series.length];
    return {
      type: 'line' as const,
      name: s.name,
      data,
      connectNulls: false,
      showSymbol: !s.target && s.points.length <= 48,
      symbolSize: 5,
      lineStyle: { width: s.target ? 1.5 : 2, type: s.target ? ('dashed' as const) : ('solid' as const), color },
      itemStyle: { color },
      z: s.target ? 1 : 2,
      ...(n === 0 && o.campaigns.length
        ? {
            markArea: {
              silent: true,
              itemStyle: { color: COLORS.peak },
              data: o.campaigns
                .filter((c) => c.kind === 'PEAK')
                .map((c) => [{ xAxis: c.start.getTime(), name: '' }, { xAxis: c.end.getTime() }]),
            },
            markLine: {
              silent: true,
              symbol: 'none',
              label: { show: false },
              lineStyle: { color: COLORS.day, type: 'dotted' as const, width: 1 },
              data: o.campaigns.filter((c) => c.kind === 'NATIONAL_DAY').map((c) => ({ xAxis: c.start.getTime() })),
            },
          }
        : {}),
    };
  });
  chart.setOption({
    animation: false,
    // Periods start at UTC midnight: ticks and labels in UTC too, whatever the browser's time zone.
    useUTC: true,
    textStyle: FONT,
    grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
    legend: { top: 0, left: 0, itemWidth: 16, itemHeight: 8, textStyle: { fontSize: 11 } },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? o.format(v) : '—'),
    },
    xAxis: {
      type: 'time',
      axisLabel: { fontSize: 11, hideOverlap: true, formatter: tick },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      min: 0,
      minInterval: o.integer ? 1 : 0,
      axisLabel: { fontSize: 11, formatter: (v: number) => o.format(v) },
      splitLine: { lineStyle: { color: '#eef0f2' } },
    },
    series,
  });
  return drawn;
}

export interface BarSeries {
  name: string;
  values: (number | null)[];
  /** One colour per bar (status against a target), or the series colour. */
  colors?: string[];
}

export function barChart(
  el: HTMLElement,
  o: {
    categories: string[];
    series: BarSeries[];
    format: (v: number) => string;
    onClick?: (index: number) => void;
    /** Labels beside the bars (e.g. "82 % of the first step"). */
    labels?: string[];
    labelWidth?: number;
    /** Counts: axis ticks at whole numbers. */
    integer?: boolean;
    /** Said in place of a bar that has no value ("chưa báo cáo", "ẩn"), by category. */
    notes?: (string | null)[];
  },
): number {
  const chart = chartIn(el);
  const many = o.series.length > 1;
  chart.setOption({
    animation: false,
    textStyle: FONT,
    grid: { left: 8, right: o.labels ? 96 : 56, top: many ? 28 : 8, bottom: 8, containLabel: true },
    legend: many ? { top: 0, left: 0, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } } : undefined,
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: unknown, i: number) =>
        o.notes?.[i] ? o.notes[i] : typeof v === 'number' ? o.format(v) : '—',
    },
    xAxis: {
      type: 'value',
      min: 0,
      minInterval: o.integer ? 1 : 0,
      // Only notes and no figures: no scale to read.
      axisLabel: {
        show: o.series.some((s) => s.values.some((v) => v !== null)),
        fontSize: 10,
        formatter: (v: number) => o.format(v),
        hideOverlap: true,
      },
      splitLine: { lineStyle: { color: '#eef0f2' } },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: o.categories,
      axisTick: { show: false },
      axisLabel: { fontSize: 11, width: o.labelWidth ?? 150, overflow: 'truncate' },
      triggerEvent: Boolean(o.onClick),
    },
    series: o.series.map((s, n) => ({
      type: 'bar',
      name: s.name,
      barMaxWidth: 18,
      itemStyle: { color: COLORS.series[n % COLORS.series.length] },
      // A bar without a value is drawn at 0 so that its note can stand where the bar would be.
      data: s.values.map((v, i) =>
        v === null && o.notes?.[i]
          ? { value: 0, label: { formatter: o.notes[i]!, color: COLORS.muted, fontStyle: 'italic' as const } }
          : { value: v, itemStyle: { color: s.colors?.[i] ?? COLORS.series[n % COLORS.series.length] } },
      ),
      label: {
        show: true,
        position: 'right',
        fontSize: 10,
        color: '#495057',
        formatter: (p: { value: unknown; dataIndex: number }) =>
          typeof p.value === 'number'
            ? o.format(p.value) + (o.labels?.[p.dataIndex] ? ` (${o.labels[p.dataIndex]})` : '')
            : '—',
      },
      cursor: o.onClick ? 'pointer' : 'default',
    })),
  });
  if (o.onClick) {
    chart.on('click', (p: { dataIndex?: number; componentType?: string; value?: unknown }) => {
      const index = p.componentType === 'yAxis' ? o.categories.indexOf(String(p.value)) : p.dataIndex;
      if (index !== undefined && index >= 0) o.onClick!(index);
    });
  }
  return o.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
}
