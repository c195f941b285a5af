/** Bars (counts by category, a series per breakdown) and funnels (the steps of a process). */
import {
  type BarsPanel,
  type FunnelPanel,
  indicatorLabel,
  joinRows,
  type VariableName,
  withheldAlias,
} from '../../spec.ts';
import { barChart, COLORS } from '../charts.ts';
import { h } from '../dom.ts';
import { stepNames } from '../format.ts';
import { T } from '../i18n.ts';
import { run } from '../run.ts';
import { fmtNumber, t } from '../state.ts';
import { chartBox, nothingToDraw } from './common.ts';

export async function drawBars(
  body: HTMLElement,
  p: BarsPanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
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

export async function drawFunnel(
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
