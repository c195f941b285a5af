/**
 * Scope over real HTTP, query by query: a key sees its unit and what lies under it, in both hierarchies; any other
 * unit named by an argument is a GraphQL error FORBIDDEN with no data; lists (breakdown rows, compliance's
 * `missing`, discrepancies) never show a unit outside the key's scope; a revoked key gets 401.
 *
 * Keys (all analysts, so that no small-cell suppression gets in the way):
 * - new Đồng Nai (2025-07:75): sees old Đồng Nai 75 and old Bình Phước 70 (its predecessors) and all under them;
 * - Trung Dũng (2025-03:26041), an old ward of Biên Hòa merged with five others into Trấn Biên (2025-07:26041):
 *   sees itself only, not its district Biên Hòa nor Trấn Biên;
 * - old Biên Hòa (2025-03:731): its 25 wards and the 7 new communes made only of them, not the 3 that also took
 *   wards from elsewhere (Trảng Dài 25993, Hố Nai 26005, Tân Triều 26188);
 * - VN, and a revoked one.
 *
 * Through the reform: an old ward's key never reaches the commune it merged into (its history included), and a new
 * province's key never reaches its predecessors' siblings. Last, the live schema is introspected so that every
 * argument that names a unit, today's or a future one, has to go through the matrix.
 */
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  type GraphQLArgument,
  type GraphQLInputType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  parse,
  visit,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { codes, gql, type GqlResponse } from './client.ts';

const H = 'unit_code,period,indicator,value,submitted_on';

let w: Warehouse;
let server: RunningServer;
const tokens = { dongNai: '', trungDung: '', bienHoa: '', nation: '', revoked: '' };
type Key = keyof typeof tokens;

const q = (key: Key, query: string, variables?: Record<string, unknown>): Promise<GqlResponse> =>
  gql(server.url, query, { token: tokens[key], variables });
async function ok(key: Key, query: string, variables?: Record<string, unknown>): Promise<any> {
  const r = await q(key, query, variables);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.body.data;
}

/** Every query that takes a unit, each naming it through `$unit` (and `$asOf`). */
const QUERIES: Record<string, string> = {
  kpi:
    'query($unit: String!, $asOf: String) { kpi(indicator: "hotline_calls", unit: $unit, period: "2024", asOf: ' +
    '$asOf) { unit { ref } value } }',
  kpis:
    'query($unit: String!, $asOf: String) { kpis(indicators: ["hotline_calls", "case_clearance_rate"], unit: ' +
    '$unit, period: "2024", asOf: $asOf) { unit { ref } value } }',
  trend:
    'query($unit: String!, $asOf: String) { trend(indicator: "hotline_calls", unit: $unit, from: "2024", to: ' +
    '"2025", granularity: YEAR, asOf: $asOf) { period value } }',
  breakdown:
    'query($unit: String!, $asOf: String) { breakdown(indicator: "hotline_calls", unit: $unit, period: "2024", ' +
    'asOf: $asOf) { unit { ref } value } }',
  breakdownByLevel:
    'query($unit: String!, $asOf: String) { breakdown(indicator: "hotline_calls", unit: $unit, period: "2024", ' +
    'level: WARD, asOf: $asOf) { unit { ref } value } }',
  reportingCompliance:
    'query($unit: String!, $asOf: String) { reportingCompliance(unit: $unit, period: "202403", asOf: $asOf) { ' +
    'expected received missing { ref } } }',
  complianceByUnit:
    'query($unit: String!, $asOf: String) { complianceByUnit(unit: $unit, period: "202403", asOf: $asOf) { unit { ' +
    'ref } expected received } }',
  discrepancies:
    'query($unit: String!, $asOf: String) { discrepancies(unit: $unit, period: "2024", asOf: $asOf) { unit { ref } ' +
    'reported } }',
  adminUnit: 'query($unit: String!, $asOf: String) { adminUnit(code: $unit, asOf: $asOf) { ref } }',
  adminUnits: 'query($unit: String!, $asOf: String) { adminUnits(parent: $unit, asOf: $asOf) { ref } }',
  report: 'query($unit: String!, $asOf: String) { report(unit: $unit, period: "2024", asOf: $asOf) }',
};

type UnitArg = { unit: string; asOf?: string };
const describeArg = (a: UnitArg) => (a.asOf ? `${a.unit} as of ${a.asOf}` : a.unit);

async function expectForbidden(key: Key, name: string, arg: UnitArg): Promise<void> {
  const r = await q(key, QUERIES[name], { ...arg });
  const what = `${name}(${describeArg(arg)}) with the ${key} key`;
  expect(r.status, what).toBe(200);
  expect(r.body.data?.[Object.keys(r.body.data ?? {})[0]] ?? null, what).toBeNull();
  expect(codes(r), what).toEqual(['FORBIDDEN']);
  expect(r.body.errors![0].message, what).toMatch(
    / is outside the scope of API key \w+, which sees .* and what lies under it$/,
  );
}

async function expectAllowed(key: Key, name: string, arg: UnitArg): Promise<any> {
  const r = await q(key, QUERIES[name], { ...arg });
  const what = `${name}(${describeArg(arg)}) with the ${key} key`;
  expect(r.body.errors, `${what}: ${JSON.stringify(r.body.errors)}`).toBeUndefined();
  expect(r.status, what).toBe(200);
  return r.body.data;
}

/** Refs of every unit a key scoped to `refs` may see, straight from the unit tables (for checking lists). */
async function subtreeRefs(...refs: string[]): Promise<Set<string>> {
  const rows = await w.sql<{ ref: string }>(
    `SELECT d.ref FROM unit_closure c JOIN units a ON a.unit_id = c.ancestor_id JOIN units d ON d.unit_id = c.descendant_id
    WHERE a.ref IN (SELECT unnest(string_split($1, ',')))`,
    [refs.join(',')],
  );
  return new Set(rows.map((r) => r.ref));
}

beforeAll(async () => {
  w = await freshWarehouse();
  const dir = tempDir('pcmbn-access-');
  writeFile(
    dir,
    'reports.csv',
    csv(
      H,
      // Inside new Đồng Nai: old Bình Phước's own 100 against its district Đồng Xoài's 30 (a discrepancy), Biên Hòa's
      // own Q1 10, Trung Dũng's and An Bình's March reports, new Đồng Nai's own second half 7.
      '2025-03:70,2024,hotline_calls,100,2024-12-10',
      '2025-03:689,2024,hotline_calls,30,2024-12-10',
      '2025-03:731,2024Q1,hotline_calls,10,2024-03-10',
      '2025-03:26041,202403,hotline_calls,1,2024-04-05',
      '2025-03:26050,202403,hotline_calls,2,2024-04-05',
      '2025-07:75,2025S2,hotline_calls,7,2025-11-10',
      // After the reform: Trấn Biên (Biên Hòa's wards only) and Tân Triều (Biên Hòa's and Vĩnh Cửu's) report
      // September.
      '2025-07:26041,202509,hotline_calls,4,2025-10-05',
      '2025-07:26188,202509,hotline_calls,6,2025-10-05',
      // Outside: old Hà Nội's district Ba Đình (own 5 against its ward Trúc Bạch's 3), new Hà Nội's second half.
      '2025-03:001,2024,hotline_calls,5,2024-12-10',
      '2025-03:00004,2024,hotline_calls,3,2024-12-10',
      '2025-03:00004,202403,hotline_calls,1,2024-04-05',
      '2025-07:01,2025S2,hotline_calls,9,2025-11-10',
      // Old Bình Dương (went into new Hồ Chí Minh), a sibling of old Bình Phước and old Đồng Nai: its own 50, its
      // district Thủ Dầu Một's 20 and its ward Chánh Mỹ's March 2.
      '2025-03:74,2024,hotline_calls,50,2024-12-10',
      '2025-03:718,2024,hotline_calls,20,2024-12-10',
      '2025-03:25774,202403,hotline_calls,2,2024-04-05',
    ),
  );
  const result = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(result.files.map((f) => [f.status, f.issues.map((i) => i.message)])).toEqual([['loaded', []]]);
  const key = async (name: Key, ref: string) => {
    const k = await createApiKey(w, { role: 'analyst', unitId: await unitId(w, ref), label: name });
    tokens[name] = k.token;
    return k;
  };
  await key('dongNai', '2025-07:75');
  await key('trungDung', '2025-03:26041');
  await key('bienHoa', '2025-03:731');
  await key('nation', 'VN');
  await revokeApiKey(w, (await key('revoked', 'VN')).keyId);
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

describe('a key for new Đồng Nai (2025-07:75)', () => {
  const outside: UnitArg[] = [
    { unit: '2025-07:01' },
    { unit: '01' }, // today: new Hà Nội
    { unit: '01', asOf: '2025-07-01' },
    { unit: '2025-03:01' },
    { unit: '01', asOf: '2024-12-31' }, // old Hà Nội
    { unit: '2025-03:001' }, // an old district of Hà Nội
    { unit: '2025-07:00004' }, // a new commune of Hà Nội
    { unit: 'VN' },
  ];
  for (const name of Object.keys(QUERIES).filter((n) => n !== 'adminUnits')) {
    it(`${name}: FORBIDDEN with no data for every unit outside, by prefixed and plain code`, async () => {
      for (const arg of outside) await expectForbidden('dongNai', name, arg);
    });
  }

  it('adminUnits: FORBIDDEN with no data for a parent outside', async () => {
    for (const arg of outside.filter((a) => a.unit !== 'VN')) await expectForbidden('dongNai', 'adminUnits', arg);
  });

  it('sees itself and, through the reform, old Bình Phước and old Đồng Nai, in every query', async () => {
    const inside: UnitArg[] = [
      { unit: '2025-07:75' },
      { unit: '75' },
      { unit: '2025-03:70' },
      { unit: '70', asOf: '2024-12-31' },
      { unit: '2025-03:75' },
      { unit: '75', asOf: '2025-06-30' },
      { unit: '2025-03:731' },
      { unit: '2025-03:26041' },
      { unit: '2025-07:26041' },
    ];
    for (const name of Object.keys(QUERIES)) for (const arg of inside) await expectAllowed('dongNai', name, arg);
  });

  it('gets the same answers about its units as a key for the whole country', async () => {
    for (const name of ['kpi', 'kpis', 'trend', 'breakdown', 'discrepancies'] as const) {
      for (const arg of [{ unit: '2025-03:70' }, { unit: '2025-07:75' }]) {
        expect(await expectAllowed('dongNai', name, arg), `${name}(${arg.unit})`).toEqual(
          await expectAllowed('nation', name, arg),
        );
      }
    }
    // Old Bình Phước as it was: its own 100; new Đồng Nai runs back through it: 2024 = 100 + Biên Hòa's 10.
    expect((await expectAllowed('dongNai', 'kpi', { unit: '2025-03:70' })).kpi).toEqual({
      unit: { ref: '2025-03:70' },
      value: 100,
    });
    expect((await expectAllowed('dongNai', 'kpi', { unit: '70', asOf: '2024-12-31' })).kpi).toEqual({
      unit: { ref: '2025-03:70' },
      value: 100,
    });
    expect((await expectAllowed('dongNai', 'trend', { unit: '75' })).trend).toEqual([
      { period: '2024', value: 110 },
      { period: '2025', value: 7 },
    ]);
    expect((await expectAllowed('dongNai', 'discrepancies', { unit: '2025-03:70' })).discrepancies).toEqual([
      { unit: { ref: '2025-03:70' }, reported: 100 },
    ]);
  });

  it('breakdown rows and compliance’s missing never list a unit outside its scope', async () => {
    const visible = await subtreeRefs('2025-07:75', '2025-03:75', '2025-03:70');
    const lists: [string, UnitArg, (d: any) => { ref: string }[]][] = [
      ['breakdown', { unit: '2025-07:75' }, (d) => d.breakdown.map((r: any) => r.unit)],
      ['breakdownByLevel', { unit: '2025-07:75' }, (d) => d.breakdown.map((r: any) => r.unit)],
      ['breakdown', { unit: '2025-03:70' }, (d) => d.breakdown.map((r: any) => r.unit)],
      ['breakdownByLevel', { unit: '75', asOf: '2024-12-31' }, (d) => d.breakdown.map((r: any) => r.unit)],
      ['reportingCompliance', { unit: '2025-07:75' }, (d) => d.reportingCompliance.missing],
      ['reportingCompliance', { unit: '2025-03:75' }, (d) => d.reportingCompliance.missing],
      ['adminUnits', { unit: '2025-07:75' }, (d) => d.adminUnits],
    ];
    for (const [name, arg, units] of lists) {
      const refs = units(await expectAllowed('dongNai', name, arg)).map((u) => u.ref);
      expect(refs.length, `${name}(${describeArg(arg)})`).toBeGreaterThan(0);
      expect(
        refs.filter((r) => !visible.has(r)),
        `${name}(${describeArg(arg)})`,
      ).toEqual([]);
    }
    // March 2024 for new Đồng Nai: the old units it was made of (old Đồng Nai's and Bình Phước's districts and
    // wards); Trung Dũng and An Bình reported; nothing of Hà Nội (Trúc Bạch also reported).
    const c = (await expectAllowed('dongNai', 'reportingCompliance', { unit: '2025-07:75' })).reportingCompliance;
    const oldUnits = [...visible].filter(
      (r) => r.startsWith('2025-03:') && r !== '2025-03:75' && r !== '2025-03:70',
    ).length;
    expect(c).toMatchObject({ expected: oldUnits, received: 2 });
    expect(c.missing).toHaveLength(oldUnits - 2);
  });
});

describe('a key for Trung Dũng, an old ward of Biên Hòa (2025-03:26041)', () => {
  const outside: UnitArg[] = [
    { unit: '2025-03:731' }, // its district
    { unit: '731', asOf: '2024-12-31' },
    { unit: '2025-03:75' },
    { unit: '2025-07:26041' }, // Trấn Biên: it merged there with five other wards
    { unit: '26041' }, // today, a plain code means Trấn Biên
    { unit: '2025-03:26050' }, // a sibling ward
    { unit: 'VN' },
  ];
  for (const name of Object.keys(QUERIES).filter((n) => n !== 'adminUnits')) {
    it(`${name}: FORBIDDEN with no data for its district and everything else outside`, async () => {
      for (const arg of outside) await expectForbidden('trungDung', name, arg);
    });
  }

  it('sees itself, by prefixed code and by plain code before the reform', async () => {
    for (const name of Object.keys(QUERIES)) {
      for (const arg of [{ unit: '2025-03:26041' }, { unit: '26041', asOf: '2025-06-30' }])
        await expectAllowed('trungDung', name, arg);
    }
    const c = (await expectAllowed('trungDung', 'reportingCompliance', { unit: '2025-03:26041' })).reportingCompliance;
    expect(c).toEqual({ expected: 1, received: 1, missing: [] });
    expect((await expectAllowed('trungDung', 'breakdown', { unit: '2025-03:26041' })).breakdown).toEqual([]);
  });
});

describe('compliance under a scoped key', () => {
  it('missing lists only units inside the scope', async () => {
    // Old Biên Hòa for September 2025: the communes its wards went into. Trảng Dài, Hố Nai and Tân Triều also took
    // wards from elsewhere: outside the key's scope, never listed.
    const r = await ok('bienHoa', '{ reportingCompliance(unit: "2025-03:731", period: "202509") { missing { ref } } }');
    const missing = r.reportingCompliance.missing.map((u: { ref: string }) => u.ref).sort();
    expect(missing).toEqual([
      '2025-07:26017',
      '2025-07:26020',
      '2025-07:26068',
      '2025-07:26374',
      '2025-07:26377',
      '2025-07:26380',
    ]);
    for (const ref of ['2025-07:25993', '2025-07:26005', '2025-07:26188']) {
      expect(codes(await q('bienHoa', `{ adminUnit(code: "${ref}") { ref } }`)), ref).toEqual(['FORBIDDEN']);
    }
  });

  it('the counts cover only units inside the scope, like missing', async () => {
    // Inside: Tam Hiệp, Long Bình, Trấn Biên, Biên Hòa, Tam Phước, Phước Tân, Long Hưng (7); Trấn Biên reported on
    // time.
    const bienHoa = (
      await ok(
        'bienHoa',
        '{ reportingCompliance(unit: "2025-03:731", period: "202509") { expected received onTime late pending ' +
          'missing { ref } } }',
      )
    ).reportingCompliance;
    expect
      .soft({ ...bienHoa, missing: bienHoa.missing.length })
      .toEqual({ expected: 7, received: 1, onTime: 1, late: 0, pending: 0, missing: 6 });
    const trungDung = (
      await ok(
        'trungDung',
        '{ reportingCompliance(unit: "2025-03:26041", period: "202509") { expected received onTime missing { ref } ' +
          '} }',
      )
    ).reportingCompliance;
    expect.soft(trungDung).toEqual({ expected: 0, received: 0, onTime: 0, missing: [] });
  });
});

describe('a revoked key', () => {
  it('gets 401 UNAUTHENTICATED and no data from every query', async () => {
    for (const [name, query] of Object.entries(QUERIES)) {
      const r = await q('revoked', query, { unit: 'VN' });
      expect(r.status, name).toBe(401);
      expect(r.body, name).not.toHaveProperty('data');
      expect(codes(r), name).toEqual(['UNAUTHENTICATED']);
      expect(r.body.errors![0].message, name).toMatch(/was revoked on \d{4}-\d{2}-\d{2}/);
    }
    // The same queries with a good key answer.
    for (const [name, query] of Object.entries(QUERIES))
      expect((await q('nation', query, { unit: 'VN' })).status, name).toBe(200);
  });
});

describe('through the reform', () => {
  const MONTHLY =
    'query($unit: String!, $asOf: String) { trend(indicator: "hotline_calls", unit: $unit, from: "2024", to: ' +
    '"2025", granularity: MONTH, asOf: $asOf) { period value } }';

  it(
    'an old ward’s key asking for the history of the commune it merged into (a trend through the reform): ' +
      'FORBIDDEN, no data',
    async () => {
      // Trấn Biên's history before the reform is the sum of Trung Dũng and five other wards; after it, Trấn Biên's own.
      for (const arg of [{ unit: '2025-07:26041' }, { unit: '26041' }, { unit: '26041', asOf: '2025-07-01' }]) {
        const r = await q('trungDung', MONTHLY, arg);
        expect(
          Object.values(r.body.data ?? {}).filter((v) => v !== null),
          describeArg(arg),
        ).toEqual([]);
        expect(codes(r), describeArg(arg)).toEqual(['FORBIDDEN']);
        expect(r.text).not.toMatch(/"value":\s*[0-9]/);
      }
      // Its own trend runs through the reform too, but stops there: the old ward has no figures after 30/6/2025, and
      // Trấn Biên's September 4 does not show up in it.
      const own = (await expectAllowed('trungDung', 'trend', { unit: '2025-03:26041' })).trend;
      expect(own).toEqual([
        { period: '2024', value: 1 },
        { period: '2025', value: null },
      ]);
      const r = await q('trungDung', MONTHLY, { unit: '2025-03:26041' });
      expect(r.body.errors).toBeUndefined();
      const points = r.body.data.trend as { period: string; value: number | null }[];
      expect(points).toHaveLength(24);
      expect(points.filter((p) => p.value !== null)).toEqual([{ period: '202403', value: 1 }]);
      // The link itself is filtered: Trung Dũng's successor (Trấn Biên) is outside the key's scope.
      expect(
        (await ok('trungDung', '{ adminUnit(code: "2025-03:26041") { ref successors { ref } parent { ref } } }'))
          .adminUnit,
      ).toEqual({ ref: '2025-03:26041', successors: [], parent: null });
      // A key for the whole country sees the same link and Trấn Biên's figures (so the two answers above are filtered).
      expect(
        (await ok('nation', '{ adminUnit(code: "2025-03:26041") { successors { ref } } }')).adminUnit.successors,
      ).toEqual([{ ref: '2025-07:26041' }]);
      expect(
        (await ok('nation', MONTHLY, { unit: '2025-07:26041' })).trend.filter(
          (p: { value: number | null }) => p.value !== null,
        ),
      ).toEqual([
        { period: '202403', value: 3 },
        { period: '202509', value: 4 },
      ]);
    },
  );

  it('a new province’s key asking about its predecessors’ siblings: FORBIDDEN by code, left out of every list', async () => {
    // Old Bình Dương (74), its district Thủ Dầu Một (718) and ward Chánh Mỹ (25774): siblings and cousins of old Bình
    // Phước and old Đồng Nai, which new Đồng Nai's key sees.
    const siblings: UnitArg[] = [
      { unit: '2025-03:74' },
      { unit: '74', asOf: '2024-12-31' },
      { unit: '2025-03:718' },
      { unit: '2025-03:25774' },
      { unit: '25774', asOf: '2025-06-30' },
      { unit: '2025-03:72' },
      { unit: '2025-03:67' }, // old Tây Ninh and Đắk Nông, also neighbours of Bình Phước
      { unit: 'VN', asOf: '2024-12-31' }, // the old provinces' parent: a breakdown under it would list them all
    ];
    for (const name of Object.keys(QUERIES)) for (const arg of siblings) await expectForbidden('dongNai', name, arg);
    // Lists: under VN as of 2024 (no parent given), only the two old provinces the key sees; no search finds the
    // others.
    const provinces = (await ok('dongNai', '{ adminUnits(asOf: "2024-12-31") { ref } }')).adminUnits
      .map((u: { ref: string }) => u.ref)
      .sort();
    expect(provinces).toEqual(['2025-03:70', '2025-03:75']);
    expect((await ok('nation', '{ adminUnits(asOf: "2024-12-31") { ref } }')).adminUnits).toHaveLength(63);
    for (const search of ['binh duong', 'thu dau mot', 'chanh my']) {
      const query = `{ adminUnits(search: "${search}", asOf: "2024-12-31") { ref } }`;
      const mine = (await ok('dongNai', query)).adminUnits.map((u: { ref: string }) => u.ref);
      const all = (await ok('nation', query)).adminUnits.map((u: { ref: string }) => u.ref);
      expect(all.length, search).toBeGreaterThan(0);
      const visible = await subtreeRefs('2025-07:75', '2025-03:75', '2025-03:70');
      expect(
        mine.filter((r: string) => !visible.has(r)),
        search,
      ).toEqual([]);
      expect(mine, search).not.toContain('2025-03:74');
    }
    // Links: old Bình Phước's parent (VN) is outside the scope; old Đồng Nai's successor is new Đồng Nai, inside.
    expect(
      (await ok('dongNai', '{ adminUnit(code: "2025-03:70") { parent { ref } successors { ref } } }')).adminUnit,
    ).toEqual({ parent: null, successors: [{ ref: '2025-07:75' }] });
    // Discrepancies and breakdowns under what the key sees never reach old Bình Dương's figures (50 against 20).
    const dis = (await expectAllowed('dongNai', 'discrepancies', { unit: '2025-07:75' })).discrepancies.map(
      (d: { unit: { ref: string } }) => d.unit.ref,
    );
    expect(dis).not.toContain('2025-03:74');
    expect(
      (await ok('nation', '{ discrepancies(unit: "VN", period: "2024") { unit { ref } } }')).discrepancies.map(
        (d: { unit: { ref: string } }) => d.unit.ref,
      ),
    ).toContain('2025-03:74');
  });
});

/**
 * Every argument of every field of the live schema, classified, so that a new query or argument cannot skip the
 * access tests above:
 * - `unit`: names a unit (or several) by code: the matrix (QUERIES) must pass an outside unit through it and get
 *   FORBIDDEN with no data;
 * - `unit-name`: finds units by name: its results are filtered (tested above with searches for outside units);
 * - `modifier`: changes which unit a code means or how far below it an answer reaches (asOf, level): asOf goes
 *   through the matrix with every unit;
 * - `other`: names no unit.
 * An argument missing here fails, and so does one classified `other` whose name or type looks like a unit's.
 */
const ARGUMENTS: Record<string, 'unit' | 'unit-name' | 'modifier' | 'other'> = {
  'Query.periods.type': 'other',
  'Query.periods.hierarchy': 'other',
  'Query.periods.limit': 'other',
  'Query.complianceByUnit.period': 'other',
  'Query.complianceByUnit.unit': 'unit',
  'Query.complianceByUnit.level': 'modifier',
  'Query.complianceByUnit.asOf': 'modifier',
  'Query.adminUnit.code': 'unit',
  'Query.adminUnit.asOf': 'modifier',
  'Query.adminUnits.parent': 'unit',
  'Query.adminUnits.level': 'modifier',
  'Query.adminUnits.asOf': 'modifier',
  'Query.adminUnits.search': 'unit-name',
  'Query.adminUnits.limit': 'other',
  'Query.kpi.indicator': 'other',
  'Query.kpi.period': 'other',
  'Query.kpi.unit': 'unit',
  'Query.kpi.asOf': 'modifier',
  'Query.kpi.sex': 'other',
  'Query.kpi.ageGroup': 'other',
  'Query.kpis.indicators': 'other',
  'Query.kpis.period': 'other',
  'Query.kpis.unit': 'unit',
  'Query.kpis.asOf': 'modifier',
  'Query.kpis.sex': 'other',
  'Query.kpis.ageGroup': 'other',
  'Query.trend.indicator': 'other',
  'Query.trend.from': 'other',
  'Query.trend.to': 'other',
  'Query.trend.granularity': 'other',
  'Query.trend.unit': 'unit',
  'Query.trend.asOf': 'modifier',
  'Query.trend.sex': 'other',
  'Query.trend.ageGroup': 'other',
  'Query.breakdown.indicator': 'other',
  'Query.breakdown.period': 'other',
  'Query.breakdown.unit': 'unit',
  'Query.breakdown.level': 'modifier',
  'Query.breakdown.asOf': 'modifier',
  'Query.breakdown.sex': 'other',
  'Query.breakdown.ageGroup': 'other',
  'Query.reportingCompliance.period': 'other',
  'Query.reportingCompliance.unit': 'unit',
  'Query.reportingCompliance.level': 'modifier',
  'Query.reportingCompliance.asOf': 'modifier',
  'Query.discrepancies.period': 'other',
  'Query.discrepancies.unit': 'unit',
  'Query.discrepancies.asOf': 'modifier',
  'Query.campaigns.from': 'other',
  'Query.campaigns.to': 'other',
  'Query.report.unit': 'unit',
  'Query.report.period': 'other',
  'Query.report.asOf': 'modifier',
};

/** Names and types that suggest an argument picks units. */
const UNIT_LIKE_NAME =
  /unit|code|parent|child|within|under|ancestor|descendant|province|district|ward|commune|region|area|place|location|scope|search|where|filter/i;
const UNIT_LIKE_TYPE = /unit|area|place|location|region|scope|filter/i;

describe('scope checks cover every argument that names a unit (the live schema, introspected over HTTP)', () => {
  /** `Type.field.arg` (and `Type.field.arg.inputField…` inside input objects) → the argument's named type. */
  async function liveArguments(): Promise<Map<string, string>> {
    const schema = buildClientSchema((await ok('nation', getIntrospectionQuery())) as any);
    const out = new Map<string, string>();
    const walk = (path: string, type: GraphQLInputType, seen: Set<string>) => {
      const named = getNamedType(type);
      out.set(path, `${isListType(isNonNullType(type) ? type.ofType : type) ? '[' : ''}${named.name}`);
      if (isInputObjectType(named) && !seen.has(named.name)) {
        for (const f of Object.values(named.getFields()))
          walk(`${path}.${f.name}`, f.type, new Set([...seen, named.name]));
      }
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args as readonly GraphQLArgument[])
          walk(`${type.name}.${field.name}.${arg.name}`, arg.type, new Set());
      }
    }
    return out;
  }

  /** `Query.field.arg` bound to `$unit` (and to `$asOf`) in the matrix's documents. */
  function matrixBindings(): { unit: Set<string>; asOf: Set<string> } {
    const unit = new Set<string>();
    const asOf = new Set<string>();
    for (const doc of Object.values(QUERIES)) {
      visit(parse(doc), {
        Field(field) {
          for (const arg of field.arguments ?? []) {
            if (arg.value.kind !== Kind.VARIABLE) continue;
            if (arg.value.name.value === 'unit') unit.add(`Query.${field.name.value}.${arg.name.value}`);
            if (arg.value.name.value === 'asOf') asOf.add(`Query.${field.name.value}.${arg.name.value}`);
          }
        },
      });
    }
    return { unit, asOf };
  }

  it('every argument of the schema is classified, and none classified as naming no unit looks like it names one', async () => {
    const live = await liveArguments();
    expect([...live.keys()].sort(), 'arguments in the schema but not classified here (or classified but gone)').toEqual(
      Object.keys(ARGUMENTS).sort(),
    );
    const suspicious = [...live].filter(
      ([path, type]) =>
        ARGUMENTS[path] === 'other' &&
        (UNIT_LIKE_NAME.test(path.split('.').slice(2).join('.')) || UNIT_LIKE_TYPE.test(type)),
    );
    expect(suspicious, 'arguments classified `other` that look like they name units').toEqual([]);
    // The classification is not vacuous: the arguments naming units are the ones the resolvers scope.
    expect(
      Object.entries(ARGUMENTS)
        .filter(([, c]) => c === 'unit')
        .map(([p]) => p)
        .sort(),
    ).toEqual([
      'Query.adminUnit.code',
      'Query.adminUnits.parent',
      'Query.breakdown.unit',
      'Query.complianceByUnit.unit',
      'Query.discrepancies.unit',
      'Query.kpi.unit',
      'Query.kpis.unit',
      'Query.report.unit',
      'Query.reportingCompliance.unit',
      'Query.trend.unit',
    ]);
  });

  it('the access matrix sends an outside unit through every argument that names a unit, and asOf along with it', async () => {
    const bound = matrixBindings();
    const unitArgs = Object.entries(ARGUMENTS)
      .filter(([, c]) => c === 'unit')
      .map(([p]) => p);
    expect(
      unitArgs.filter((p) => !bound.unit.has(p)),
      'unit arguments the matrix never exercises',
    ).toEqual([]);
    const asOfArgs = Object.keys(ARGUMENTS).filter(
      (p) => p.endsWith('.asOf') && unitArgs.some((u) => u.split('.')[1] === p.split('.')[1]),
    );
    expect(
      asOfArgs.filter((p) => !bound.asOf.has(p)),
      'asOf arguments the matrix never exercises',
    ).toEqual([]);
    // …and the matrix really refuses through each one: one outside unit per argument, checked again here.
    for (const name of Object.keys(QUERIES)) await expectForbidden('trungDung', name, { unit: '2025-03:26050' });
  });
});
