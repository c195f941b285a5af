/**
 * The built-in dashboard page (served at `/` by the API server): the dashboards of `dashboards/spec.ts`, for
 * people without Grafana. Same panels, same GraphQL queries, same root selectors and columns as the Grafana
 * dashboards; the page fills the variables from its pickers (unit, year, month, granularity, indicator).
 * Vietnamese first, with an English switch. No framework: a few hundred lines of DOM code and ECharts.
 */
import './style.css';
import { findIndicator } from '../../schema/catalogue.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import {
  allPanels,
  type BarsPanel,
  CAMPAIGNS,
  DASHBOARDS,
  type DashboardSpec,
  type FiguresPanel,
  frame,
  type FunnelPanel,
  GRANULARITIES,
  HISTORY_START,
  indicatorLabel,
  interpolate,
  levelScope,
  rankingTitle,
  joinRows,
  type Label,
  type Lang,
  pick,
  type PanelSpec,
  type QuerySpec,
  type RankingPanel,
  type Row,
  type StatPanel,
  type TablePanel,
  targetLabel,
  type TimeRange,
  type TrendPanel,
  type VariableName,
  variables,
  withheldAlias,
} from '../spec.ts';
import { ApiError, forgetKey, graphql, hasKey, loadAuth, setKey } from './api.ts';
import { barChart, type Campaign, COLORS, disposeChart, lineChart } from './charts.ts';
import { addDownloads } from './downloads.ts';
import { T, UNIT_EN } from './i18n.ts';

// ---------------------------------------------------------------------------------------------------------------
// State, kept in the address (shareable links) and, for the language, in localStorage.

interface State {
  dashboard: string;
  unit: string;
  year: string;
  month: string;
  granularity: string;
  indicator: string;
  lang: Lang;
}

const params = new URLSearchParams(location.search);
const state: State = {
  dashboard: params.get('d') ?? DASHBOARDS[0].uid,
  unit: params.get('unit') ?? '',
  year: params.get('year') ?? '',
  month: params.get('month') ?? '',
  granularity: params.get('g') ?? '',
  indicator: params.get('indicator') ?? '',
  lang: (params.get('lang') ?? localStorage.getItem('pcmbn.lang') ?? 'vi') === 'en' ? 'en' : 'vi',
};

function saveState(): void {
  const p = new URLSearchParams();
  p.set('d', state.dashboard);
  p.set('unit', state.unit);
  if (state.year) p.set('year', state.year);
  if (state.month) p.set('month', state.month);
  if (state.granularity) p.set('g', state.granularity);
  if (state.indicator) p.set('indicator', state.indicator);
  if (state.lang === 'en') p.set('lang', 'en');
  history.replaceState(null, '', `${location.pathname}?${p}`);
  localStorage.setItem('pcmbn.lang', state.lang);
}

const t = (l: Label) => pick(l, state.lang);
const locale = () => (state.lang === 'vi' ? 'vi-VN' : 'en-GB');
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
const range = (): TimeRange => ({ from: HISTORY_START, to: today() });

function current(): DashboardSpec {
  return DASHBOARDS.find((d) => d.uid === state.dashboard) ?? DASHBOARDS[0];
}

function values(d: DashboardSpec): Partial<Record<VariableName, string>> {
  const g = d.variables.find((v) => v.name === 'granularity');
  const i = d.variables.find((v) => v.name === 'indicator');
  return {
    unit: state.unit,
    year: state.year,
    month: state.month,
    granularity: state.granularity || coarser(g?.default ?? 'MONTH', reportedGranularity),
    indicator: state.indicator || i?.default || '',
  };
}

// ---------------------------------------------------------------------------------------------------------------
// DOM helpers.

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** replaceChildren, skipping absent children. */
function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...(children.filter((c) => c !== null && c !== undefined && c !== false) as (Node | string)[]));
}

function fmtNumber(v: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}

function fmtPercent(v: number): string {
  return `${fmtNumber(v, 1)} %`;
}

function fmtMonth(id: string): string {
  const d = new Date(Date.UTC(Number(id.slice(0, 4)), Number(id.slice(4, 6)) - 1, 1));
  return state.lang === 'vi'
    ? `Tháng ${d.getUTCMonth() + 1}/${d.getUTCFullYear()}`
    : new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

function fmtDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return state.lang === 'vi'
    ? `${Number(d)}/${Number(m)}/${y}`
    : new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${iso}T00:00:00Z`),
      );
}

// ---------------------------------------------------------------------------------------------------------------
// Running the spec's queries.

let generation = 0;
let aborter = new AbortController();
const cache = new Map<string, Promise<unknown>>();

function run(q: QuerySpec, vals: Partial<Record<VariableName, string>>): Promise<Row[]> {
  const text = interpolate(q.graphql, vals, range());
  const variables = interpolate(q.variables, vals, range());
  const key = `${text}\u0000${variables}`;
  let p = cache.get(key);
  if (!p) {
    p = graphql(text, aborter.signal, JSON.parse(variables));
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p.then((r) => frame(r, q));
}

let campaigns: Promise<Campaign[]> | null = null;
function loadCampaigns(): Promise<Campaign[]> {
  campaigns ??= run(CAMPAIGNS, {}).then((rows) =>
    rows.map((r) => ({ kind: String(r.tags), title: String(r.title), start: r.time as Date, end: r.timeEnd as Date })),
  );
  campaigns.catch(() => (campaigns = null));
  return campaigns;
}

// ---------------------------------------------------------------------------------------------------------------
// Panels.

const unitText = (i: { kind: string; unit: string }) =>
  i.kind === 'ratio' ? '%' : state.lang === 'vi' ? i.unit : (UNIT_EN[i.unit] ?? i.unit);

function statusColor(status: unknown): string {
  return status === 'MET' ? 'met' : status === 'NOT_MET' ? 'not-met' : status === 'NO_DATA' ? 'no-data' : 'neutral';
}

/** "đến tháng 10" when the year's reports stop before December (the newest year, still being reported). */
function partialYear(year: string): string | null {
  const last = months[0];
  if (!last?.startsWith(year) || last.endsWith('12')) return null;
  return t(T.upToMonth).replace('{m}', state.lang === 'vi' ? String(Number(last.slice(4))) : fmtMonth(last));
}

async function drawStat(body: HTMLElement, p: StatPanel, vals: Partial<Record<VariableName, string>>): Promise<void> {
  const [row] = await run(p.queries[0], vals);
  const i = p.indicator;
  const ratio = i.kind === 'ratio';
  const value = typeof row?.value === 'number' ? row.value : null;
  const previous = typeof row?.previousValue === 'number' ? row.previousValue : null;
  const change = typeof row?.change === 'number' ? row.change : null;
  const fmt = (v: number) => (ratio ? fmtNumber(v, 1) : fmtNumber(v));
  const tile = body.closest('.panel') as HTMLElement;
  tile.classList.add(`status-${statusColor(row?.status)}`);
  const target = targetLabel(i);
  // Part of a year against a whole one is not a change: the year before is shown, without an arrow.
  const upTo = partialYear(vals.year ?? '');
  fill(
    body,
    h(
      'div',
      { class: 'tile-value' },
      value === null ? '—' : fmt(value),
      value === null ? null : h('span', { class: 'tile-unit' }, unitText(i)),
    ),
    upTo && value !== null ? h('div', {}, h('span', { class: 'partial' }, upTo)) : null,
    value === null ? h('div', { class: 'tile-note' }, t(row?.suppressed === 'true' ? T.suppressed : T.noData)) : null,
    row?.complete === 'false' && value !== null ? h('div', { class: 'tile-note' }, t(T.incomplete)) : null,
    h(
      'div',
      { class: 'tile-line' },
      `${t(upTo ? T.wholeYearBefore : T.yearBefore)}: ${previous === null ? '—' : fmt(previous)}`,
      change === null || upTo
        ? null
        : h(
            'span',
            { class: change >= 0 ? 'up' : 'down' },
            ` ${change >= 0 ? '▲ +' : '▼ '}${fmt(change)}${ratio ? (state.lang === 'vi' ? ' điểm' : ' pts') : ''}`,
          ),
    ),
    target
      ? h(
          'div',
          { class: 'tile-target' },
          t(target),
          row?.status === 'MET' ? ` · ${t(T.met)}` : row?.status === 'NOT_MET' ? ` · ${t(T.notMet)}` : '',
        )
      : null,
  );
}

async function drawFigures(
  body: HTMLElement,
  p: FiguresPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
  const [row] = await run(p.queries[0], vals);
  body.replaceChildren(
    h(
      'div',
      { class: 'figures' },
      ...p.figures.map((f) => {
        const v = row?.[f.alias];
        const text =
          v === null || v === undefined
            ? '—'
            : f.format === 'percent'
              ? fmtPercent(v as number)
              : f.format === 'date'
                ? fmtDate(String(v))
                : fmtNumber(v as number);
        return h(
          'div',
          { class: 'figure', 'data-figure': f.alias },
          h('div', { class: 'figure-value' }, text),
          h('div', { class: 'figure-label' }, t(f.label)),
        );
      }),
    ),
  );
}

function chartBox(body: HTMLElement, height?: number): HTMLElement {
  const el = h('div', { class: 'chart', role: 'img' });
  // A chart sized by its rows keeps its height (flex would shrink it to the panel's, overlapping the labels).
  if (height) el.style.cssText = `height: ${height}px; flex: none`;
  body.replaceChildren(el);
  return el;
}

async function drawTrend(body: HTMLElement, p: TrendPanel, vals: Partial<Record<VariableName, string>>): Promise<void> {
  const [frames, camps] = await Promise.all([
    Promise.all(p.queries.map((q) => run(q, vals))),
    loadCampaigns().catch(() => []),
  ]);
  const i = p.indicator;
  const series = p.series.map((s, n) => ({
    name: t(s.label),
    points: frames[n].map(
      (r) => [r.time as Date, typeof r[s.alias] === 'number' ? (r[s.alias] as number) : null] as [Date, number | null],
    ),
  }));
  if (i.kind === 'ratio')
    series.push({
      name: t(T.target),
      points: frames[0].map((r) => [r.time as Date, r.target as number | null]),
      target: true,
    } as never);
  const el = chartBox(body);
  el.setAttribute('aria-label', t(p.title));
  const drawn = lineChart(el, {
    series,
    format: (v) => (i.kind === 'ratio' ? fmtPercent(v) : fmtNumber(v)),
    campaigns: camps,
    lang: state.lang,
    integer: i.kind !== 'ratio',
  });
  el.dataset.points = String(drawn);
  const withheld = frames.reduce((n, f) => n + f.filter((r) => r.suppressed === 'true').length, 0);
  // Nothing to draw: say why instead of an empty axis.
  if (!drawn) return nothingToDraw(body, withheld > 0);
  if (withheld) body.append(h('div', { class: 'chart-note' }, t(T.withheldPoints).replace('{n}', fmtNumber(withheld))));
  const last = months[0];
  const perPeriod = { MONTH: 1, QUARTER: 3, HALF_YEAR: 6, YEAR: 12 }[vals.granularity ?? 'MONTH'] ?? 1;
  if (last && Number(last.slice(4)) % perPeriod !== 0)
    body.append(
      h(
        'div',
        { class: 'chart-note' },
        t(T.lastPeriodPartial).replace('{month}', state.lang === 'vi' ? fmtMonth(last).toLowerCase() : fmtMonth(last)),
      ),
    );
}

/** Rankings shown whole ("xem tất cả") rather than their top and bottom. */
const expanded = new Set<PanelSpec>();
/** A ranking without a limit shows this many at each end until it is expanded. */
const ENDS = 10;

async function drawRanking(
  body: HTMLElement,
  p: RankingPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
  const chosen = p.indicator === 'variable' ? findIndicator(vals.indicator ?? '') : p.indicator;
  const i = p.indicator === 'variable' && chosen ? { label: indicatorLabel(chosen) } : null;
  const ratio = chosen?.kind === 'ratio';
  const all = await run(p.queries[0], vals);
  // Highest first; then figures withheld; then the units that sent nothing, listed rather than dropped.
  const shownValue = (r: Row) => typeof r.value === 'number';
  const ranked = [
    ...all.filter(shownValue).sort((a, b) => (b.value as number) - (a.value as number)),
    ...all.filter((r) => !shownValue(r) && r.suppressed === 'true'),
    ...all.filter((r) => !shownValue(r) && r.suppressed !== 'true'),
  ];
  const whole = expanded.has(p) || ranked.length <= (p.limit ?? 2 * ENDS);
  const rows = whole
    ? ranked
    : p.limit
      ? p.order === 'desc'
        ? ranked.slice(0, p.limit)
        : ranked.slice(-p.limit)
      : [...ranked.slice(0, ENDS), null, ...ranked.slice(-ENDS)];
  const first = all[0];
  const scope = first ? levelScope(String(first.level), String(first.ref)) : null;
  const heading = body.closest('.panel')?.querySelector('h4');
  if (scope && heading)
    heading.textContent = t(
      rankingTitle(p.indicator === 'variable' ? null : p.indicator, p.order, whole ? undefined : p.limit, scope),
    );
  if (!ranked.length) {
    body.replaceChildren(h('div', { class: 'empty' }, t(T.noData)));
    return;
  }
  const note = (r: Row | null) =>
    !r || shownValue(r) ? null : t(r.suppressed === 'true' ? T.withheldShort : T.notReported);
  const el = chartBox(body, Math.max(160, rows.length * 24 + 40));
  el.setAttribute('aria-label', `${t(p.title)}${i ? `: ${t(i.label)}` : ''}`);
  const drawn = barChart(el, {
    categories: rows.map((r) => (r ? String(r.name) : '⋯')),
    notes: rows.map(note),
    series: [
      {
        name: i ? t(i.label) : t(p.title),
        values: rows.map((r) => (r && shownValue(r) ? (r.value as number) : null)),
        colors: rows.map((r) =>
          r?.status === 'MET' ? COLORS.good : r?.status === 'NOT_MET' ? COLORS.bad : COLORS.neutral,
        ),
      },
    ],
    format: (v) => (ratio ? fmtPercent(v) : fmtNumber(v)),
    onClick: (n) => rows[n] && setUnit(String(rows[n].ref)),
  });
  el.dataset.points = String(drawn);
  el.title = t(T.drillHint);
  if (ranked.length > rows.length || expanded.has(p))
    body.append(
      h(
        'button',
        {
          type: 'button',
          class: 'see-all',
          onclick: () => {
            if (expanded.has(p)) expanded.delete(p);
            else expanded.add(p);
            void drawRanking(body, p, vals);
          },
        },
        expanded.has(p) ? t(T.seeLess) : t(T.seeAll).replace('{n}', fmtNumber(ranked.length)),
      ),
    );
}

async function drawBars(body: HTMLElement, p: BarsPanel, vals: Partial<Record<VariableName, string>>): Promise<void> {
  const rows = joinRows(await Promise.all(p.queries.map((q) => run(q, vals))), 'code');
  const byCode = new Map(rows.map((r) => [r.code, r]));
  // A count without a value is withheld or was never reported: each series says which.
  const withheld = rows.some((r) => p.series.some((s) => r[withheldAlias(s.alias)] === 'true'));
  if (!rows.some((r) => p.series.some((s) => typeof r[s.alias] === 'number'))) return nothingToDraw(body, withheld);
  const el = chartBox(body);
  el.setAttribute('aria-label', t(p.title));
  el.dataset.points = String(
    barChart(el, {
      categories: stepNames(p.categories.map((c) => t(indicatorLabel(c)))),
      labelWidth: 170,
      series: p.series.map((s) => ({
        name: t(s.label),
        values: p.categories.map((c) => {
          const v = byCode.get(c.code)?.[s.alias];
          return typeof v === 'number' ? v : null;
        }),
      })),
      format: (v) => fmtNumber(v),
      integer: true,
    }),
  );
  if (withheld) body.append(h('div', { class: 'chart-note' }, t(T.suppressed)));
}

/** Why a chart has nothing to draw: the figures are withheld, or there are none. */
function nothingToDraw(body: HTMLElement, withheld: boolean): void {
  body.querySelectorAll<HTMLElement>('.chart').forEach(disposeChart);
  body.replaceChildren(h('div', { class: 'empty' }, t(withheld ? T.suppressed : T.noData)));
}

/** Step names without the words they share: "Tiếp nhận", "Được phân loại"; "Received", "Classified". */
function stepNames(names: string[]): string[] {
  const words = names.map((n) => n.split(' '));
  let common = 0;
  while (words.every((w) => w.length > common + 1 && w[common] === words[0][common])) common++;
  return words.map((w) => {
    const rest = w.slice(common).join(' ').replace(/^,\s*/, '');
    return rest.charAt(0).toUpperCase() + rest.slice(1);
  });
}

async function drawFunnel(
  body: HTMLElement,
  p: FunnelPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
  const rows = await run(p.queries[0], vals);
  const byCode = new Map(rows.map((r) => [r.code, r.value]));
  const values = p.steps.map((s) => (typeof byCode.get(s.code) === 'number' ? (byCode.get(s.code) as number) : null));
  const first = values[0];
  const el = chartBox(body);
  el.setAttribute('aria-label', t(p.title));
  el.dataset.points = String(
    barChart(el, {
      categories: stepNames(p.steps.map((s) => t(indicatorLabel(s)))),
      series: [
        {
          name: t(p.title),
          values,
          colors: p.steps.map((_, n) => COLORS.series[0] + ['', 'dd', 'bb', '99'][Math.min(n, 3)]),
        },
      ],
      labelWidth: 170,
      labels: values.map((v, n) => (n > 0 && v !== null && first ? `${fmtNumber((v / first) * 100)} %` : '')),
      format: (v) => fmtNumber(v),
      integer: true,
    }),
  );
  body.append(h('div', { class: 'chart-note' }, `(%) ${t(T.ofFirst)}`));
}

const MAX_TABLE_ROWS = 200;
const tableSort = new Map<PanelSpec, { alias: string; desc: boolean }>();

function compareBy(s: { alias: string; desc: boolean }): (a: Row, b: Row) => number {
  return (a, b) => {
    const [x, y] = [a[s.alias], b[s.alias]];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'vi');
    return s.desc ? -c : c;
  };
}

async function drawTable(body: HTMLElement, p: TablePanel, vals: Partial<Record<VariableName, string>>): Promise<void> {
  const rows = await run(p.queries[0], vals);
  if (!rows.length) {
    body.replaceChildren(h('div', { class: 'empty' }, t(T.noData)));
    return;
  }
  const cell = (r: Row, c: TablePanel['columns'][number]) => {
    const v = r[c.alias];
    if (v === null || v === undefined) return '—';
    return c.format === 'percent' ? fmtPercent(v as number) : c.format === 'count' ? fmtNumber(v as number) : String(v);
  };
  const order = tableSort.get(p) ?? p.sort;
  const sorted = order ? [...rows].sort(compareBy(order)) : rows;
  const shown = sorted.slice(0, MAX_TABLE_ROWS);
  const sortBy = (alias: string) => () => {
    const now = order;
    tableSort.set(p, {
      alias,
      desc: now?.alias === alias ? !now.desc : p.columns.find((c) => c.alias === alias)!.format !== 'text',
    });
    void drawTable(body, p, vals);
  };
  body.replaceChildren(
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...p.columns.map((c) =>
              h(
                'th',
                {
                  class: c.format === 'text' ? '' : 'num',
                  scope: 'col',
                  'aria-sort': order?.alias === c.alias ? (order.desc ? 'descending' : 'ascending') : undefined,
                },
                h('button', { type: 'button', class: 'sort', onclick: sortBy(c.alias) }, t(c.label)),
              ),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          ...shown.map((r) =>
            h(
              'tr',
              { 'data-ref': String(r.ref ?? '') },
              ...p.columns.map((c) => {
                // data-label: the column's name beside each value when a phone stacks the rows.
                const td = h('td', { class: c.format === 'text' ? '' : 'num', 'data-label': t(c.label) }, cell(r, c));
                if (c.alias === 'name' && typeof r.ref === 'string') {
                  td.replaceChildren(
                    h(
                      'a',
                      {
                        href: '#',
                        onclick: (e: Event) => {
                          e.preventDefault();
                          setUnit(String(r.ref));
                        },
                      },
                      cell(r, c),
                    ),
                  );
                }
                return td;
              }),
            ),
          ),
        ),
      ),
      rows.length > MAX_TABLE_ROWS
        ? h('p', { class: 'more' }, t(T.moreRows).replace('{n}', fmtNumber(rows.length - MAX_TABLE_ROWS)))
        : null,
    ),
  );
}

async function drawPanel(el: HTMLElement, p: PanelSpec, d: DashboardSpec, gen: number): Promise<void> {
  const body = el.querySelector('.panel-body') as HTMLElement;
  const vals = values(d);
  el.dataset.state = 'loading';
  body.replaceChildren(h('div', { class: 'loading' }, t(T.loading)));
  try {
    switch (p.kind) {
      case 'stat':
        await drawStat(body, p, vals);
        break;
      case 'figures':
        await drawFigures(body, p, vals);
        break;
      case 'trend':
        await drawTrend(body, p, vals);
        break;
      case 'ranking':
        await drawRanking(body, p, vals);
        break;
      case 'bars':
        await drawBars(body, p, vals);
        break;
      case 'funnel':
        await drawFunnel(body, p, vals);
        break;
      case 'table':
        await drawTable(body, p, vals);
        break;
    }
    if (gen === generation) el.dataset.state = 'ready';
  } catch (e) {
    if (gen !== generation || (e as Error).name === 'AbortError') return;
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) {
      forgetKey();
      showKeyForm(true);
      return;
    }
    el.dataset.state = 'error';
    // A short message in the reader's language; the API's own text is for the server log, not for this page.
    const code = e instanceof ApiError ? (e.code ?? String(e.status)) : 'NETWORK';
    body.replaceChildren(
      h(
        'div',
        { class: 'error', 'data-code': code },
        t(code === 'TIMEOUT' ? T.timeout : T.failed),
        ' ',
        h(
          'button',
          { type: 'button', class: 'retry', onclick: () => void drawPanel(el, p, d, generation) },
          t(T.retry),
        ),
      ),
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The unit picker: today's list and the old list, searchable (names without diacritics match too).

interface UnitOption {
  ref: string;
  fullName: string;
  hierarchy: string;
  parent?: { fullName: string } | null;
}

const OLD_LIST_DAY = new Date(Date.parse(`${REFORM_DATE}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
let unitName = '';

/** The key the page runs with: its role and the unit it sees (the page opens there). */
interface Access {
  role: string;
  withholdsSmallCounts: boolean;
  unit: { ref: string; fullName: string };
}
let access: Access | null = null;

async function loadAccess(): Promise<void> {
  const r = (await graphql('{ me { role withholdsSmallCounts unit { ref fullName } } }')) as { data: { me: Access } };
  access = r.data.me;
}

const keyUnit = () => access?.unit.ref ?? 'VN';
const keyUnitName = () => (keyUnit() === 'VN' ? t(T.nation) : access!.unit.fullName);

/** Why the unit in the address cannot be shown, if it cannot. */
type UnitProblem = 'outOfScope' | 'unknown' | null;

async function loadUnitName(): Promise<UnitProblem> {
  if (state.unit === keyUnit()) {
    unitName = keyUnitName();
    return null;
  }
  let u: { ref: string; fullName: string; hierarchy: string } | null;
  try {
    const r = (await graphql(
      'query Unit($code: String!) { adminUnit(code: $code) { ref fullName hierarchy } }',
      undefined,
      { code: state.unit },
    )) as { data: { adminUnit: typeof u } };
    u = r.data.adminUnit;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'FORBIDDEN') return 'outOfScope';
    if (e instanceof ApiError && e.code === 'BAD_USER_INPUT') return 'unknown';
    throw e;
  }
  if (!u) return 'unknown';
  unitName =
    u.ref === 'VN'
      ? t(T.nation)
      : `${u.fullName}${u.hierarchy === '2025-03' ? (state.lang === 'vi' ? ' (cũ)' : ' (old)') : ''}`;
  return null;
}

function unitPicker(): HTMLElement {
  const input = h('input', {
    id: 'unit-input',
    type: 'search',
    role: 'combobox',
    'aria-expanded': 'false',
    'aria-controls': 'unit-list',
    'aria-autocomplete': 'list',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: t(T.searchUnit),
    'aria-label': t(T.unit),
  });
  input.value = unitName;
  const list = h('ul', { id: 'unit-list', role: 'listbox', class: 'unit-list', hidden: true });
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const options = () => [...list.querySelectorAll<HTMLElement>('[role=option]')];
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  };
  const choose = (ref: string) => {
    close();
    setUnit(ref);
  };
  const mark = (n: number) => {
    const opts = options();
    active = Math.max(0, Math.min(n, opts.length - 1));
    opts.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
    opts[active]?.scrollIntoView({ block: 'nearest' });
  };
  const option = (u: UnitOption) =>
    h(
      'li',
      {
        role: 'option',
        'data-ref': u.ref,
        'aria-selected': 'false',
        onmousedown: (e: Event) => {
          e.preventDefault();
          choose(u.ref);
        },
      },
      h('span', {}, u.fullName),
      u.parent ? h('span', { class: 'muted' }, ` · ${u.parent.fullName}`) : null,
    );

  async function search(): Promise<void> {
    const text = input.value.trim();
    const n = ++asked;
    const fields = 'ref fullName hierarchy parent { fullName }';
    const r = (
      text === '' || text === unitName
        ? await graphql(`query Near($ref: String!) { now: adminUnits(parent: $ref) { ${fields} } }`, undefined, {
            ref: keyUnit(),
          })
        : await graphql(
            `query Find($q: String!, $old: String!) { now: adminUnits(search: $q, limit: 12) { ${fields} } old: ` +
              `adminUnits(search: $q, asOf: $old, limit: 12) { ${fields} } }`,
            undefined,
            { q: text, old: OLD_LIST_DAY },
          )
    ) as { data: { now: UnitOption[]; old?: UnitOption[] } };
    if (n !== asked) return;
    const { now, old } = r.data;
    fill(
      list,
      h(
        'li',
        {
          role: 'option',
          'data-ref': keyUnit(),
          'aria-selected': 'false',
          onmousedown: (e: Event) => {
            e.preventDefault();
            choose(keyUnit());
          },
        },
        keyUnitName(),
      ),
      now.length
        ? h(
            'li',
            { class: 'group', role: 'presentation' },
            t(old ? T.newList : keyUnit() === 'VN' ? T.provinces : T.below),
          )
        : null,
      ...now.map(option),
      old?.length ? h('li', { class: 'group', role: 'presentation' }, t(T.oldList)) : null,
      ...(old ?? []).map(option),
      !now.length && !old?.length ? h('li', { class: 'muted', role: 'presentation' }, t(T.noMatch)) : null,
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  }

  input.addEventListener('focus', () => {
    input.select();
    void search().catch(() => {});
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void search().catch(() => {}), 150);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      mark(active + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      mark(active - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const o = options()[active === -1 ? (options().length > 1 ? 1 : 0) : active];
      if (o?.dataset.ref) choose(o.dataset.ref);
    } else if (e.key === 'Escape') {
      close();
      input.value = unitName;
      input.blur();
    }
  });
  input.addEventListener('blur', () =>
    setTimeout(() => {
      close();
      input.value = unitName;
    }, 100),
  );
  return h('div', { class: 'control unit-picker' }, h('label', { for: 'unit-input' }, t(T.unit)), input, list);
}

function setUnit(ref: string): void {
  if (ref === state.unit) return;
  state.unit = ref;
  saveState();
  void render();
}

// ---------------------------------------------------------------------------------------------------------------
// Pickers for the dashboard's variables.

let years: string[] = [];
let months: string[] = [];

/**
 * The finest granularity with reports across the whole history: monthly when months were reported from the first
 * year on, else quarterly, and so on. A trend by month over years reported by quarter would look like no data.
 */
let reportedGranularity = 'MONTH';
const ORDER = GRANULARITIES.map((g) => g.value);
const coarser = (a: string, b: string) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

async function loadPeriods(): Promise<void> {
  const [y, h, q, m] = await Promise.all(
    ['YEAR', 'HALF_YEAR', 'QUARTER', 'MONTH'].map((type) =>
      graphql(`{ periods(type: ${type}) { id } }`).then((r) =>
        (r as { data: { periods: { id: string }[] } }).data.periods.map((p) => p.id),
      ),
    ),
  );
  years = y;
  months = m;
  const firstYear = y[y.length - 1] ?? '';
  reportedGranularity =
    ([
      ['MONTH', m],
      ['QUARTER', q],
      ['HALF_YEAR', h],
    ].find(([, ids]) => (ids as string[]).at(-1)?.startsWith(firstYear))?.[0] as string | undefined) ?? 'YEAR';
  if (!years.includes(state.year)) state.year = years[0] ?? '';
  if (!months.includes(state.month)) state.month = months[0] ?? '';
}

function select(
  id: string,
  text: Label,
  options: { value: string; label: string }[],
  value: string,
  onChange: (v: string) => void,
): HTMLElement {
  const s = h(
    'select',
    { id, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
    ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)),
  );
  return h('div', { class: 'control' }, h('label', { for: id }, t(text)), s);
}

function controls(d: DashboardSpec): HTMLElement {
  const names = new Set(d.variables.filter((v) => !v.grafanaOnly).map((v) => v.name));
  const vals = values(d);
  const update = (k: 'year' | 'month' | 'granularity' | 'indicator') => (v: string) => {
    state[k] = v;
    saveState();
    void render();
  };
  return h(
    'div',
    { class: 'controls' },
    unitPicker(),
    names.has('year')
      ? select(
          'year',
          variables.year().label,
          years.map((y) => ({ value: y, label: y })),
          state.year,
          update('year'),
        )
      : null,
    names.has('month')
      ? select(
          'month',
          variables.month().label,
          months.map((m) => ({ value: m, label: fmtMonth(m) })),
          state.month,
          update('month'),
        )
      : null,
    names.has('granularity')
      ? select(
          'granularity',
          variables.granularity('MONTH').label,
          GRANULARITIES.map((g) => ({ value: g.value, label: t(g.label) })),
          vals.granularity!,
          update('granularity'),
        )
      : null,
    names.has('indicator')
      ? select(
          'indicator',
          variables.indicator('').label,
          variables.indicator('').options!.map((o) => ({ value: o.value, label: t(o.label) })),
          vals.indicator!,
          update('indicator'),
        )
      : null,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The page.

const app = document.getElementById('app')!;

function header(): HTMLElement {
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('div', { class: 'emblem', 'aria-hidden': 'true' }, '★'),
      h('div', {}, h('h1', {}, t(T.appTitle)), h('p', {}, t(T.appSubtitle))),
    ),
    h(
      'button',
      {
        id: 'lang',
        type: 'button',
        lang: state.lang === 'vi' ? 'en' : 'vi',
        onclick: () => {
          state.lang = state.lang === 'vi' ? 'en' : 'vi';
          saveState();
          void render();
        },
      },
      t(T.switchLang),
    ),
  );
}

function tabs(): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', role: 'tablist' },
    ...DASHBOARDS.map((d) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          'data-uid': d.uid,
          'aria-selected': String(d.uid === state.dashboard),
          onclick: () => {
            state.dashboard = d.uid;
            saveState();
            void render();
          },
        },
        t(d.title),
      ),
    ),
  );
}

async function render(): Promise<void> {
  const gen = ++generation;
  aborter.abort();
  aborter = new AbortController();
  document.documentElement.lang = state.lang;
  const d = current();
  document.title = `${t(d.title)} · ${t(T.appTitle)}`;
  app.querySelectorAll<HTMLElement>('.chart').forEach(disposeChart);
  let problem: UnitProblem = null;
  try {
    problem = await loadUnitName();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) return showKeyForm(true);
    unitName = state.unit;
  }
  if (gen !== generation) return;
  if (problem) return showUnitProblem(problem, d);
  const panels = allPanels(d).filter((p) => !p.grafanaOnly);
  const elements = new Map<PanelSpec, HTMLElement>();
  const main = h(
    'main',
    { class: 'dashboard', 'data-uid': d.uid },
    h(
      'div',
      { class: 'dash-head' },
      h('h2', {}, t(d.title), h('span', { class: 'unit-name' }, ` · ${unitName}`)),
      h('p', { class: 'description' }, t(d.description)),
      d.variables.some((v) => v.unitMode === 'province') && state.unit === 'VN'
        ? h('p', { class: 'hint' }, t(T.pickProvince))
        : null,
    ),
    ...d.rows.map((row) => {
      const shown = row.panels.filter((p) => panels.includes(p));
      if (!shown.length) return null;
      return h(
        'section',
        { class: 'row' },
        h('h3', {}, t(row.title)),
        h(
          'div',
          { class: 'grid' },
          ...shown.map((p) => {
            const el = h(
              'article',
              {
                class: `panel kind-${p.kind}`,
                'data-panel': `${d.uid}/${p.id}`,
                'data-state': 'loading',
                style: `--w:${p.w};--h:${p.h}`,
              },
              h('h4', {}, t(p.title)),
              p.description && p.kind !== 'stat' ? h('p', { class: 'panel-desc' }, t(p.description)) : null,
              h('div', { class: 'panel-body' }),
            );
            elements.set(p, el);
            return el;
          }),
        ),
      );
    }),
  );
  app.replaceChildren(header(), h('div', { class: 'bar' }, tabs(), controls(d)), main, footer());
  // On a phone the tabs scroll sideways: keep the chosen one in sight.
  app.querySelector('[role=tab][aria-selected=true]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  await Promise.all(panels.map((p) => drawPanel(elements.get(p)!, p, d, gen)));
  const period = d.variables.some((v) => v.name === 'month') ? state.month : state.year;
  if (gen === generation) addDownloads(main, { unit: state.unit, period, lang: state.lang });
  if (gen === generation) app.dataset.ready = String(gen);
}

function footer(): HTMLElement {
  return h(
    'footer',
    {},
    t(T.footer),
    ' ',
    h('code', {}, 'pcmbn dashboards build'),
    ' · ',
    h('code', {}, 'pcmbn dashboards push'),
  );
}

/** One message for the page, in the reader's language, with the way back to the key's own unit. */
function showUnitProblem(problem: Exclude<UnitProblem, null>, d: DashboardSpec): void {
  unitName = state.unit;
  app.replaceChildren(
    header(),
    h('div', { class: 'bar' }, tabs(), controls(d)),
    h(
      'main',
      { class: 'dashboard' },
      h(
        'div',
        { class: 'page-error', role: 'alert' },
        h('p', {}, t(problem === 'outOfScope' ? T.outOfScope : T.unknownUnit).replace('{unit}', state.unit)),
        h(
          'a',
          {
            href: '#',
            onclick: (e: Event) => {
              e.preventDefault();
              setUnit(keyUnit());
            },
          },
          t(T.backTo).replace('{unit}', keyUnitName()),
        ),
      ),
    ),
    footer(),
  );
}

function showKeyForm(rejected: boolean): void {
  generation++;
  const input = h('input', {
    id: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    placeholder: 'pcmbn_…',
  });
  app.replaceChildren(
    header(),
    h(
      'main',
      { class: 'key-form' },
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            setKey(input.value);
            await start();
          },
        },
        h('h2', {}, t(T.keyTitle)),
        h('p', {}, t(T.keyText)),
        rejected ? h('p', { class: 'error' }, t(T.keyRejected)) : null,
        input,
        h('button', { type: 'submit' }, t(T.keySubmit)),
      ),
    ),
  );
  input.focus();
}

async function start(): Promise<void> {
  try {
    await Promise.all([loadPeriods(), loadAccess()]);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) return showKeyForm(hasKey());
    app.replaceChildren(
      header(),
      h(
        'main',
        { class: 'dashboard' },
        h(
          'div',
          { class: 'page-error', role: 'alert' },
          h('p', {}, t(T.failed)),
          h('button', { type: 'button', class: 'retry', onclick: () => void start() }, t(T.retry)),
        ),
      ),
    );
    return;
  }
  state.unit ||= keyUnit();
  saveState();
  await render();
}

async function main(): Promise<void> {
  document.documentElement.lang = state.lang;
  const mode = await loadAuth();
  if (mode.auth === 'key' && !hasKey()) return showKeyForm(false);
  await start();
}

void main();
