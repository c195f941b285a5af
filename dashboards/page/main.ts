/**
 * The built-in dashboard page (served at `/` by the API server): the dashboards of `dashboards/spec.ts`, for
 * people without Grafana. Same panels, same GraphQL queries, same root selectors and columns as the Grafana
 * dashboards; the page fills the variables from its pickers (unit, year, month, granularity, indicator).
 * Vietnamese first, with an English switch. No framework: a few hundred lines of DOM code and ECharts.
 *
 * This module is the page's frame (header, tabs, the dashboard's rows, the key form); its parts: `state.ts` (what is
 * shown, in the address), `run.ts` (the spec's queries), `unit.ts` and `controls.ts` (the pickers), `panels/` (one
 * module per panel kind), `format.ts` (numbers, months and dates in the reader's language), `dom.ts`.
 */
import './style.css';
import { allPanels, DASHBOARDS, type DashboardSpec, type PanelSpec } from '../spec.ts';
import { ApiError, hasKey, loadAuth, setKey } from './api.ts';
import { disposeChart } from './charts.ts';
import { controls, loadPeriods } from './controls.ts';
import { h } from './dom.ts';
import { addDownloads } from './downloads.ts';
import { T } from './i18n.ts';
import { drawPanel } from './panels/index.ts';
import { current, hooks, saveState, session, setUnit, state, t } from './state.ts';
import { keyUnit, keyUnitName, loadAccess, loadUnitName, type UnitProblem } from './unit.ts';

const app = document.getElementById('app')!;

function header(): HTMLElement {
  return h(
    'header',
    { class: 'top' },
    h(
      'div',
      { class: 'brand' },
      h('div', { class: 'emblem', 'aria-hidden': 'true' }, '★'),
      h('div', {}, h('h1', {}, t(T.appTitle)), h('p', {}, t(T.appSubtitle))),
    ),
    h(
      'button',
      {
        id: 'lang',
        type: 'button',
        lang: state.lang === 'vi' ? 'en' : 'vi',
        onclick: () => {
          state.lang = state.lang === 'vi' ? 'en' : 'vi';
          saveState();
          void render();
        },
      },
      t(T.switchLang),
    ),
  );
}

function tabs(): HTMLElement {
  return h(
    'nav',
    { class: 'tabs', role: 'tablist' },
    ...DASHBOARDS.map((d) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          'data-uid': d.uid,
          'aria-selected': String(d.uid === state.dashboard),
          onclick: () => {
            state.dashboard = d.uid;
            saveState();
            void render();
          },
        },
        t(d.title),
      ),
    ),
  );
}

async function render(): Promise<void> {
  const gen = ++session.generation;
  session.aborter.abort();
  session.aborter = new AbortController();
  document.documentElement.lang = state.lang;
  const d = current();
  document.title = `${t(d.title)} · ${t(T.appTitle)}`;
  app.querySelectorAll<HTMLElement>('.chart').forEach(disposeChart);
  let problem: UnitProblem = null;
  try {
    problem = await loadUnitName();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) return showKeyForm(true);
    session.unitName = state.unit;
  }
  if (gen !== session.generation) return;
  if (problem) return showUnitProblem(problem, d);
  const panels = allPanels(d).filter((p) => !p.grafanaOnly);
  const elements = new Map<PanelSpec, HTMLElement>();
  const main = h(
    'main',
    { class: 'dashboard', 'data-uid': d.uid },
    h(
      'div',
      { class: 'dash-head' },
      h('h2', {}, t(d.title), h('span', { class: 'unit-name' }, ` · ${session.unitName}`)),
      h('p', { class: 'description' }, t(d.description)),
      d.variables.some((v) => v.unitMode === 'province') && state.unit === 'VN'
        ? h('p', { class: 'hint' }, t(T.pickProvince))
        : null,
    ),
    ...d.rows.map((row) => {
      const shown = row.panels.filter((p) => panels.includes(p));
      if (!shown.length) return null;
      return h(
        'section',
        { class: 'row' },
        h('h3', {}, t(row.title)),
        h(
          'div',
          { class: 'grid' },
          ...shown.map((p) => {
            const el = h(
              'article',
              {
                class: `panel kind-${p.kind}`,
                'data-panel': `${d.uid}/${p.id}`,
                'data-state': 'loading',
                style: `--w:${p.w};--h:${p.h}`,
              },
              h('h4', {}, t(p.title)),
              p.description && p.kind !== 'stat' ? h('p', { class: 'panel-desc' }, t(p.description)) : null,
              h('div', { class: 'panel-body' }),
            );
            elements.set(p, el);
            return el;
          }),
        ),
      );
    }),
  );
  app.replaceChildren(header(), h('div', { class: 'bar' }, tabs(), controls(d)), main, footer());
  // On a phone the tabs scroll sideways: keep the chosen one in sight.
  app.querySelector('[role=tab][aria-selected=true]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  await Promise.all(panels.map((p) => drawPanel(elements.get(p)!, p, d, gen)));
  const period = d.variables.some((v) => v.name === 'month') ? state.month : state.year;
  if (gen === session.generation) addDownloads(main, { unit: state.unit, period, lang: state.lang });
  if (gen === session.generation) app.dataset.ready = String(gen);
}

function footer(): HTMLElement {
  return h(
    'footer',
    {},
    t(T.footer),
    ' ',
    h('code', {}, 'pcmbn dashboards build'),
    ' · ',
    h('code', {}, 'pcmbn dashboards push'),
  );
}

/** One message for the page, in the reader's language, with the way back to the key's own unit. */
function showUnitProblem(problem: Exclude<UnitProblem, null>, d: DashboardSpec): void {
  session.unitName = state.unit;
  app.replaceChildren(
    header(),
    h('div', { class: 'bar' }, tabs(), controls(d)),
    h(
      'main',
      { class: 'dashboard' },
      h(
        'div',
        { class: 'page-error', role: 'alert' },
        h('p', {}, t(problem === 'outOfScope' ? T.outOfScope : T.unknownUnit).replace('{unit}', state.unit)),
        h(
          'a',
          {
            href: '#',
            onclick: (e: Event) => {
              e.preventDefault();
              setUnit(keyUnit());
            },
          },
          t(T.backTo).replace('{unit}', keyUnitName()),
        ),
      ),
    ),
    footer(),
  );
}

function showKeyForm(rejected: boolean): void {
  session.generation++;
  const input = h('input', {
    id: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    placeholder: 'pcmbn_…',
  });
  app.replaceChildren(
    header(),
    h(
      'main',
      { class: 'key-form' },
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault();
            setKey(input.value);
            await start();
          },
        },
        h('h2', {}, t(T.keyTitle)),
        h('p', {}, t(T.keyText)),
        rejected ? h('p', { class: 'error' }, t(T.keyRejected)) : null,
        input,
        h('button', { type: 'submit' }, t(T.keySubmit)),
      ),
    ),
  );
  input.focus();
}

async function start(): Promise<void> {
  try {
    await Promise.all([loadPeriods(), loadAccess()]);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.code === 'UNAUTHENTICATED')) return showKeyForm(hasKey());
    app.replaceChildren(
      header(),
      h(
        'main',
        { class: 'dashboard' },
        h(
          'div',
          { class: 'page-error', role: 'alert' },
          h('p', {}, t(T.failed)),
          h('button', { type: 'button', class: 'retry', onclick: () => void start() }, t(T.retry)),
        ),
      ),
    );
    return;
  }
  state.unit ||= keyUnit();
  saveState();
  await render();
}

async function main(): Promise<void> {
  document.documentElement.lang = state.lang;
  const mode = await loadAuth();
  if (mode.auth === 'key' && !hasKey()) return showKeyForm(false);
  await start();
}

hooks.render = render;
hooks.askForKey = showKeyForm;
void main();
