/**
 * Answers as files (`POST /export?format=csv|xlsx`) over real HTTP: a viewer's file carries exactly what the
 * viewer's JSON answer carries (suppressed figures empty, units outside the key's scope absent, a forbidden unit an
 * error and no file), an analyst's the figures the viewer's lack; CSV is UTF-8 with a BOM, numbers are numbers in
 * the XLSX; an answer with no list, several lists, a bad format or path is a clear 400.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { tableOf } from '../../api/export/table.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

let w: Warehouse;
let server: RunningServer;
const tokens = { viewer: '', analyst: '' };
type Role = keyof typeof tokens;
/** The first 12 of old Biên Hòa's wards, by code: they report victims_legal_aid 0, 1, …, 11 for 2024. */
let ladder: string[];

beforeAll(async () => {
  w = await freshWarehouse();
  ladder = (
    await w.sql<{ ref: string }>(
      `SELECT ref FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = '2025-03:731') ORDER BY code ` +
        `LIMIT 12`,
    )
  ).map((r) => r.ref);
  const dir = tempDir('pcmbn-export-');
  writeFile(
    dir,
    'wards.csv',
    csv(
      'unit_code,period,indicator,value,submitted_on',
      ...ladder.map((ref, v) => `${ref},2024,victims_legal_aid,${v},2025-01-05`),
      '2025-03:26005,202401,victims_rescued,20,2024-02-05',
      '2025-03:26005,202402,victims_rescued,3,2024-03-05',
      '2025-03:26005,202403,victims_rescued,15,2024-04-05',
    ),
  );
  const result = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(result.files.map((f) => f.status)).toEqual(['loaded']);
  // The viewer sees old Biên Hòa and what lies under it; the analyst the whole country.
  tokens.viewer = (await createApiKey(w, { role: 'viewer', unitId: await unitId(w, '2025-03:731') })).token;
  tokens.analyst = (await createApiKey(w, { role: 'analyst', unitId: await unitId(w, 'VN') })).token;
  server = await startServer({ warehouse: w, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await cleanupTemp();
});

function exportFile(role: Role | null, query: string, search: string, variables?: Record<string, unknown>) {
  return fetch(`${server.origin}/export?${search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
}

async function json(role: Role, query: string, variables?: Record<string, unknown>) {
  return gql(server.url, query, { token: tokens[role], variables });
}

async function csvRows(res: Response): Promise<string[][]> {
  expect(res.status, await res.clone().text()).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="pcmbn-[\w.-]+\.csv"$/);
  const bytes = Buffer.from(await res.arrayBuffer());
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(bytes, { bom: true });
}

async function xlsxRows(res: Response): Promise<unknown[][]> {
  expect(res.status, await res.clone().text()).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
  const rows: unknown[][] = [];
  wb.worksheets[0].eachRow({ includeEmpty: true }, (row) => {
    const n = wb.worksheets[0].columnCount;
    rows.push(Array.from({ length: n }, (_, i) => row.getCell(i + 1).value ?? null));
  });
  return rows;
}

const at = (item: unknown, path: string) =>
  path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], item);

/** The JSON list as the CSV should hold it: a row per item, cells by column name, empty for null. */
const asCsv = (items: unknown[], columns: string[]) =>
  items.map((item) => columns.map((c) => (at(item, c) === null ? '' : String(at(item, c)))));
/** …and as the XLSX should: numbers and booleans typed, null empty. */
const asXlsx = (items: unknown[], columns: string[]) => items.map((item) => columns.map((c) => at(item, c)));

const WARDS = `{ breakdown(indicator: "victims_legal_aid", unit: "2025-03:731", period: "2024", level: WARD) {
  unit { ref name } value rank status suppressed } }`;

describe('a file carries what the JSON answer carries', () => {
  it("a viewer's CSV and XLSX hold the viewer's figures: withheld ones empty with suppressed true", async () => {
    const answer = await json('viewer', WARDS);
    expect(answer.body.errors).toBeUndefined();
    const items = answer.body.data.breakdown as { unit: { ref: string }; value: number | null; suppressed: boolean }[];
    // A viewer gets no victims figure below the province, whatever its value: the whole ladder, 0 to 11, is withheld.
    const byRef = new Map(items.map((i) => [i.unit.ref, i]));
    expect(ladder.map((ref) => byRef.get(ref)?.value ?? null)).toEqual(Array(12).fill(null));
    expect(ladder.every((ref) => byRef.get(ref)?.suppressed)).toBe(true);

    const columns = ['unit.ref', 'unit.name', 'value', 'rank', 'status', 'suppressed'];
    const fromCsv = await csvRows(await exportFile('viewer', WARDS, 'format=csv'));
    expect(fromCsv[0]).toEqual(columns);
    expect(fromCsv.slice(1)).toEqual(asCsv(items, columns));
    const suppressedRow = fromCsv.find((r) => r[0] === ladder[5])!;
    expect([suppressedRow[2], suppressedRow[5]]).toEqual(['', 'true']);

    const fromXlsx = await xlsxRows(await exportFile('viewer', WARDS, 'format=xlsx'));
    expect(fromXlsx[0]).toEqual(columns);
    expect(fromXlsx.slice(1)).toEqual(asXlsx(items, columns));
    // The analyst's file has the same figures as numbers, typed in the XLSX.
    const analystXlsx = await xlsxRows(await exportFile('analyst', WARDS, 'format=xlsx'));
    expect(analystXlsx.find((r) => r[0] === ladder[11])![2]).toBe(11);
    expect(analystXlsx.find((r) => r[0] === ladder[0])![2]).toBe(0);
  });

  it('a query that does not ask for suppressed still gets its column wherever the items have one', async () => {
    const query = `{ breakdown(indicator: "victims_legal_aid", unit: "2025-03:731", period: "2024", level: WARD) {
      unit { ref } value } }`;
    const items = (await json('viewer', WARDS)).body.data.breakdown;
    const rows = await csvRows(await exportFile('viewer', query, 'format=csv'));
    expect(rows[0]).toEqual(['unit.ref', 'value', 'suppressed']);
    expect(rows.slice(1)).toEqual(asCsv(items, ['unit.ref', 'value', 'suppressed']));
    // Every ward's victims figure is withheld from a viewer: each row empty, flagged.
    expect(rows.length - 1).toBeGreaterThanOrEqual(ladder.length);
    expect(rows.slice(1).filter((r) => r[1] !== '' || r[2] !== 'true')).toEqual([]);
  });

  it("an analyst's file has the figures a viewer's lacks: the key's role applies", async () => {
    const rows = await csvRows(await exportFile('analyst', WARDS, 'format=csv'));
    const value = new Map(rows.slice(1).map((r) => [r[0], r[2]]));
    expect(ladder.map((ref) => value.get(ref))).toEqual(ladder.map((_, v) => String(v)));
  });

  it("a viewer's list leaves out what lies outside the key's scope, in the file as in JSON", async () => {
    const query = '{ adminUnits(level: DISTRICT, asOf: "2024-12-31") { ref name level } }';
    const viewer = (await json('viewer', query)).body.data.adminUnits as { ref: string }[];
    const analyst = (await json('analyst', query)).body.data.adminUnits as { ref: string }[];
    expect(viewer.length).toBeGreaterThan(0);
    expect(analyst.length).toBeGreaterThan(viewer.length);
    const rows = await csvRows(await exportFile('viewer', query, 'format=csv'));
    expect(rows.slice(1)).toEqual(asCsv(viewer, ['ref', 'name', 'level']));
  });

  it('a unit outside the scope is the same FORBIDDEN error as in JSON, and no file', async () => {
    const query =
      '{ trend(indicator: "victims_rescued", unit: "2025-03:01", from: "2024", to: "2024", granularity: YEAR) { ' +
      'period value } }';
    const answer = await json('viewer', query);
    expect(answer.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const res = await exportFile('viewer', query, 'format=xlsx');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await res.json()).errors).toEqual(answer.body.errors);
  });

  it('variables are taken as for /graphql', async () => {
    const query = `query T($unit: String!) { trend(indicator: "victims_rescued", unit: $unit, from: "202401", to: "202403", granularity: MONTH) {
      period value suppressed } }`;
    const variables = { unit: '2025-03:26005' };
    const items = (await json('viewer', query, variables)).body.data.trend as { period: string; suppressed: boolean }[];
    expect(items.map((i) => i.period)).toEqual(['202401', '202402', '202403']);
    expect(items[1].suppressed).toBe(true); // February's 3
    const rows = await csvRows(await exportFile('viewer', query, 'format=csv', variables));
    expect(rows).toEqual([['period', 'value', 'suppressed'], ...asCsv(items, ['period', 'value', 'suppressed'])]);
  });
});

describe('refusals', () => {
  it('no key: 401 as for /graphql', async () => {
    const res = await exportFile(null, WARDS, 'format=csv');
    expect(res.status).toBe(401);
    expect((await res.json()).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('a body that is not JSON is refused as /graphql refuses it', async () => {
    const send = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${tokens.viewer}` },
        body: WARDS,
      });
    const [graphql, file] = [await send(server.url), await send(`${server.origin}/export?format=csv`)];
    expect(file.status).toBe(graphql.status);
    expect(file.status).toBeGreaterThanOrEqual(400);
    expect(await file.json()).toEqual(await graphql.json());
  });

  it(
    'a missing or unknown format, an answer with no list, several lists, or a path that is not a list: 400 saying ' +
      'what to do',
    async () => {
      const refusal = async (query: string, search: string) => {
        const res = await exportFile('viewer', query, search);
        expect(res.status).toBe(400);
        return (await res.json()).errors[0] as { message: string; extensions: { code: string; paths?: string[] } };
      };
      expect((await refusal(WARDS, '')).message).toMatch(/^format: expected csv or xlsx .* got nothing/);
      expect((await refusal(WARDS, 'format=pdf')).message).toMatch(/got "pdf"/);
      const none = await refusal(
        '{ kpi(indicator: "victims_rescued", unit: "2025-03:26005", period: "2024") { value } }',
        'format=csv',
      );
      expect(none).toMatchObject({ extensions: { code: 'NO_LIST' }, message: expect.stringMatching(/holds no list/) });
      const two = '{ a: adminUnits(parent: "2025-03:731") { ref } b: indicators { code } }';
      const several = await refusal(two, 'format=csv');
      expect(several.extensions).toEqual({ code: 'SEVERAL_LISTS', paths: ['a', 'b'] });
      expect(several.message).toMatch(/2 lists \(a, b\): choose one with the path argument/);
      expect((await refusal(two, 'format=csv&path=c')).message).toMatch(
        /^path: "c" is not a list in the answer; expected one of: a, b/,
      );
      const chosen = await csvRows(await exportFile('viewer', two, 'format=csv&path=b'));
      expect(chosen[0]).toEqual(['code']);
    },
  );
});

describe('tableOf', () => {
  it('flattens objects into dotted columns, keeps a nested list as JSON, and drops an object column that is only null', () => {
    const data = {
      report: {
        missing: [
          { unit: { ref: 'a', parent: null }, target: null, tags: ['x', 'y'], n: 1 },
          { unit: { ref: 'b', parent: { name: 'P' } }, target: { value: 95 }, tags: [], n: null },
        ],
      },
    };
    expect(tableOf(data)).toEqual({
      path: 'report.missing',
      columns: ['unit.ref', 'tags', 'n', 'unit.parent.name', 'target.value'],
      rows: [
        ['a', '["x","y"]', 1, null, null],
        ['b', '[]', null, 'P', 95],
      ],
    });
    expect(tableOf({ codes: ['a', 'b'] })).toEqual({ path: 'codes', columns: ['value'], rows: [['a'], ['b']] });
  });
});
