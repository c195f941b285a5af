/**
 * The submission template, round trip: `pcmbn template` for the communes of new Lai Châu (2025-07:12, 38 communes)
 * for 2026Q1, filled in here with exceljs as a unit would, loaded with the real `pcmbn etl load`, and read back
 * over GraphQL from a real server. A value typed as text or as a formula is refused, located by cell.
 */
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { COUNT_INDICATORS } from '../../schema/catalogue.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, freshWarehousePath, tempDir } from '../helpers.ts';
import { gql, pcmbn, pcmbnEnv } from './client.ts';

afterAll(cleanupTemp);

const PROVINCE = '2025-07:12';
const PERIOD = '2026Q1';
const VICTIMS = COUNT_INDICATORS.filter((i) => i.disaggregations.length).map((i) => i.code);
/** Rows per commune: the counted indicators, and the victims figures also by sex (2) and by age group (2). */
const PER_UNIT = COUNT_INDICATORS.length + VICTIMS.length * 4;

let dir: string;
let env: NodeJS.ProcessEnv;
let templatePath: string;

/** The column of each header name of the template's first sheet (1-based). */
function columnsOf(sheet: ExcelJS.Worksheet): Record<string, number> {
  const out: Record<string, number> = {};
  sheet.getRow(1).eachCell((c, col) => (out[String(c.value)] = col));
  return out;
}

async function readTemplate(): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(templatePath);
  return wb;
}

/** A value for each row, different from row to row, so that a value landing on the wrong figure shows. */
const valueFor = (line: number) => (line * 37) % 101;

beforeAll(async () => {
  dir = tempDir('pcmbn-template-');
  env = pcmbnEnv(await freshWarehousePath());
  templatePath = path.join(dir, 'lai-chau-2026Q1.xlsx');
  const r = await pcmbn(
    env,
    'template',
    '--unit',
    PROVINCE,
    '--period',
    PERIOD,
    '--below',
    'ward',
    '--out',
    templatePath,
  );
  expect(r.code, r.stderr).toBe(0);
}, 120_000);

describe('pcmbn template', () => {
  it('has one row per expected figure of each commune, with labels, the due date and an empty value', async () => {
    const wb = await readTemplate();
    const sheet = wb.worksheets[0];
    const col = columnsOf(sheet);
    expect(Object.keys(col)).toEqual(
      expect.arrayContaining(['unit_code', 'unit_name', 'period', 'indicator', 'indicator_name', 'measure', 'value']),
    );
    const rows: Record<string, unknown>[] = [];
    sheet.eachRow((row, line) => {
      if (line === 1) return;
      rows.push(Object.fromEntries(Object.entries(col).map(([k, c]) => [k, row.getCell(c).value])));
    });
    const communes = new Set(rows.map((r) => r.unit_code));
    expect(communes.size).toBe(38);
    expect(rows.length).toBe(38 * PER_UNIT);
    const first = rows.find((r) => r.indicator === 'victims_returned' && r.sex === 'female')!;
    expect(first).toMatchObject({
      period: PERIOD,
      indicator_name: 'Nạn nhân trở về được tiếp nhận — nữ',
      measure: 'người',
      age_group: null,
      value: null,
      due_date: 'trước 12/03/2026',
    });
    expect(String(first.unit_name)).toMatch(/^(Xã|Phường) /);
    expect(rows.every((r) => r.value === null)).toBe(true);
  });

  it('locks codes and labels, and lets only whole numbers ≥ 0 into the value cells', async () => {
    const wb = await readTemplate();
    const sheet = wb.worksheets[0];
    const col = columnsOf(sheet);
    expect((sheet as unknown as { sheetProtection?: { sheet?: boolean } }).sheetProtection?.sheet).toBe(true);
    const cell = sheet.getRow(2).getCell(col.value);
    expect(cell.protection?.locked).toBe(false);
    expect(sheet.getRow(2).getCell(col.indicator).protection?.locked).not.toBe(false);
    expect(cell.dataValidation).toMatchObject({ type: 'whole', operator: 'greaterThanOrEqual', formulae: [0] });
    const help = wb.worksheets[1];
    expect(help.name).toBe('Hướng dẫn');
    expect(String(help.getCell('A1').value)).toContain('MẪU BÁO CÁO');
  });
});

describe('a filled template', () => {
  let w: Warehouse;
  let server: RunningServer;
  let token: string;
  /** What the test typed in: unit ref → indicator|sex|age → value. */
  const typed = new Map<string, Map<string, number>>();

  beforeAll(async () => {
    const wb = await readTemplate();
    const sheet = wb.worksheets[0];
    const col = columnsOf(sheet);
    sheet.eachRow((row, line) => {
      if (line === 1) return;
      const unit = String(row.getCell(col.unit_code).value);
      const indicator = String(row.getCell(col.indicator).value);
      // The last commune leaves its breakdowns by sex and age blank: not reported, not refused.
      const part = row.getCell(col.sex).value ?? 'total';
      const age = row.getCell(col.age_group).value ?? 'total';
      if (line > sheet.rowCount - PER_UNIT && (part !== 'total' || age !== 'total')) return;
      const v = valueFor(line);
      row.getCell(col.value).value = v;
      if (!typed.has(unit)) typed.set(unit, new Map());
      typed.get(unit)!.set(`${indicator}|${part}|${age}`, v);
    });
    const filled = path.join(dir, 'filled.xlsx');
    await wb.xlsx.writeFile(filled);
    const load = await pcmbn(env, 'etl', 'load', filled);
    expect(load.code, load.stderr + load.stdout).toBe(0);
    expect(load.stdout).toMatch(/1 loaded/);

    w = await openWarehouse(env.PCMBN_DB!);
    const unit = (await w.sql<{ unit_id: number }>(`SELECT unit_id FROM units WHERE ref = 'VN'`))[0].unit_id;
    token = (await createApiKey(w, { role: 'admin', unitId: unit })).token;
    server = await startServer({ warehouse: w, port: 0 });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await w?.close();
  });

  it('loads as it is, and the API returns the values typed in', async () => {
    const query = `query V($unit: String!, $period: String!, $codes: [String!]!, $victims: [String!]!) {
      total: kpis(indicators: $codes, unit: $unit, period: $period) { indicator { code } value }
      female: kpis(indicators: $victims, unit: $unit, period: $period, sex: "female") { indicator { code } value }
      male: kpis(indicators: $victims, unit: $unit, period: $period, sex: "male") { indicator { code } value }
      child: kpis(indicators: $victims, unit: $unit, period: $period, ageGroup: "child") { indicator { code } value }
      adult: kpis(indicators: $victims, unit: $unit, period: $period, ageGroup: "adult") { indicator { code } value }
    }`;
    const units = [...typed.keys()];
    expect(units.length).toBe(38);
    for (const unit of [units[0], units[17], units[37]]) {
      const r = await gql(server.url, query, {
        token,
        variables: { unit, period: PERIOD, codes: COUNT_INDICATORS.map((i) => i.code), victims: VICTIMS },
      });
      expect(r.body.errors).toBeUndefined();
      const got = new Map<string, number>();
      const keys = { total: ['total', 'total'], female: ['female', 'total'], male: ['male', 'total'] } as const;
      const ages = { child: ['total', 'child'], adult: ['total', 'adult'] } as const;
      for (const [alias, [sex, age]] of Object.entries({ ...keys, ...ages }))
        for (const k of r.body.data[alias] as { indicator: { code: string }; value: number | null }[])
          if (k.value !== null) got.set(`${k.indicator.code}|${sex}|${age}`, k.value);
      expect(got).toEqual(typed.get(unit));
    }
  });
});

describe('a template with a mistake', () => {
  async function withValue(set: (cell: ExcelJS.Cell) => void): Promise<{ file: string; address: string }> {
    const wb = await readTemplate();
    const sheet = wb.worksheets[0];
    const col = columnsOf(sheet);
    for (let line = 2; line <= 6; line++) sheet.getRow(line).getCell(col.value).value = line;
    const cell = sheet.getRow(4).getCell(col.value);
    set(cell);
    const file = path.join(dir, `mistake-${Math.random().toString(36).slice(2)}.xlsx`);
    await wb.xlsx.writeFile(file);
    return { file, address: cell.address };
  }

  it('refuses a value typed as text ("12.500"), naming the file, the line and the column', async () => {
    const { file } = await withValue((c) => (c.value = '12.500'));
    const r = await pcmbn(env, 'etl', 'load', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`rejected .*${path.basename(file)}`));
    expect(r.stderr).toMatch(new RegExp(`${path.basename(file)}:4:9 \\(value\\): error: "12\\.500"`));
  });

  it('refuses the template as it was written, with no value filled in', async () => {
    const r = await pcmbn(env, 'etl', 'load', templatePath);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/:2:9 \(value\): error: cell I2 is empty, as is every value of this template/);
  });

  it('refuses a formula, naming the cell', async () => {
    const { file, address } = await withValue((c) => (c.value = { formula: 'I2+I3', result: 5 }));
    const r = await pcmbn(env, 'etl', 'load', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cell ${address} holds a formula`);
  });
});
