/** Trends: an indicator over time, with its target and the campaigns; withheld and partial periods said so. */
import { type TrendPanel, type VariableName } from '../../spec.ts';
import { lineChart } from '../charts.ts';
import { h } from '../dom.ts';
import { T } from '../i18n.ts';
import { loadCampaigns, run } from '../run.ts';
import { fmtMonth, fmtNumber, fmtPercent, periods, state, t } from '../state.ts';
import { chartBox, nothingToDraw } from './common.ts';

export async function drawTrend(
  body: HTMLElement,
  p: TrendPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
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
  const last = periods.months[0];
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
