import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDICATORS } from '../../schema/catalogue.ts';
import { MIGRATIONS } from '../../schema/migrations.ts';
import { allPeriods } from '../../schema/periods.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';

const projectRoot = fileURLToPath(new URL('../../', import.meta.url));
const warehouseModule = pathToFileURL(path.join(projectRoot, 'schema/warehouse.ts')).href;

const dirs: string[] = [];
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcmbn-'));
  dirs.push(dir);
  return path.join(dir, 'warehouse.duckdb');
}

let w: Warehouse;
let dbPath: string;

beforeAll(async () => {
  dbPath = tempDb();
  w = await openWarehouse(dbPath);
});

afterAll(async () => {
  await w?.close();
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
});

async function one<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R> {
  const rows = await w.sql<R>(text, params);
  expect(rows).toHaveLength(1);
  return rows[0];
}

async function unitByRef(ref: string) {
  return one<{
    unit_id: number;
    hierarchy: string;
    code: string;
    name: string;
    type: string;
    level: string;
    parent_id: number | null;
  }>(`SELECT unit_id, hierarchy, code, name, type, level, parent_id FROM units WHERE ref = $1`, [ref]);
}

describe('units', () => {
  it('holds the nation, the old list (63/696/10,047) and the new list (34/3,321)', async () => {
    const rows = await w.sql<{ hierarchy: string; level: string; n: number }>(
      `SELECT hierarchy, level, count(*) AS n FROM units GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { hierarchy: '2025-03', level: 'district', n: 696 },
      { hierarchy: '2025-03', level: 'province', n: 63 },
      { hierarchy: '2025-03', level: 'ward', n: 10_047 },
      { hierarchy: '2025-07', level: 'province', n: 34 },
      { hierarchy: '2025-07', level: 'ward', n: 3_321 },
      { hierarchy: 'national', level: 'national', n: 1 },
    ]);
    const vn = await unitByRef('VN');
    expect(vn).toMatchObject({ hierarchy: 'national', code: 'VN', level: 'national', parent_id: null });
  });

  it('gives every unit a parent one level up in its own list (a province’s parent is the nation)', async () => {
    const rows = await w.sql<{
      hierarchy: string;
      level: string;
      parent_hierarchy: string | null;
      parent_level: string | null;
      n: number;
    }>(
      `SELECT c.hierarchy, c.level, p.hierarchy AS parent_hierarchy, p.level AS parent_level, count(*) AS n
       FROM units c LEFT JOIN units p ON p.unit_id = c.parent_id
       GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { hierarchy: '2025-03', level: 'district', parent_hierarchy: '2025-03', parent_level: 'province', n: 696 },
      { hierarchy: '2025-03', level: 'province', parent_hierarchy: 'national', parent_level: 'national', n: 63 },
      { hierarchy: '2025-03', level: 'ward', parent_hierarchy: '2025-03', parent_level: 'district', n: 10_047 },
      { hierarchy: '2025-07', level: 'province', parent_hierarchy: 'national', parent_level: 'national', n: 34 },
      { hierarchy: '2025-07', level: 'ward', parent_hierarchy: '2025-07', parent_level: 'province', n: 3_321 },
      { hierarchy: 'national', level: 'national', parent_hierarchy: null, parent_level: null, n: 1 },
    ]);
    // The parent is the one the reference list names, not just any unit of the right level.
    const mismatches = await one<{ n: number }>(
      `WITH src AS (
         SELECT '2025-03' AS h, code, parent_code FROM read_csv($1, header = true, all_varchar = true)
         UNION ALL
         SELECT '2025-07' AS h, code, parent_code FROM read_csv($2, header = true, all_varchar = true)
       )
       SELECT count(*) AS n FROM src
       JOIN units c ON c.hierarchy = src.h AND c.code = src.code
       JOIN units p ON p.unit_id = c.parent_id
       WHERE coalesce(src.parent_code, 'VN') <> p.code`,
      [
        path.join(projectRoot, 'schema/reference/admin-units-2025-03-01.csv'),
        path.join(projectRoot, 'schema/reference/admin-units-2025-07-01.csv'),
      ],
    );
    expect(mismatches.n).toBe(0);
  });

  it('keeps refs unique and dates each list’s validity', async () => {
    const { n, refs } = await one<{ n: number; refs: number }>(
      `SELECT count(*) AS n, count(DISTINCT ref) AS refs FROM units`,
    );
    expect(refs).toBe(n);
    const validity = await w.sql<{ hierarchy: string; valid_from: string | null; valid_to: string | null; n: number }>(
      `SELECT hierarchy, valid_from, valid_to, count(*) AS n FROM units GROUP BY ALL ORDER BY ALL`,
    );
    expect(validity).toEqual([
      { hierarchy: '2025-03', valid_from: null, valid_to: '2025-06-30', n: 63 + 696 + 10_047 },
      { hierarchy: '2025-07', valid_from: '2025-07-01', valid_to: null, n: 34 + 3_321 },
      { hierarchy: 'national', valid_from: null, valid_to: null, n: 1 },
    ]);
  });

  it('tells new commune 2025-07:00004 (Ba Đình) from old ward 2025-03:00004 (Trúc Bạch)', async () => {
    const baDinh = await unitByRef('2025-07:00004');
    const trucBach = await unitByRef('2025-03:00004');
    expect(baDinh.unit_id).not.toBe(trucBach.unit_id);
    expect(baDinh).toMatchObject({ hierarchy: '2025-07', code: '00004', name: 'Ba Đình', type: 'Phường' });
    expect(trucBach).toMatchObject({ hierarchy: '2025-03', code: '00004', name: 'Trúc Bạch', type: 'Phường' });
    expect((await unitByRef('2025-03:70')).name).toBe('Bình Phước');
    expect((await unitByRef('2025-03:75')).name).toBe('Đồng Nai');
    expect((await unitByRef('2025-07:75')).name).toBe('Đồng Nai');
  });
});

describe('unit_closure', () => {
  it('makes VN the ancestor of every unit of both lists', async () => {
    const { units } = await one<{ units: number }>(`SELECT count(*) AS units FROM units`);
    const { descendants } = await one<{ descendants: number }>(
      `SELECT count(DISTINCT descendant_id) AS descendants FROM unit_closure WHERE ancestor_id = (SELECT unit_id ` +
        `FROM units WHERE ref = 'VN')`,
    );
    expect(descendants).toBe(units);
    const missing = await one<{ n: number }>(
      `SELECT count(*) AS n FROM units u WHERE NOT EXISTS (
         SELECT 1 FROM unit_closure c JOIN units a ON a.unit_id = c.ancestor_id
         WHERE a.ref = 'VN' AND c.descendant_id = u.unit_id)`,
    );
    expect(missing.n).toBe(0);
  });

  it('puts old wards 3 steps below VN, districts and new communes 2, provinces 1', async () => {
    const rows = await w.sql<{ hierarchy: string; level: string; depth: number; n: number }>(
      `SELECT u.hierarchy, u.level, c.depth, count(*) AS n
       FROM unit_closure c JOIN units a ON a.unit_id = c.ancestor_id JOIN units u ON u.unit_id = c.descendant_id
       WHERE a.ref = 'VN' GROUP BY ALL ORDER BY ALL`,
    );
    expect(rows).toEqual([
      { hierarchy: '2025-03', level: 'district', depth: 2, n: 696 },
      { hierarchy: '2025-03', level: 'province', depth: 1, n: 63 },
      { hierarchy: '2025-03', level: 'ward', depth: 3, n: 10_047 },
      { hierarchy: '2025-07', level: 'province', depth: 1, n: 34 },
      { hierarchy: '2025-07', level: 'ward', depth: 2, n: 3_321 },
      { hierarchy: 'national', level: 'national', depth: 0, n: 1 },
    ]);
  });

  it('never links units of different lists except through VN, and holds each pair once', async () => {
    const crossing = await one<{ n: number }>(
      `SELECT count(*) AS n FROM unit_closure c JOIN units a ON a.unit_id = c.ancestor_id JOIN units d ON d.unit_id = c.descendant_id
       WHERE a.hierarchy <> 'national' AND a.hierarchy <> d.hierarchy`,
    );
    expect(crossing.n).toBe(0);
    const { rows, pairs } = await one<{ rows: number; pairs: number }>(
      `SELECT count(*) AS rows, count(DISTINCT (ancestor_id, descendant_id)) AS pairs FROM unit_closure`,
    );
    expect(pairs).toBe(rows);
    // Trúc Bạch's ancestors: itself, Ba Đình district (001), Hà Nội (01), VN.
    const ancestors = await w.sql<{ ref: string; depth: number }>(
      `SELECT a.ref, c.depth FROM unit_closure c JOIN units a ON a.unit_id = c.ancestor_id JOIN units d ON d.unit_id = c.descendant_id
       WHERE d.ref = '2025-03:00004' ORDER BY c.depth`,
    );
    expect(ancestors).toEqual([
      { ref: '2025-03:00004', depth: 0 },
      { ref: '2025-03:001', depth: 1 },
      { ref: '2025-03:01', depth: 2 },
      { ref: 'VN', depth: 3 },
    ]);
  });
});

describe('unit_lineage', () => {
  it('maps old Bình Phước (70) and old Đồng Nai (75) both wholly into new Đồng Nai (2025-07:75)', async () => {
    const rows = await w.sql<{ old_ref: string; new_ref: string; transfer: string; weight: number | null }>(
      `SELECT o.ref AS old_ref, n.ref AS new_ref, l.transfer, l.weight
       FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
       WHERE o.ref IN ('2025-03:70', '2025-03:75') ORDER BY o.ref`,
    );
    expect(rows).toEqual([
      { old_ref: '2025-03:70', new_ref: '2025-07:75', transfer: 'full', weight: 1 },
      { old_ref: '2025-03:75', new_ref: '2025-07:75', transfer: 'full', weight: 1 },
    ]);
    const intoDongNai = await w.sql<{ old_ref: string }>(
      `SELECT o.ref AS old_ref FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
       WHERE n.ref = '2025-07:75' ORDER BY 1`,
    );
    expect(intoDongNai.map((r) => r.old_ref)).toEqual(['2025-03:70', '2025-03:75']);
  });

  it('sends each of the 63 old provinces wholly into one new province', async () => {
    const rows = await w.sql<{ old_id: number; n: number; transfer: string; new_level: string; new_hierarchy: string }>(
      `SELECT l.old_id, count(*) OVER (PARTITION BY l.old_id) AS n, l.transfer, n.level AS new_level, n.hierarchy AS new_hierarchy
       FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
       WHERE o.level = 'province'`,
    );
    expect(rows).toHaveLength(63);
    for (const r of rows)
      expect(r).toMatchObject({ n: 1, transfer: 'full', new_level: 'province', new_hierarchy: '2025-07' });
    const newProvinces = await one<{ n: number }>(
      `SELECT count(DISTINCT l.new_id) AS n FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id WHERE o.level ` +
        `= 'province'`,
    );
    expect(newProvinces.n).toBe(34);
  });

  it('has every row of the reform file, every old ward at least once, and 460 wards split with only partial rows', async () => {
    const byTransfer = await w.sql<{ transfer: string; n: number }>(
      `SELECT transfer, count(*) AS n FROM unit_lineage GROUP BY ALL ORDER BY ALL`,
    );
    // 63 provinces + 5 island districts + 10,599 ward pieces = 10,667 rows of the reference file.
    expect(byTransfer.reduce((s, r) => s + r.n, 0)).toBe(63 + 5 + 10_599);
    expect(byTransfer.map((r) => r.transfer)).toEqual(['full', 'partial']);

    const unmapped = await one<{ n: number }>(
      `SELECT count(*) AS n FROM units o WHERE o.hierarchy = '2025-03' AND o.level = 'ward'
       AND NOT EXISTS (SELECT 1 FROM unit_lineage l WHERE l.old_id = o.unit_id)`,
    );
    expect(unmapped.n).toBe(0);

    const wards = await one<{ only_partial: number; mixed: number; split_full: number }>(
      `WITH w AS (
         SELECT l.old_id, count(*) AS pieces, bool_and(l.transfer = 'partial') AS all_partial, bool_or(l.transfer =
           'partial') AS any_partial
         FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id WHERE o.level = 'ward' GROUP BY l.old_id)
       SELECT count(*) FILTER (WHERE all_partial) AS only_partial,
              count(*) FILTER (WHERE any_partial AND NOT all_partial) AS mixed,
              count(*) FILTER (WHERE NOT any_partial AND pieces > 1) AS split_full
       FROM w`,
    );
    expect(wards).toEqual({ only_partial: 460, mixed: 0, split_full: 0 });

    const weights = await one<{ full_not_1: number; partial_not_null: number }>(
      `SELECT count(*) FILTER (WHERE transfer = 'full' AND weight IS DISTINCT FROM 1) AS full_not_1,
              count(*) FILTER (WHERE transfer = 'partial' AND weight IS NOT NULL) AS partial_not_null
       FROM unit_lineage`,
    );
    expect(weights).toEqual({ full_not_1: 0, partial_not_null: 0 });
  });

  it('turns the 5 island districts into special zones, and maps old units only into new ones', async () => {
    const islands = await w.sql<{ old_ref: string; new_type: string; transfer: string }>(
      `SELECT o.ref AS old_ref, n.type AS new_type, l.transfer
       FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
       WHERE o.level = 'district' ORDER BY 1`,
    );
    expect(islands).toHaveLength(5);
    expect(islands.map((r) => r.old_ref)).toContain('2025-03:318');
    for (const r of islands) expect(r).toMatchObject({ new_type: 'Đặc khu', transfer: 'full' });

    const wrong = await one<{ n: number }>(
      `SELECT count(*) AS n FROM unit_lineage l JOIN units o ON o.unit_id = l.old_id JOIN units n ON n.unit_id = l.new_id
       WHERE o.hierarchy <> '2025-03' OR n.hierarchy <> '2025-07'
          OR (o.level = 'province') <> (n.level = 'province')`,
    );
    expect(wrong.n).toBe(0);
  });
});

describe('dimension tables', () => {
  it('mirrors the catalogue in indicators', async () => {
    const rows = await w.sql(
      `SELECT code, name_vi, name_en, unit, kind, aggregation, numerator, denominator, target_operator, target_value, disaggregations
       FROM indicators ORDER BY code`,
    );
    const expected = INDICATORS.map((i) => ({
      code: i.code,
      name_vi: i.nameVi,
      name_en: i.nameEn,
      unit: i.unit,
      kind: i.kind,
      aggregation: i.kind === 'count' ? i.aggregation : null,
      numerator: i.kind === 'ratio' ? i.numerator : null,
      denominator: i.kind === 'ratio' ? i.denominator : null,
      target_operator: i.kind === 'ratio' ? i.target.operator : null,
      target_value: i.kind === 'ratio' ? i.target.value : null,
      disaggregations: i.kind === 'count' ? i.disaggregations.join(',') : '',
    })).sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    expect(rows).toEqual(expected);
  });

  it('holds the period calendar, 2024Q1 running from 2024-01-01 to 2024-03-31', async () => {
    expect(
      await one(`SELECT period_id, type, year, idx, start_date, end_date FROM periods WHERE period_id = '2024Q1'`),
    ).toEqual({
      period_id: '2024Q1',
      type: 'quarter',
      year: 2024,
      idx: 1,
      start_date: '2024-01-01',
      end_date: '2024-03-31',
    });
    expect(await one(`SELECT start_date, end_date FROM periods WHERE period_id = '202402'`)).toEqual({
      start_date: '2024-02-01',
      end_date: '2024-02-29',
    });
    const { n } = await one<{ n: number }>(`SELECT count(*) AS n FROM periods`);
    expect(n).toBe(allPeriods().length);
    expect(n).toBe(101 * 19);
  });
});

describe('the Kysely handle', () => {
  it('returns counts and sums as numbers, dates as YYYY-MM-DD strings', async () => {
    const [count] = await w.db
      .selectFrom('units')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('hierarchy', '=', '2025-07')
      .execute();
    expect(typeof count.n).toBe('number');
    expect(count.n).toBe(34 + 3_321);

    const [sum] = await w.db
      .selectFrom('periods')
      .select((eb) => [eb.fn.sum<number>('idx').as('total'), eb.fn.max<string>('end_date').as('last_day')])
      .where('year', '=', 2024)
      .where('type', '=', 'month')
      .execute();
    expect(typeof sum.total).toBe('number');
    expect(sum.total).toBe(78);
    expect(sum.last_day).toBe('2024-12-31');

    const period = await w.db
      .selectFrom('periods')
      .select(['period_id', 'start_date', 'end_date', 'year'])
      .where('period_id', '=', '202402')
      .executeTakeFirstOrThrow();
    expect(period).toEqual({ period_id: '202402', start_date: '2024-02-01', end_date: '2024-02-29', year: 2024 });

    const unit = await w.db
      .selectFrom('units')
      .select(['unit_id', 'valid_to'])
      .where('ref', '=', '2025-03:00004')
      .executeTakeFirstOrThrow();
    expect(typeof unit.unit_id).toBe('number');
    expect(unit.valid_to).toBe('2025-06-30');

    const { rows } = await sql<{
      big: unknown;
      dec: unknown;
      day: unknown;
    }>`SELECT 9007199254740991::BIGINT AS big, 12.50::DECIMAL(10, 2) AS dec, DATE '2025-07-01' AS day`.execute(w.db);
    expect(rows[0]).toEqual({ big: 9007199254740991, dec: 12.5, day: '2025-07-01' });
  });

  it('returns JSON-safe values inside lists and structs too', async () => {
    const { rows } = await sql<{ counts: unknown; s: unknown }>`
      SELECT list(n ORDER BY hierarchy) AS counts, {'n': 3::BIGINT, 'day': DATE '2025-07-01'} AS s
      FROM (SELECT hierarchy, count(*) AS n FROM units GROUP BY hierarchy)`.execute(w.db);
    expect(rows[0]).toEqual({ counts: [10_806, 3_355, 1], s: { n: 3, day: '2025-07-01' } });
    expect(() => JSON.stringify(rows)).not.toThrow();
  });
});

describe('opening', () => {
  it('applies no migration again on reopen and keeps the data', async () => {
    const file = tempDb();
    const first = await openWarehouse(file);
    const metaBefore = await first.sql<{ key: string; value: string }>(`SELECT key, value FROM meta ORDER BY key`);
    const countsSql = `SELECT (SELECT count(*) FROM units) AS units, (SELECT count(*) FROM unit_closure) AS closure,
      (SELECT count(*) FROM unit_lineage) AS lineage, (SELECT count(*) FROM indicators) AS indicators, (SELECT
        count(*) FROM periods) AS periods`;
    const countsBefore = await first.sql(countsSql);
    await first.db
      .insertInto('etl_runs')
      .values({
        run_id: 1,
        trigger: 'test',
        started_at: '2025-07-01 08:00:00',
        finished_at: null,
        status: 'succeeded',
        files_loaded: 1,
        files_unchanged: 0,
        files_rejected: 0,
        rows_loaded: 10,
        facts_revised: 0,
        warnings: 0,
        message: 'kept across reopen',
      })
      .execute();
    await first.close();

    const second = await openWarehouse(file);
    try {
      expect(metaBefore.find((r) => r.key === 'schema_version')?.value).toBe(String(MIGRATIONS.at(-1)!.version));
      expect(await second.sql(`SELECT key, value FROM meta ORDER BY key`)).toEqual(metaBefore);
      expect(await second.sql(countsSql)).toEqual(countsBefore);
      const runs = await second.db.selectFrom('etl_runs').selectAll().execute();
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({
        run_id: 1,
        trigger: 'test',
        status: 'succeeded',
        rows_loaded: 10,
        message: 'kept across reopen',
      });
      expect(typeof runs[0].rows_loaded).toBe('number');
      expect(runs[0].started_at).toMatch(/^2025-07-01T08:00:00(\.000)?Z$/);
    } finally {
      await second.close();
    }
  });

  it('refuses a second process while this one holds the file, saying it is in use', async () => {
    const script = path.join(path.dirname(dbPath), 'open-warehouse.mts');
    fs.writeFileSync(
      script,
      `import { openWarehouse, WarehouseLockedError } from ${JSON.stringify(warehouseModule)};
try {
  const w = await openWarehouse(process.argv[2]);
  const [row] = await w.sql('SELECT count(*) AS n FROM units');
  console.log('opened', row.n);
  await w.close();
} catch (e) {
  console.error((e instanceof WarehouseLockedError ? 'WarehouseLockedError: ' : 'other: ') + e.message);
  process.exit(3);
}
`,
    );
    const run = () =>
      promisify(execFile)(process.execPath, ['--import', 'tsx', script, dbPath], {
        cwd: projectRoot,
        encoding: 'utf8',
      }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );

    // `w` (opened in beforeAll) holds the file.
    const blocked = await run();
    expect(blocked.code).toBe(3);
    expect(blocked.stderr).toContain('WarehouseLockedError');
    expect(blocked.stderr).toContain('in use');
    expect(blocked.stderr).toContain(dbPath);
    expect(blocked.stdout).not.toContain('opened');

    // The holder is unaffected, and once it lets go the other process gets in.
    expect((await one<{ n: number }>(`SELECT count(*) AS n FROM units`)).n).toBe(14_162);
    await w.close();
    const free = await run();
    expect(free.stderr).toBe('');
    expect(free).toMatchObject({ code: 0, stdout: 'opened 14162\n' });
    w = await openWarehouse(dbPath);
  });
});
