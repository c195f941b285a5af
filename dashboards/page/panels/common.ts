/** What the panels share: a chart's box, and the message in place of a chart with nothing to draw. */
import { disposeChart } from '../charts.ts';
import { h } from '../dom.ts';
import { T } from '../i18n.ts';
import { t } from '../state.ts';

export function chartBox(body: HTMLElement, height?: number): HTMLElement {
  const el = h('div', { class: 'chart', role: 'img' });
  // A chart sized by its rows keeps its height (flex would shrink it to the panel's, overlapping the labels).
  if (height) el.style.cssText = `height: ${height}px; flex: none`;
  body.replaceChildren(el);
  return el;
}

/** Why a chart has nothing to draw: the figures are withheld, or there are none. */
export function nothingToDraw(body: HTMLElement, withheld: boolean): void {
  body.querySelectorAll<HTMLElement>('.chart').forEach(disposeChart);
  body.replaceChildren(h('div', { class: 'empty' }, t(withheld ? T.suppressed : T.noData)));
}
