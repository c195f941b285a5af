/**
 * adminUnit / adminUnits over real HTTP: both lists, codes resolved by date or prefix, the reform's lineage both
 * ways, the name search, argument errors and the row cap. An anonymous viewer of the whole country asks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vietnamToday } from '../../schema/periods.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { MAX_ROWS } from '../../api/graphql/limits.ts';
import { cleanupTemp, freshWarehouse } from '../helpers.ts';
import { codes, gql, projectRoot } from './client.ts';

let server: RunningServer;
const q = (query: string, variables?: Record<string, unknown>) => gql(server.url, query, { variables });

beforeAll(async () => {
  server = await startServer({ warehouse: await freshWarehouse(), port: 0, anonymous: 'viewer' });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

const UNIT = 'code ref name type fullName level hierarchy validFrom validTo';

describe('adminUnit', () => {
  it('finds a unit by prefixed code, with its parent', async () => {
    const r = await q(`{ adminUnit(code: "2025-07:75") { ${UNIT} parent { ref level } } }`);
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.adminUnit).toEqual({
      code: '75',
      ref: '2025-07:75',
      name: 'Đồng Nai',
      type: 'Tỉnh',
      fullName: 'Tỉnh Đồng Nai',
      level: 'PROVINCE',
      hierarchy: '2025-07',
      validFrom: '2025-07-01',
      validTo: null,
      parent: { ref: 'VN', level: 'NATIONAL' },
    });
  });

  it('resolves a plain code by asOf on both sides of 1 July 2025; a prefix wins over asOf', async () => {
    const r = await q(`{
      before: adminUnit(code: "00004", asOf: "2024-12-31") { ref name hierarchy validTo }
      lastOld: adminUnit(code: "00004", asOf: "2025-06-30") { ref name }
      firstNew: adminUnit(code: "00004", asOf: "2025-07-01") { ref name }
      today: adminUnit(code: "00004") { ref name hierarchy validFrom }
      oldByPrefix: adminUnit(code: "2025-03:00004") { ref name }
      newByPrefix: adminUnit(code: "2025-07:00004", asOf: "2024-12-31") { ref name }
      nation: adminUnit(code: "VN", asOf: "2024-12-31") { ref name level hierarchy parent { ref } }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({
      before: { ref: '2025-03:00004', name: 'Trúc Bạch', hierarchy: '2025-03', validTo: '2025-06-30' },
      lastOld: { ref: '2025-03:00004', name: 'Trúc Bạch' },
      firstNew: { ref: '2025-07:00004', name: 'Ba Đình' },
      today: { ref: '2025-07:00004', name: 'Ba Đình', hierarchy: '2025-07', validFrom: '2025-07-01' },
      oldByPrefix: { ref: '2025-03:00004', name: 'Trúc Bạch' },
      newByPrefix: { ref: '2025-07:00004', name: 'Ba Đình' },
      nation: { ref: 'VN', name: 'Việt Nam', level: 'NATIONAL', hierarchy: 'national', parent: null },
    });
    expect(vietnamToday() >= '2025-07-01').toBe(true); // "today" above assumes the new list is in force
  });

  it('is null for a well-formed code that names no unit', async () => {
    const r = await q('{ adminUnit(code: "2025-07:99") { ref } }');
    expect(r.body).toEqual({ data: { adminUnit: null } });
  });

  it('rejects a malformed code or date with BAD_USER_INPUT naming the argument and what is expected', async () => {
    const r = await q(
      '{ a: adminUnit(code: "7") { ref } b: adminUnit(code: "75", asOf: "2024-13-01") { ref } ok: adminUnit(code: "VN") { ref } }',
    );
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual({ a: null, b: null, ok: { ref: 'VN' } });
    const byPath = Object.fromEntries(r.body.errors!.map((e) => [e.path![0], e]));
    expect(byPath.a.extensions?.code).toBe('BAD_USER_INPUT');
    expect(byPath.a.message).toMatch(/^code: "7" is not a unit: expected VN, a code of 2 \(province\)/);
    expect(byPath.a.extensions?.argumentName).toBe('code');
    expect(byPath.b.message).toMatch(/^asOf: "2024-13-01" is not a date: expected YYYY-MM-DD/);
    // adminUnits is a non-null list: its error nulls the whole data.
    const c = await q('{ adminUnits(parent: "2025-07:731") { ref } }');
    expect(c.body.data).toBeNull();
    expect(codes(c)).toEqual(['BAD_USER_INPUT']);
    expect(c.body.errors![0].message).toMatch(/^parent: no unit "2025-07:731" in the 2025-07 list/);
  });
});

describe('adminUnits', () => {
  it('lists the communes of new Đồng Nai: every one of the reference list, no more', async () => {
    const csv = fs.readFileSync(path.join(projectRoot, 'schema/reference/admin-units-2025-07-01.csv'), 'utf8');
    const expected = csv
      .split('\n')
      .filter((l) => /^commune,\d{5},.*,75$/.test(l.trim()))
      .map((l) => `2025-07:${l.split(',')[1]}`)
      .sort();
    expect(expected.length).toBeGreaterThan(90);
    const r = await q('{ adminUnits(parent: "2025-07:75", level: WARD) { ref level hierarchy parent { ref } } }');
    expect(r.body.errors).toBeUndefined();
    const units = r.body.data.adminUnits as {
      ref: string;
      level: string;
      hierarchy: string;
      parent: { ref: string };
    }[];
    expect(units.map((u) => u.ref).sort()).toEqual(expected);
    expect(new Set(units.map((u) => `${u.level} ${u.hierarchy} ${u.parent.ref}`))).toEqual(
      new Set(['WARD 2025-07 2025-07:75']),
    );
  });

  it('without parent: the provinces of the list in force on asOf; level NATIONAL is the nation', async () => {
    const r = await q(`{
      today: adminUnits { ref level }
      before: adminUnits(asOf: "2024-12-31") { ref }
      nation: adminUnits(level: NATIONAL) { ref }
      oldDistrictsOfDongNai: adminUnits(parent: "2025-03:75", level: DISTRICT) { ref name }
      newHasNoDistricts: adminUnits(parent: "2025-07:75", level: DISTRICT) { ref }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.today).toHaveLength(34);
    expect(new Set(r.body.data.today.map((u: { level: string }) => u.level))).toEqual(new Set(['PROVINCE']));
    expect(r.body.data.today.every((u: { ref: string }) => u.ref.startsWith('2025-07:'))).toBe(true);
    expect(r.body.data.before).toHaveLength(63);
    expect(r.body.data.nation).toEqual([{ ref: 'VN' }]);
    expect(r.body.data.oldDistrictsOfDongNai).toContainEqual({ ref: '2025-03:731', name: 'Biên Hòa' });
    expect(r.body.data.newHasNoDistricts).toEqual([]);
  });

  it('children, parent and the reform both ways: old 70 went into new 75, which came from old 70 and 75', async () => {
    const r = await q(`{
      old70: adminUnit(code: "2025-03:70") { name successors { ref name transfer } predecessors { ref } }
      new75: adminUnit(code: "75") { predecessors { ref name transfer } successors { ref } }
      bienHoa: adminUnit(code: "2025-03:731") { children { ref level parent { ref } } }
      tranBien: adminUnit(code: "2025-07:26041") { predecessors { ref } }
    }`);
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data;
    expect(d.old70).toEqual({
      name: 'Bình Phước',
      successors: [{ ref: '2025-07:75', name: 'Đồng Nai', transfer: 'FULL' }],
      predecessors: [],
    });
    expect(d.new75.predecessors).toEqual([
      { ref: '2025-03:70', name: 'Bình Phước', transfer: 'FULL' },
      { ref: '2025-03:75', name: 'Đồng Nai', transfer: 'FULL' },
    ]);
    expect(d.new75.successors).toEqual([]);
    expect(d.bienHoa.children.length).toBeGreaterThan(20);
    expect(d.bienHoa.children).toContainEqual({ ref: '2025-03:26041', level: 'WARD', parent: { ref: '2025-03:731' } });
    expect(d.tranBien.predecessors.map((u: { ref: string }) => u.ref)).toEqual([
      '2025-03:26011',
      '2025-03:26023',
      '2025-03:26029',
      '2025-03:26041',
      '2025-03:26050',
      '2025-03:26065',
    ]);
  });

  it('search ignores case and diacritics, prefix matches first, within the list in force', async () => {
    const r = await q(`{
      today: adminUnits(search: "BIEN hoa") { ref name level }
      before: adminUnits(search: "biên hoà", asOf: "2024-12-31") { ref name level }
      inProvince: adminUnits(parent: "2025-03:75", search: "tan", limit: 3) { ref name }
      empty: adminUnits(search: "", asOf: "2024-12-31") { ref }
    }`);
    expect(r.body.errors).toBeUndefined();
    const d = r.body.data;
    expect(d.today[0]).toEqual({ ref: '2025-07:26068', name: 'Biên Hòa', level: 'WARD' });
    expect(d.today.every((u: { ref: string }) => u.ref.startsWith('2025-07:'))).toBe(true);
    expect(d.before).toContainEqual({ ref: '2025-03:731', name: 'Biên Hòa', level: 'DISTRICT' });
    expect(d.before[0].level).toBe('DISTRICT'); // higher levels first among equal matches
    expect(d.inProvince).toHaveLength(3);
    expect(d.inProvince.every((u: { name: string }) => /^T[âấầẩẫậaáàảãạ]n/i.test(u.name))).toBe(true);
    expect(d.empty).toHaveLength(63); // an empty search box lists the provinces
  });

  it(`a list of more than ${MAX_ROWS} rows is refused with TOO_MANY_ROWS saying how to narrow it; limit narrows it`, async () => {
    const r = await q('{ adminUnits(level: WARD, asOf: "2024-12-31") { ref } }');
    expect(r.body.data).toBeNull();
    expect(codes(r)).toEqual(['TOO_MANY_ROWS']);
    expect(r.body.errors![0].message).toBe(
      'adminUnits would return 10,047 rows; a list holds at most 5,000: narrow it with parent, level, search or limit',
    );
    const limited = await q('{ adminUnits(level: WARD, asOf: "2024-12-31", limit: 10) { ref } }');
    expect(limited.body.data.adminUnits).toHaveLength(10);
    const bad = await q('{ adminUnits(limit: 0) { ref } }');
    expect(bad.body.errors![0].message).toBe('limit: 0 is out of range: expected 1 to 5000');
  });
});
