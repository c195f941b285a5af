/** Drawing a panel of any kind: loading, then its figures, or a short error in the reader's language and a retry. */
import type { DashboardSpec, PanelSpec } from '../../spec.ts';
import { ApiError, forgetKey } from '../api.ts';
import { h } from '../dom.ts';
import { T } from '../i18n.ts';
import { hooks, session, t, values } from '../state.ts';
import { drawBars, drawFunnel } from './bars.ts';
import { drawRanking } from './ranking.ts';
import { drawFigures, drawStat } from './stat.ts';
import { drawTable } from './table.ts';
import { drawTrend } from './trend.ts';

export async function drawPanel(el: HTMLElement, p: PanelSpec, d: DashboardSpec, gen: number): Promise<void> {
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
    if (gen === session.generation) el.dataset.state = 'ready';
  } catch (e) {
    if (gen !== session.generation || (e as Error).name === 'AbortError') return;
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) {
      forgetKey();
      hooks.askForKey(true);
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
          { type: 'button', class: 'retry', onclick: () => void drawPanel(el, p, d, session.generation) },
          t(T.retry),
        ),
      ),
    );
  }
}
