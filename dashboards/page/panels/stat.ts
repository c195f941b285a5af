/** Stat tiles (one indicator against the year before and its target) and figures (several of one row). */
import { type FiguresPanel, type StatPanel, targetLabel, type VariableName } from '../../spec.ts';
import { h, fill } from '../dom.ts';
import { statusColor, unitText } from '../format.ts';
import { T } from '../i18n.ts';
import { run } from '../run.ts';
import { fmtDate, fmtMonth, fmtNumber, fmtPercent, periods, state, t } from '../state.ts';

/** "đến tháng 10" when the year's reports stop before December (the newest year, still being reported). */
function partialYear(year: string): string | null {
  const last = periods.months[0];
  if (!last?.startsWith(year) || last.endsWith('12')) return null;
  return t(T.upToMonth).replace('{m}', state.lang === 'vi' ? String(Number(last.slice(4))) : fmtMonth(last));
}

export async function drawStat(
  body: HTMLElement,
  p: StatPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
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
      value === null ? null : h('span', { class: 'tile-unit' }, unitText(state.lang, i)),
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

export async function drawFigures(
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
