/**
 * The page's downloads: "Tải báo cáo" (the unit's periodic report, DOCX, for the unit and period on screen) beside
 * the dashboard's title, and "Tải mẫu" (the submission template) beside each unit of the compliance view's missing
 * reports. Added to a drawn dashboard from outside, so the page's drawing code only calls `addDownloads`; a table
 * redrawn (sorted) gets its buttons again.
 */
import { type Label, label, type Lang, pick } from '../spec.ts';
import { ApiError, download } from './api.ts';

const T = {
  report: label('Tải báo cáo', 'Download report'),
  reportHint: label(
    'Báo cáo định kỳ của đơn vị cho kỳ đang xem (Word)',
    "The unit's periodic report for this period (Word)",
  ),
  template: label('Tải mẫu', 'Template'),
  templateHint: label(
    'Mẫu Excel để đơn vị điền và gửi lại',
    'The Excel template for the unit to fill in and send back',
  ),
};

function button(text: Label, hint: Label, lang: Lang, fetchFile: () => Promise<void>): HTMLElement {
  const wrap = document.createElement('span');
  wrap.className = 'download';
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = pick(text, lang);
  b.title = pick(hint, lang);
  const error = document.createElement('span');
  error.className = 'download-error';
  error.setAttribute('role', 'alert');
  b.addEventListener('click', async () => {
    b.disabled = true;
    error.textContent = '';
    try {
      await fetchFile();
    } catch (e) {
      error.textContent = e instanceof ApiError ? e.message : String(e);
    } finally {
      b.disabled = false;
    }
  });
  wrap.append(b, error);
  return wrap;
}

/** Adds the download buttons to a drawn dashboard (`main`) for the unit and period on screen. */
export function addDownloads(main: HTMLElement, o: { unit: string; period: string; lang: Lang }): void {
  if (!o.period) return;
  main
    .querySelector('.dash-head h2')
    ?.after(
      button(T.report, T.reportHint, o.lang, () =>
        download('/downloads/report', { unit: o.unit, period: o.period, format: 'docx' }),
      ),
    );
  for (const body of main.querySelectorAll<HTMLElement>('[data-panel$="/missing"] .panel-body')) {
    const decorate = () => {
      const head = body.querySelector('thead tr');
      if (head && !head.querySelector('.download-head')) {
        const th = document.createElement('th');
        th.className = 'download-head';
        head.append(th);
      }
      for (const tr of body.querySelectorAll<HTMLElement>('tbody tr[data-ref]')) {
        if (!tr.dataset.ref || tr.querySelector('.download')) continue;
        const td = document.createElement('td');
        td.append(
          button(T.template, T.templateHint, o.lang, () =>
            download('/downloads/template', { unit: tr.dataset.ref!, period: o.period }),
          ),
        );
        tr.append(td);
      }
    };
    decorate();
    new MutationObserver(decorate).observe(body, { childList: true, subtree: true });
  }
}
