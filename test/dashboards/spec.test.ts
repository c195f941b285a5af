/**
 * The dashboards' declarations without a server: labels, the Infinity query model, the emulation of Grafana's
 * interpolation and Infinity's parser the page runs, and rules of the dashboards themselves. What the queries answer
 * against a real API is test/dashboards/panels.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { findIndicator, indicatorsOf, INDICATORS } from '../../schema/catalogue.ts';
import {
  allPanels,
  bilingual,
  bilingualText,
  convert,
  DASHBOARDS,
  findDashboard,
  frame,
  getPath,
  indicator,
  InterpolationError,
  interpolate,
  joinRows,
  label,
  levelScope,
  pick,
  queries,
  rankingTitle,
  rawRows,
  targetLabel,
  withheldAlias,
} from '../../dashboards/spec.ts';

const RANGE = { from: '2026-01-01', to: '2026-03-31' };

describe('labels', () => {
  it('read Vietnamese first, English beside it, once when both are the same', () => {
    const l = label('Nạn nhân', 'Victims');
    expect(bilingual(l)).toBe('Nạn nhân (Victims)');
    expect(bilingualText(l)).toBe('Nạn nhân\n\nVictims');
    expect(bilingual(label('VN', 'VN'))).toBe('VN');
    expect([pick(l, 'vi'), pick(l, 'en')]).toEqual(['Nạn nhân', 'Victims']);
  });

  it("give a ratio's target from the catalogue, and none for a count; a code the catalogue lacks is an error", () => {
    expect(targetLabel(indicator('case_clearance_rate'))).toEqual(label('Mục tiêu > 90 %', 'Target > 90 %'));
    expect(targetLabel(indicator('indictment_rate'))).toEqual(label('Mục tiêu ≥ 95 %', 'Target ≥ 95 %'));
    expect(targetLabel(indicator('victims_returned'))).toBeNull();
    expect(() => indicator('victims_retuned')).toThrow(/no indicator "victims_retuned"/);
  });

  it('title rankings by the level they list, in the list the unit belongs to', () => {
    const i = indicator('outreach_participants');
    expect(rankingTitle(i, 'desc', 5, label('tỉnh, thành phố', 'provinces')).en).toBe(
      'Outreach participants (person-visits): top 5 provinces',
    );
    expect(rankingTitle(null, 'asc', undefined, label('xã, phường', 'communes')).vi).toBe(
      'Xếp hạng xã, phường theo chỉ tiêu đã chọn',
    );
    expect(levelScope('WARD', '2025-07:26734')?.en).toBe('communes');
    expect(levelScope('WARD', '2025-03:26734')?.en).toBe('wards');
    expect(levelScope('NATIONAL', 'VN')).toBeNull();
  });
});

describe('the query model', () => {
  it('declares the GraphQL variables a query text uses, each filled from its dashboard variable', () => {
    const k = queries.kpi('victims_returned');
    expect(k.graphql).toMatch(/^query \(\$yearId: String!, \$unitCode: String!\) \{ kpi\(/);
    expect(k.variables).toBe('{"yearId": ${year:json}, "unitCode": ${unit:json}}');
    expect(k.root).toBe('data.kpi');
    // A literal stays in the text; only the variables are declared.
    const c = queries.campaigns();
    expect(c.graphql).toMatch(/^\{ campaigns\(from: "\$\{__timeFrom\}"/);
    expect(c.variables).toBe('{}');
  });

  it("asks for each count's withheld flag, one column per series, so the page need not guess", () => {
    const q = queries.kpis(['victims_returned'], 'female', { sex: 'female' });
    expect(q.graphql).toContain('value suppressed } }');
    expect(q.columns.map((c) => c.alias)).toEqual(['code', 'name', 'female', 'femaleSuppressed']);
    expect(withheldAlias('value')).toBe('suppressed');
    for (const d of DASHBOARDS)
      for (const p of allPanels(d))
        if (p.kind === 'bars')
          for (const s of p.series)
            expect(p.queries.flatMap((x) => x.columns.map((c) => c.alias))).toContain(withheldAlias(s.alias));
  });
});

describe('running a query as Grafana and Infinity do', () => {
  it("interpolates variables (plain and as JSON) and the time range as Vietnam's first and last instants", () => {
    const text = interpolate('${__timeFrom}|${__timeTo}|$unitCode|$yearId', {}, RANGE);
    const [from, to, ...rest] = text.split('|');
    expect(Number(from)).toBe(Date.parse('2026-01-01T00:00:00+07:00'));
    expect(Number(to)).toBe(Date.parse('2026-04-01T00:00:00+07:00') - 1);
    // GraphQL variables are not the dashboard's: left for the API, as Grafana leaves them.
    expect(rest).toEqual(['$unitCode', '$yearId']);
    expect(interpolate('$year ${unit:json} $unitCode', { year: '2026', unit: 'VN' }, RANGE)).toBe(
      '2026 "VN" $unitCode',
    );
    expect(() => interpolate('$month', { year: '2026' }, RANGE)).toThrow(InterpolationError);
  });

  it('converts cells as the backend parser does: anything of the wrong type is null', () => {
    const n = { selector: 'v', alias: 'v', type: 'number' } as const;
    expect([convert(3, n), convert('4.5', n), convert('', n), convert('x', n), convert(null, n)]).toEqual([
      3,
      4.5,
      null,
      null,
      null,
    ]);
    const s = { selector: 'v', alias: 'v', type: 'string' } as const;
    expect([convert('a', s), convert(2, s), convert(true, s), convert({}, s)]).toEqual(['a', '2', 'true', null]);
    const d = { selector: 'v', alias: 'v', type: 'timestamp', timestampFormat: '2006-01-02' } as const;
    expect(convert('2026-03-01', d)).toEqual(new Date(Date.UTC(2026, 2, 1)));
    expect(convert('2026-03', d)).toBeNull();
    const e = { selector: 'v', alias: 'v', type: 'timestamp_epoch' } as const;
    expect([convert(0, e), convert('1000', e), convert('soon', e)]).toEqual([new Date(0), new Date(1000), null]);
  });

  it('picks the rows under the root (an object is one row) and joins frames on a key in first-seen order', () => {
    const response = { data: { kpi: { value: 3, unit: { fullName: 'Hà Nội' } }, none: null } };
    expect(getPath(response, 'data.kpi.unit.fullName')).toBe('Hà Nội');
    expect(getPath(response, 'data.none.value')).toBeUndefined();
    expect(rawRows(response, 'data.kpi')).toHaveLength(1);
    expect(rawRows(response, 'data.none')).toEqual([]);
    const rows = frame(
      { data: { kpis: [{ indicator: { code: 'a' }, value: '2', suppressed: false }] } },
      queries.kpis(['a'], 'value', {}, 'A', false),
    );
    expect(rows).toEqual([{ code: 'a', value: 2, suppressed: 'false' }]);
    expect(
      joinRows(
        [
          [
            { code: 'b', f: 1 },
            { code: 'a', f: 2 },
          ],
          [{ code: 'a', m: 3 }],
        ],
        'code',
      ),
    ).toEqual([
      { code: 'b', f: 1 },
      { code: 'a', f: 2, m: 3 },
    ]);
  });
});

describe('the dashboards', () => {
  it('label a compliance figure the same in the summary and in the table', () => {
    const d = findDashboard('pcmbn-compliance')!;
    const labels = new Map<string, string>();
    for (const p of allPanels(d)) {
      const shown = p.kind === 'figures' ? p.figures : p.kind === 'table' ? p.columns : [];
      for (const f of shown) {
        const seen = labels.get(f.alias);
        if (seen) expect(bilingual(f.label), f.alias).toBe(seen);
        labels.set(f.alias, bilingual(f.label));
      }
    }
    expect(labels.get('late')).toBe('Nộp muộn (Late)');
  });

  it("show the victims' and the outreach's counts as the catalogue places them", () => {
    const victims = findDashboard('pcmbn-victims')!;
    const bars = allPanels(victims).find((p) => p.id === 'by-sex');
    expect(bars?.kind === 'bars' && bars.categories.map((c) => c.code)).toEqual(
      indicatorsOf('victims')
        .filter((i) => i.kind === 'count' && i.disaggregations.length)
        .map((i) => i.code),
    );
    const outreach = findDashboard('pcmbn-outreach')!;
    const tiles = outreach.rows[0].panels.map((p) => (p.kind === 'stat' ? p.indicator.code : p.id));
    expect(tiles).toEqual(
      indicatorsOf('outreach')
        .filter((i) => i.kind === 'count')
        .map((i) => i.code),
    );
    for (const code of tiles) expect(findIndicator(code)?.area).toBe('outreach');
    expect(INDICATORS.length).toBeGreaterThan(tiles.length);
  });

  it('open the national overview by quarter, as leaders read the programme', () => {
    const g = findDashboard('pcmbn-overview')!.variables.find((v) => v.name === 'granularity');
    expect(g?.default).toBe('QUARTER');
  });
});
