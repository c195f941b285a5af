/** Tables: sortable by any column, the unit's name a link to its dashboard, at most 200 rows. */
import { type PanelSpec, type Row, type TablePanel, type VariableName } from '../../spec.ts';
import { h } from '../dom.ts';
import { compareBy } from '../format.ts';
import { T } from '../i18n.ts';
import { run } from '../run.ts';
import { fmtNumber, fmtPercent, setUnit, t } from '../state.ts';

const MAX_TABLE_ROWS = 200;
const tableSort = new Map<PanelSpec, { alias: string; desc: boolean }>();

export async function drawTable(
  body: HTMLElement,
  p: TablePanel,
  vals: Partial<Record<VariableName, string>>,
): Promise<void> {
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
