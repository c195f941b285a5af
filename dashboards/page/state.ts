/**
 * The page's state: what is shown (kept in the address, so a link is shareable; the language also in localStorage),
 * the periods that hold reports, and the way to draw the page again when it changes.
 */
import { vietnamToday } from '../../schema/periods.ts';
import {
  DASHBOARDS,
  type DashboardSpec,
  GRANULARITIES,
  HISTORY_START,
  type Label,
  type Lang,
  pick,
  type TimeRange,
  type VariableName,
} from '../spec.ts';
import { formatDate, formatMonth, formatNumber, formatPercent } from './format.ts';

export interface State {
  dashboard: string;
  unit: string;
  year: string;
  month: string;
  granularity: string;
  indicator: string;
  lang: Lang;
}

const params = new URLSearchParams(location.search);
export const state: State = {
  dashboard: params.get('d') ?? DASHBOARDS[0].uid,
  unit: params.get('unit') ?? '',
  year: params.get('year') ?? '',
  month: params.get('month') ?? '',
  granularity: params.get('g') ?? '',
  indicator: params.get('indicator') ?? '',
  lang: (params.get('lang') ?? localStorage.getItem('pcmbn.lang') ?? 'vi') === 'en' ? 'en' : 'vi',
};

export function saveState(): void {
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

export const t = (l: Label) => pick(l, state.lang);
export const fmtNumber = (v: number, digits = 0) => formatNumber(state.lang, v, digits);
export const fmtPercent = (v: number) => formatPercent(state.lang, v);
export const fmtMonth = (id: string) => formatMonth(state.lang, id);
export const fmtDate = (iso: string) => formatDate(state.lang, iso);
/** The trends' time range: from the first day of the history to today in Vietnam. */
export const range = (): TimeRange => ({ from: HISTORY_START, to: vietnamToday() });

/** The periods that hold reports, newest first, as the API lists them. */
export const periods = {
  years: [] as string[],
  months: [] as string[],
  /**
   * The finest granularity with reports across the whole history: monthly when months were reported from the first
   * year on, else quarterly, and so on. A trend by month over years reported by quarter would look like no data.
   */
  reported: 'MONTH',
};
const ORDER = GRANULARITIES.map((g) => g.value);
export const coarser = (a: string, b: string) => (ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b);

export function current(): DashboardSpec {
  return DASHBOARDS.find((d) => d.uid === state.dashboard) ?? DASHBOARDS[0];
}

export function values(d: DashboardSpec): Partial<Record<VariableName, string>> {
  const g = d.variables.find((v) => v.name === 'granularity');
  const i = d.variables.find((v) => v.name === 'indicator');
  return {
    unit: state.unit,
    year: state.year,
    month: state.month,
    granularity: state.granularity || coarser(g?.default ?? 'MONTH', periods.reported),
    indicator: state.indicator || i?.default || '',
  };
}

/**
 * What the page is doing now: each render is a generation, and a panel of an older one draws nothing; its requests
 * are aborted. The name of the unit shown heads the dashboard.
 */
export const session = { generation: 0, aborter: new AbortController(), unitName: '' };

/** Set by main.ts: drawing the page again, and asking for a key. Kept here so the parts need not import main.ts. */
export const hooks = { render: async (): Promise<void> => {}, askForKey: (_rejected: boolean): void => {} };

export function rerender(): void {
  void hooks.render();
}

export function setUnit(ref: string): void {
  if (ref === state.unit) return;
  state.unit = ref;
  saveState();
  rerender();
}
