/**
 * The unit picker: today's list and the old list, searchable (names without diacritics match too); the key's own
 * unit, where the page opens; and why a unit in the address cannot be shown, if it cannot.
 */
import { REFORM_DATE } from '../../schema/units.ts';
import { ApiError, graphql } from './api.ts';
import { fill, h } from './dom.ts';
import { T } from './i18n.ts';
import { session, setUnit, state, t } from './state.ts';

interface UnitOption {
  ref: string;
  fullName: string;
  hierarchy: string;
  parent?: { fullName: string } | null;
}

const OLD_LIST_DAY = new Date(Date.parse(`${REFORM_DATE}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** The key the page runs with: its role and the unit it sees (the page opens there). */
interface Access {
  role: string;
  withholdsSmallCounts: boolean;
  unit: { ref: string; fullName: string };
}
let access: Access | null = null;

export async function loadAccess(): Promise<void> {
  const r = (await graphql('{ me { role withholdsSmallCounts unit { ref fullName } } }')) as { data: { me: Access } };
  access = r.data.me;
}

export const keyUnit = () => access?.unit.ref ?? 'VN';
export const keyUnitName = () => (keyUnit() === 'VN' ? t(T.nation) : access!.unit.fullName);

/** Why the unit in the address cannot be shown, if it cannot. */
export type UnitProblem = 'outOfScope' | 'unknown' | null;

export async function loadUnitName(): Promise<UnitProblem> {
  if (state.unit === keyUnit()) {
    session.unitName = keyUnitName();
    return null;
  }
  let u: { ref: string; fullName: string; hierarchy: string } | null;
  try {
    const r = (await graphql(
      'query Unit($code: String!) { adminUnit(code: $code) { ref fullName hierarchy } }',
      undefined,
      { code: state.unit },
    )) as { data: { adminUnit: typeof u } };
    u = r.data.adminUnit;
  } catch (e) {
    if (e instanceof ApiError && e.code === 'FORBIDDEN') return 'outOfScope';
    if (e instanceof ApiError && e.code === 'BAD_USER_INPUT') return 'unknown';
    throw e;
  }
  if (!u) return 'unknown';
  session.unitName =
    u.ref === 'VN'
      ? t(T.nation)
      : `${u.fullName}${u.hierarchy === '2025-03' ? (state.lang === 'vi' ? ' (cũ)' : ' (old)') : ''}`;
  return null;
}

export function unitPicker(): HTMLElement {
  const input = h('input', {
    id: 'unit-input',
    type: 'search',
    role: 'combobox',
    'aria-expanded': 'false',
    'aria-controls': 'unit-list',
    'aria-autocomplete': 'list',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: t(T.searchUnit),
    'aria-label': t(T.unit),
  });
  input.value = session.unitName;
  const list = h('ul', { id: 'unit-list', role: 'listbox', class: 'unit-list', hidden: true });
  let active = -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;

  const options = () => [...list.querySelectorAll<HTMLElement>('[role=option]')];
  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    active = -1;
  };
  const choose = (ref: string) => {
    close();
    setUnit(ref);
  };
  const mark = (n: number) => {
    const opts = options();
    active = Math.max(0, Math.min(n, opts.length - 1));
    opts.forEach((o, i) => o.setAttribute('aria-selected', String(i === active)));
    opts[active]?.scrollIntoView({ block: 'nearest' });
  };
  const option = (u: UnitOption) =>
    h(
      'li',
      {
        role: 'option',
        'data-ref': u.ref,
        'aria-selected': 'false',
        onmousedown: (e: Event) => {
          e.preventDefault();
          choose(u.ref);
        },
      },
      h('span', {}, u.fullName),
      u.parent ? h('span', { class: 'muted' }, ` · ${u.parent.fullName}`) : null,
    );

  async function search(): Promise<void> {
    const text = input.value.trim();
    const n = ++asked;
    const fields = 'ref fullName hierarchy parent { fullName }';
    const r = (
      text === '' || text === session.unitName
        ? await graphql(`query Near($ref: String!) { now: adminUnits(parent: $ref) { ${fields} } }`, undefined, {
            ref: keyUnit(),
          })
        : await graphql(
            `query Find($q: String!, $old: String!) { now: adminUnits(search: $q, limit: 12) { ${fields} } old: ` +
              `adminUnits(search: $q, asOf: $old, limit: 12) { ${fields} } }`,
            undefined,
            { q: text, old: OLD_LIST_DAY },
          )
    ) as { data: { now: UnitOption[]; old?: UnitOption[] } };
    if (n !== asked) return;
    const { now, old } = r.data;
    fill(
      list,
      h(
        'li',
        {
          role: 'option',
          'data-ref': keyUnit(),
          'aria-selected': 'false',
          onmousedown: (e: Event) => {
            e.preventDefault();
            choose(keyUnit());
          },
        },
        keyUnitName(),
      ),
      now.length
        ? h(
            'li',
            { class: 'group', role: 'presentation' },
            t(old ? T.newList : keyUnit() === 'VN' ? T.provinces : T.below),
          )
        : null,
      ...now.map(option),
      old?.length ? h('li', { class: 'group', role: 'presentation' }, t(T.oldList)) : null,
      ...(old ?? []).map(option),
      !now.length && !old?.length ? h('li', { class: 'muted', role: 'presentation' }, t(T.noMatch)) : null,
    );
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    active = -1;
  }

  input.addEventListener('focus', () => {
    input.select();
    void search().catch(() => {});
  });
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void search().catch(() => {}), 150);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      mark(active + 1);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      mark(active - 1);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      const o = options()[active === -1 ? (options().length > 1 ? 1 : 0) : active];
      if (o?.dataset.ref) choose(o.dataset.ref);
    } else if (e.key === 'Escape') {
      close();
      input.value = session.unitName;
      input.blur();
    }
  });
  input.addEventListener('blur', () =>
    setTimeout(() => {
      close();
      input.value = session.unitName;
    }, 100),
  );
  return h('div', { class: 'control unit-picker' }, h('label', { for: 'unit-input' }, t(T.unit)), input, list);
}
