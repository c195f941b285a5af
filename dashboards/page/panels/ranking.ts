/** Rankings: units by an indicator, withheld and unreported ones named, the whole list a click away. */
import { findIndicator } from '../../../schema/catalogue.ts';
import {
  indicatorLabel,
  levelScope,
  type PanelSpec,
  type RankingPanel,
  rankingTitle,
  type Row,
  type VariableName,
} from '../../spec.ts';
import { barChart, COLORS } from '../charts.ts';
import { h } from '../dom.ts';
import { T } from '../i18n.ts';
import { run } from '../run.ts';
import { fmtNumber, fmtPercent, setUnit, t } from '../state.ts';
import { chartBox } from './common.ts';

/** Rankings shown whole ("xem tất cả") rather than their top and bottom. */
const expanded = new Set<PanelSpec>();
/** A ranking without a limit shows this many at each end until it is expanded. */
const ENDS = 10;

export async function drawRanking(
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
