/**
 * Every query of the generated Grafana dashboards (panels, variables, annotations), read back from the committed
 * JSON files, runs against the real API over HTTP on a warehouse holding the demo sample; its root_selector and
 * columns must pick non-empty rows whose cells have the column's type, the way Infinity's backend parser reads
 * them. Also the two queries the dashboards added to the API: `periods` and `complianceByUnit`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import {
  convert,
  frame,
  getPath,
  interpolate,
  type QuerySpec,
  rawRows,
  type Row,
  type TimeRange,
  type VariableName,
} from '../../dashboards/spec.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { codes, gql } from '../api/client.ts';
import { cleanupTemp, unitId } from '../helpers.ts';
import { asQuery, committedDashboards, demoWarehouse, type GrafanaDashboardJson } from './helpers.ts';

let w: Warehouse;
let server: RunningServer;
let token: string;

beforeAll(async () => {
  w = await demoWarehouse();
  token = (await createApiKey(w, { role: 'viewer', unitId: 0, label: 'dashboards test' })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

/** The time range of the test: the demo's history (the sample ends in October 2026). */
const RANGE: TimeRange = { from: '2019-01-01', to: '2026-10-31' };

/** Variable values a user could pick (each is checked to be among the variable's options). */
function valuesFor(d: GrafanaDashboardJson): Partial<Record<VariableName, string>> {
  const granularity = d.templating.list.find((v) => v.name === 'granularity')?.current?.value ?? 'MONTH';
  return {
    unit: d.uid === 'pcmbn-province' ? '2025-07:75' : 'VN',
    year: '2025',
    month: '202609',
    granularity,
    indicator: 'outreach_participants',
    old: '2025-03:75',
    oldYear: '2024',
  };
}

async function run(q: QuerySpec, values: Partial<Record<VariableName, string>>, where: string): Promise<Row[]> {
  const text = interpolate(q.graphql, values, RANGE);
  const variables = JSON.parse(interpolate(q.variables, values, RANGE));
  const r = await gql(server.url, text, { token, variables });
  expect(r.status, `${where}: HTTP status for ${text}`).toBe(200);
  expect(r.body.errors, `${where}: errors for ${text}`).toBeUndefined();
  const raws = rawRows(r.body, q.root);
  expect(raws.length, `${where}: no rows at ${q.root} for ${text}`).toBeGreaterThan(0);
  for (const raw of raws) {
    for (const c of q.columns) {
      const v = getPath(raw, c.selector);
      expect(v, `${where}: column ${c.alias} (${c.selector}) is not in the rows of ${q.root}`).not.toBeUndefined();
      if (v === null) continue;
      const expected = {
        string: ['string', 'boolean'],
        number: ['number'],
        timestamp: ['string'],
        timestamp_epoch: ['number'],
      }[c.type];
      expect(
        expected,
        `${where}: column ${c.alias} holds a ${typeof v} (${JSON.stringify(v)}), not a ${c.type}`,
      ).toContain(typeof v);
      expect(
        convert(v, c),
        `${where}: column ${c.alias}: ${JSON.stringify(v)} does not read as a ` +
          `${c.type}${c.timestampFormat ? ` (${c.timestampFormat})` : ''}`,
      ).not.toBeNull();
    }
  }
  const rows = frame(r.body, q);
  const numbers = q.columns.filter((c) => c.type === 'number');
  if (numbers.length && /\b(sex|ageGroup):/.test(text)) {
    // A viewer gets no victims figures by sex or age at all (small-cell suppression, api/aggregate/withheld.ts).
    expect(
      rows.every((row) => numbers.every((c) => row[c.alias] === null || row[c.alias] === undefined)),
      `${where}: a viewer got victims figures by sex or age`,
    ).toBe(true);
  } else if (numbers.length) {
    // The viewer's victims figures may all be withheld (small-cell suppression, api/aggregate/withheld.ts): the rows
    // say so.
    const withheld = rows.length > 0 && rows.every((row) => String(row.suppressed) === 'true');
    expect(
      withheld || rows.some((row) => numbers.some((c) => typeof row[c.alias] === 'number')),
      `${where}: every number of ${q.root} is null`,
    ).toBe(true);
  }
  return rows;
}

const dashboards = committedDashboards();

describe('the Grafana dashboards read the API', () => {
  it('there are six dashboards, each with queries', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'pcmbn-cases',
      'pcmbn-compliance',
      'pcmbn-outreach',
      'pcmbn-overview',
      'pcmbn-province',
      'pcmbn-victims',
    ]);
  });

  for (const d of dashboards) {
    it(`${d.uid}: every variable, panel and annotation query picks typed rows`, async () => {
      const values = valuesFor(d);
      let queries = 0;
      for (const v of d.templating.list) {
        if (v.type !== 'query') continue;
        const rows = await run(asQuery(v.query.infinityQuery), values, `${d.uid} variable $${v.name}`);
        queries++;
        expect(
          rows.every((r) => typeof r.__text === 'string' && typeof r.__value === 'string'),
          `${d.uid} $${v.name}: __text and __value`,
        ).toBe(true);
        const chosen = values[v.name as VariableName];
        if (chosen && chosen !== 'VN')
          expect(
            rows.map((r) => r.__value),
            `${d.uid} $${v.name} offers ${chosen}`,
          ).toContain(chosen);
      }
      for (const p of d.panels) {
        for (const t of p.targets ?? []) {
          expect([t.type, t.source, t.parser, t.url, t.url_options.method, t.url_options.body_type]).toEqual([
            'graphql',
            'url',
            'backend',
            '/graphql',
            'POST',
            'graphql',
          ]);
          await run(asQuery(t), values, `${d.uid} panel ${p.id} "${p.title}" ${t.refId}`);
          queries++;
        }
      }
      for (const a of d.annotations.list) {
        if (!a.target) continue;
        const rows = await run(asQuery(a.target), values, `${d.uid} annotation "${a.name}"`);
        queries++;
        expect(
          rows.every(
            (r) => r.time instanceof Date && r.timeEnd instanceof Date && (r.timeEnd as Date) > (r.time as Date),
          ),
        ).toBe(true);
        expect(rows.map((r) => r.tags)).toContain('NATIONAL_DAY');
      }
      expect(queries).toBeGreaterThan(3);
    });
  }
});

describe("Grafana's time range, as Infinity's backend sends it", () => {
  const vn = (local: string) => String(Date.parse(`${local}+07:00`));

  it(
    'a range from 2026-01-01 00:00 to 2026-03-31 23:59 Vietnam time, in epoch ms, is 2026Q1 (in UTC it would start ' +
      'in 2025Q4)',
    async () => {
      const [from, to] = [vn('2026-01-01T00:00:00'), vn('2026-03-31T23:59:00')];
      expect(new Date(Number(from)).toISOString().slice(0, 7)).toBe('2025-12');
      const r = await gql(
        server.url,
        'query ($from: String!, $to: String!) { q: trend(indicator: "outreach_participants", from: $from, to: $to, ' +
          'granularity: QUARTER) { period } m: trend(indicator: "outreach_participants", from: $from, to: $to, ' +
          'granularity: MONTH) { period } c: campaigns(from: $from, to: $to) { startMs } }',
        { token, variables: { from, to } },
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.q.map((p: { period: string }) => p.period)).toEqual(['2026Q1']);
      expect(r.body.data.m.map((p: { period: string }) => p.period)).toEqual(['202601', '202602', '202603']);
      // ISO instants, as `${__timeFrom:date:iso}` gives them (UTC), answer the same.
      const iso = await gql(
        server.url,
        `{ trend(indicator: "outreach_participants", from: "${new Date(Number(from)).toISOString()}", to: ` +
          `"${new Date(Number(to)).toISOString()}", granularity: QUARTER) { period } }`,
        { token },
      );
      expect(iso.body.data.trend.map((p: { period: string }) => p.period)).toEqual(['2026Q1']);
      const bad = await gql(
        server.url,
        '{ trend(indicator: "outreach_participants", from: "2026-01-01T00:00", to: "2026", granularity: YEAR) { ' +
          'period } }',
        { token },
      );
      expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
      expect(bad.body.errors![0].message).toMatch(/from.*expected epoch milliseconds/);
    },
  );

  it('the page and the tests interpolate the macros as the first and last instants of the range in Vietnam', () => {
    const text = interpolate(
      '${__timeFrom}-${__timeTo} $unitCode {"u": ${unit:json}}',
      { unit: 'VN' },
      {
        from: '2026-01-01',
        to: '2026-03-31',
      },
    );
    expect(text).toBe(
      `${vn('2026-01-01T00:00:00')}-${Number(vn('2026-03-31T00:00:00')) + 86_400_000 - 1} $unitCode {"u": "VN"}`,
    );
  });
});

describe('periods', () => {
  it('lists the years, months and quarters that hold reports, newest first, with labels and their list', async () => {
    const r = await gql(
      server.url,
      '{ years: periods { id type hierarchy labelVi labelEn start end } months: periods(type: MONTH, limit: 2) { id ' +
        'labelVi labelEn } old: periods(type: YEAR, hierarchy: "2025-03") { id } q: periods(type: QUARTER) { id ' +
        'labelVi } }',
      { token },
    );
    expect(r.body.errors).toBeUndefined();
    const { years, months, old, q } = r.body.data;
    expect(years.map((p: { id: string }) => p.id)).toEqual([
      '2026',
      '2025',
      '2024',
      '2023',
      '2022',
      '2021',
      '2020',
      '2019',
    ]);
    expect(years[0]).toEqual({
      id: '2026',
      type: 'YEAR',
      hierarchy: '2025-07',
      labelVi: 'Năm 2026',
      labelEn: '2026',
      start: '2026-01-01',
      end: '2026-12-31',
    });
    expect(months).toEqual([
      { id: '202610', labelVi: 'Tháng 10/2026', labelEn: 'October 2026' },
      { id: '202609', labelVi: 'Tháng 9/2026', labelEn: 'September 2026' },
    ]);
    expect(old.map((p: { id: string }) => p.id)).toEqual(['2024', '2023', '2022', '2021', '2020', '2019']);
    expect(q[0]).toEqual({ id: '2026Q4', labelVi: 'Quý IV/2026' });
  });

  it("months come from monthly reports only: the demo's quarterly history before 2024 lists no month", async () => {
    const r = await gql(server.url, '{ periods(type: MONTH) { id } }', { token });
    const ids = r.body.data.periods.map((p: { id: string }) => p.id);
    expect(ids.at(-1)).toBe('202401');
    expect(ids).toHaveLength(34);
  });

  it('checks its arguments', async () => {
    const r = await gql(server.url, '{ a: periods(hierarchy: "2024") { id } }', { token });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors![0].message).toMatch(/hierarchy.*2025-03 or 2025-07/);
  });
});

describe('complianceByUnit', () => {
  const FIELDS = 'unit { ref } expected received onTime late missing pending completeness timeliness';

  it('one row per province; the rows add up to reportingCompliance for the nation', async () => {
    const r = await gql(
      server.url,
      `{ rows: complianceByUnit(period: "202609") { ${FIELDS} } all: reportingCompliance(period: "202609") { ` +
        `expected received onTime late missing { ref } pending } }`,
      { token },
    );
    expect(r.body.errors).toBeUndefined();
    const { rows, all } = r.body.data;
    expect(rows).toHaveLength(34);
    const sum = (k: string) => rows.reduce((s: number, x: Record<string, number>) => s + x[k], 0);
    expect({
      expected: sum('expected'),
      received: sum('received'),
      onTime: sum('onTime'),
      late: sum('late'),
      missing: sum('missing'),
      pending: sum('pending'),
    }).toEqual({
      expected: all.expected,
      received: all.received,
      onTime: all.onTime,
      late: all.late,
      missing: all.missing.length,
      pending: all.pending,
    });
    const dongNai = rows.find((x: { unit: { ref: string } }) => x.unit.ref === '2025-07:75');
    expect(dongNai.completeness).toBeCloseTo((dongNai.received / dongNai.expected) * 100, 10);
    expect(dongNai.timeliness).toBeCloseTo((dongNai.onTime / dongNai.expected) * 100, 10);
  });

  it(
    'a new province for a month before the reform: the old provinces it was made of, adding up to ' +
      'reportingCompliance',
    async () => {
      const r = await gql(
        server.url,
        `{ rows: complianceByUnit(period: "202403", unit: "2025-07:75") { ${FIELDS} } all: ` +
          `reportingCompliance(period: "202403", unit: "2025-07:75") { expected received } }`,
        { token },
      );
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.rows.map((x: { unit: { ref: string } }) => x.unit.ref)).toEqual(['2025-03:70', '2025-03:75']);
      expect(r.body.data.rows.reduce((s: number, x: { expected: number }) => s + x.expected, 0)).toBe(
        r.body.data.all.expected,
      );
      expect(r.body.data.rows.reduce((s: number, x: { received: number }) => s + x.received, 0)).toBe(
        r.body.data.all.received,
      );
    },
  );

  it('a period the schedule expects nothing for gives zeros and null rates; a key sees only its own units', async () => {
    const none = await gql(server.url, `{ complianceByUnit(period: "2024Q2", unit: "2025-03:75") { ${FIELDS} } }`, {
      token,
    });
    expect(none.body.errors).toBeUndefined();
    expect(
      none.body.data.complianceByUnit.every(
        (x: Record<string, unknown>) => x.expected === 0 && x.completeness === null && x.timeliness === null,
      ),
    ).toBe(true);

    const province = (await createApiKey(w, { role: 'viewer', unitId: await unitId(w, '2025-07:75') })).token;
    const outside = await gql(
      server.url,
      '{ complianceByUnit(period: "202609", unit: "2025-07:12") { unit { ref } } }',
      { token: province },
    );
    expect(codes(outside)).toEqual(['FORBIDDEN']);
    const own = await gql(server.url, '{ complianceByUnit(period: "202609", unit: "2025-07:75") { unit { ref } } }', {
      token: province,
    });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.complianceByUnit).toHaveLength(95);
    const bad = await gql(server.url, '{ complianceByUnit(period: "2024Q5") { unit { ref } } }', { token });
    expect(codes(bad)).toEqual(['BAD_USER_INPUT']);
  });
});
