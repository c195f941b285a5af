/** Pickers for the dashboard's variables (year, month, granularity, indicator) beside the unit picker. */
import { type DashboardSpec, GRANULARITIES, type Label, variables } from '../spec.ts';
import { graphql } from './api.ts';
import { h } from './dom.ts';
import { fmtMonth, periods, rerender, saveState, state, t, values } from './state.ts';
import { unitPicker } from './unit.ts';

export async function loadPeriods(): Promise<void> {
  const [y, h, q, m] = await Promise.all(
    ['YEAR', 'HALF_YEAR', 'QUARTER', 'MONTH'].map((type) =>
      graphql(`{ periods(type: ${type}) { id } }`).then((r) =>
        (r as { data: { periods: { id: string }[] } }).data.periods.map((p) => p.id),
      ),
    ),
  );
  periods.years = y;
  periods.months = m;
  const firstYear = y[y.length - 1] ?? '';
  periods.reported =
    ([
      ['MONTH', m],
      ['QUARTER', q],
      ['HALF_YEAR', h],
    ].find(([, ids]) => (ids as string[]).at(-1)?.startsWith(firstYear))?.[0] as string | undefined) ?? 'YEAR';
  if (!periods.years.includes(state.year)) state.year = periods.years[0] ?? '';
  if (!periods.months.includes(state.month)) state.month = periods.months[0] ?? '';
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

export function controls(d: DashboardSpec): HTMLElement {
  const names = new Set(d.variables.filter((v) => !v.grafanaOnly).map((v) => v.name));
  const vals = values(d);
  const update = (k: 'year' | 'month' | 'granularity' | 'indicator') => (v: string) => {
    state[k] = v;
    saveState();
    rerender();
  };
  return h(
    'div',
    { class: 'controls' },
    unitPicker(),
    names.has('year')
      ? select(
          'year',
          variables.year().label,
          periods.years.map((y) => ({ value: y, label: y })),
          state.year,
          update('year'),
        )
      : null,
    names.has('month')
      ? select(
          'month',
          variables.month().label,
          periods.months.map((m) => ({ value: m, label: fmtMonth(m) })),
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
