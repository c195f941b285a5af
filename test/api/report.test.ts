/**
 * The periodic report written from the warehouse, against a real warehouse, the real `pcmbn` commands and a real
 * server: new Lai Châu (2025-07:12, 38 communes) for 2026Q3, compared with 2025Q3. 30 communes report (20 on time,
 * 10 late), 8 do not; the province reports its own tip-offs, which disagree with its communes' sum.
 *
 * Round trip: the report read back by `pcmbn etl extract` proposes exactly the figures the API returns for the
 * province and the period (precision and recall 1.0).
 */
import { readFileSync, statSync } from 'node:fs';
import ExcelJS from 'exceljs';
import path from 'node:path';
import { LIBREOFFICE, needs } from '../requirements.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { COUNT_INDICATORS } from '../../schema/catalogue.ts';
import { openWarehouse, type Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, freshWarehousePath, tempDir, writeFile } from '../helpers.ts';
import { gql, pcmbn, pcmbnEnv, runCommand } from './client.ts';

afterAll(cleanupTemp);

const PROVINCE = '2025-07:12';
const PERIOD = '2026Q3';
const VICTIMS = COUNT_INDICATORS.filter((i) => i.disaggregations.length).map((i) => i.code);
/** Left out of every report: the report lists it as missing (III). */
const NEVER_REPORTED = 'hotline_calls';
const TIPOFF_NOTE =
  'extracted from bc-tinh-q3.txt, confidence 0.85: "42 tin báo" in chars 10–60: «Công an tỉnh tiếp nhận 42 tin báo; ' +
  'đã phân loại 40 tin»';

let dir: string;
let env: NodeJS.ProcessEnv;

/** The report files: each reporting commune's figures for a quarter, the province's own tip-offs for 2026Q3. */
function reports(communes: string[]): string {
  const rows = ['unit_code,period,indicator,value,sex,age_group,submitted_on,source_note'];
  communes.forEach((unit, k) => {
    for (const [period, year, shift] of [
      [PERIOD, 2026, 0],
      ['2025Q3', 2025, 3],
    ] as const) {
      if (year === 2025 && k >= 25) continue;
      const submitted = year === 2025 ? '2025-09-01' : k < 20 ? '2026-09-05' : '2026-09-20';
      for (const i of COUNT_INDICATORS) {
        if (i.code === NEVER_REPORTED) continue;
        const v =
          i.code === 'illegal_exits_detected'
            ? 0
            : i.code === 'victims_rescued'
              ? k === 0
                ? 3
                : 0
              : i.code === 'leaflets_distributed'
                ? 400 + k * 13 + shift
                : (k * 7 + i.code.length + shift) % 12;
        rows.push(`${unit},${period},${i.code},${v},,,${submitted},`);
        if (VICTIMS.includes(i.code) && v > 0) {
          const female = Math.ceil(v / 2);
          const child = Math.floor(v / 3);
          rows.push(`${unit},${period},${i.code},${female},female,,${submitted},`);
          rows.push(`${unit},${period},${i.code},${v - female},male,,${submitted},`);
          rows.push(`${unit},${period},${i.code},${child},,child,${submitted},`);
          rows.push(`${unit},${period},${i.code},${v - child},,adult,${submitted},`);
        }
      }
    }
  });
  rows.push(`${PROVINCE},${PERIOD},tipoffs_received,42,,,2026-09-10,"${TIPOFF_NOTE.replaceAll('"', '""')}"`);
  return rows.join('\n') + '\n';
}

let w: Warehouse;
let MD: string;
let DOCX: string;
let server: RunningServer;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir('pcmbn-report-');
  MD = path.join(dir, 'lai-chau-2026Q3.md');
  DOCX = path.join(dir, 'lai-chau-2026Q3.docx');
  const db = await freshWarehousePath();
  env = pcmbnEnv(db);
  w = await openWarehouse(db);
  const communes = (
    await w.sql<{ ref: string }>(
      `SELECT u.ref FROM units u JOIN units p ON p.unit_id = u.parent_id WHERE p.ref = $1 ORDER BY u.code`,
      [PROVINCE],
    )
  ).map((r) => r.ref);
  expect(communes.length).toBe(38);
  await w.close();
  const load = await pcmbn(env, 'etl', 'load', writeFile(dir, 'lai-chau.csv', reports(communes.slice(0, 30))));
  expect(load.code, load.stderr).toBe(0);
  // The command line writes the reports while no server holds the warehouse.
  for (const [file, format] of [
    [MD, 'md'],
    [DOCX, null],
  ] as const) {
    const r = await pcmbn(
      env,
      'report',
      '--unit',
      PROVINCE,
      '--period',
      PERIOD,
      '--out',
      file,
      ...(format ? ['--format', format] : []),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`wrote ${file}: Báo cáo quý III năm 2026 — Tỉnh Lai Châu`);
  }

  w = await openWarehouse(db);
  const province = (await w.sql<{ unit_id: number }>(`SELECT unit_id FROM units WHERE ref = $1`, [PROVINCE]))[0];
  for (const role of ['analyst', 'viewer', 'leader', 'admin'] as const)
    tokens[role] = (await createApiKey(w, { role, unitId: province.unit_id })).token;
  server = await startServer({ warehouse: w, port: 0 });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await w?.close();
});

/** The report of the province for the period, through the API's `report` field. */
async function reportFor(role: string): Promise<string> {
  const r = await gql(server.url, `query R($u: String!, $p: String!) { report(unit: $u, period: $p) }`, {
    token: tokens[role],
    variables: { u: PROVINCE, p: PERIOD },
  });
  expect(r.body.errors).toBeUndefined();
  return r.body.data.report as string;
}

/** Every figure the API returns for the province and period: `indicator|sex|age_group` → value. */
async function apiFigures(role: string): Promise<Map<string, number>> {
  const query = `query V($unit: String!, $period: String!, $codes: [String!]!, $victims: [String!]!) {
    total: kpis(indicators: $codes, unit: $unit, period: $period) { indicator { code } value }
    female: kpis(indicators: $victims, unit: $unit, period: $period, sex: "female") { indicator { code } value }
    male: kpis(indicators: $victims, unit: $unit, period: $period, sex: "male") { indicator { code } value }
    child: kpis(indicators: $victims, unit: $unit, period: $period, ageGroup: "child") { indicator { code } value }
    adult: kpis(indicators: $victims, unit: $unit, period: $period, ageGroup: "adult") { indicator { code } value }
  }`;
  const r = await gql(server.url, query, {
    token: tokens[role],
    variables: { unit: PROVINCE, period: PERIOD, codes: COUNT_INDICATORS.map((i) => i.code), victims: VICTIMS },
  });
  expect(r.body.errors).toBeUndefined();
  const out = new Map<string, number>();
  const parts = {
    total: ['', ''],
    female: ['female', ''],
    male: ['male', ''],
    child: ['', 'child'],
    adult: ['', 'adult'],
  };
  for (const [alias, [sex, age]] of Object.entries(parts))
    for (const k of r.body.data[alias] as { indicator: { code: string }; value: number | null }[])
      if (k.value !== null) out.set(`${k.indicator.code}|${sex}|${age}`, k.value);
  return out;
}

/** What `pcmbn etl extract` proposes from a report file: `indicator|sex|age_group` → value. */
async function extracted(file: string): Promise<Map<string, number>> {
  const json = `${file}.json`;
  const r = await pcmbn(env, 'etl', 'extract', file, '--unit', PROVINCE, '--json', json);
  expect(r.code, r.stderr).toBe(0);
  const x = JSON.parse(readFileSync(json, 'utf8')) as {
    period: string;
    proposals: { indicator: string; sex: string | null; age_group: string | null; value: number }[];
  };
  expect(x.period).toBe(PERIOD);
  return new Map(x.proposals.map((p) => [`${p.indicator}|${p.sex ?? ''}|${p.age_group ?? ''}`, p.value]));
}

describe('pcmbn report', () => {
  it('writes Markdown that the extractor reads back as exactly the figures the API returns', async () => {
    const api = await apiFigures('analyst');
    expect(api.size).toBeGreaterThan(40);
    expect(api.get('illegal_exits_detected||')).toBe(0);
    expect(api.get('victims_returned|female|')).toBeGreaterThan(0);
    expect(api.get('victims_returned||adult')).toBeGreaterThan(0);
    expect(await extracted(MD)).toEqual(api);
  });

  it('writes a Word document that reads back the same way', async () => {
    expect(await extracted(DOCX)).toEqual(await apiFigures('analyst'));
  });
});

describe('the report field', () => {
  it('follows the structure of the programme’s reports, writes numbers as the reports do, and traces every figure', async () => {
    const md = await reportFor('analyst');
    const lines = md.split('\n');
    expect(lines[0]).toBe('**BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM TỈNH LAI CHÂU**');
    expect(md).toMatch(/\*Lai Châu, ngày \d{2} tháng \d{1,2} năm \d{4}\*/);
    expect(md).toContain('Kết quả công tác phòng, chống mua bán người quý III năm 2026 của Tỉnh Lai Châu');
    const order = ['## I. KẾT QUẢ', '## II. TÌNH HÌNH BÁO CÁO', '## III. SỐ LIỆU CHƯA ĐẦY ĐỦ', '## PHỤ LỤC'];
    expect(order.map((h) => md.indexOf(h))).toEqual([...order.map((h) => md.indexOf(h))].sort((a, b) => a - b));
    expect(order.every((h) => md.includes(h))).toBe(true);
    // 30 communes × leaflets 400 + 13k: 12,000 + 13 × 435 = 17,655, written with a dot; small counts with a zero.
    expect(md).toContain('In ấn, cấp phát 17.655 tờ rơi');
    // 2025Q3: 25 communes × 403 + 13k: 10,075 + 13 × 300 = 13,975.
    expect(md).toContain('In ấn, cấp phát 17.655 tờ rơi tuyên truyền. Tăng 3.680 so với cùng kỳ năm 2025 (13.975).');
    expect(md).toContain('Phát hiện 00 công dân xuất cảnh trái phép');
    expect(md).toMatch(/Tỷ lệ [^\n]*: đạt \d+(,\d)? %, mục tiêu (trên|từ) \d+ %( trở lên)?: (đạt|chưa đạt)\./);
    // II: 38 expected, 30 received (20 on time, 10 late), 8 missing by name.
    expect(md).toContain(
      'Kỳ báo cáo có 38 đơn vị phải gửi báo cáo (hạn gửi: trước 12/09/2026); đã nhận 30, trong đó đúng hạn 20, chậm ' +
        'hạn 10; chưa gửi 08.',
    );
    expect(md).toMatch(/Đơn vị chưa gửi báo cáo: (Xã|Phường) [^\n]+\./);
    // …and the 10 late ones by name, before them.
    const late = /Đơn vị gửi báo cáo chậm hạn: ((Xã|Phường) [^\n]+)\./.exec(md);
    expect(late?.[1].split(', ')).toHaveLength(10);
    expect(md.indexOf('chậm hạn:')).toBeLessThan(md.indexOf('Đơn vị chưa gửi báo cáo:'));
    // III: the figure nobody reported, and the province's own tip-offs against its communes' sum.
    expect(md).toMatch(/Chưa có số liệu: [^\n]*Cuộc gọi Tổng đài 111/);
    expect(md).toMatch(
      /Tỉnh Lai Châu, Tố giác, tin báo, kiến nghị khởi tố tiếp nhận: đơn vị báo cáo 42, cộng báo cáo của 30 đơn vị cấp dưới \d+/,
    );
    // The appendix: the units behind a figure, and the source note of the province's own figure.
    expect(md).toMatch(
      /Tờ rơi cấp phát \[leaflets_distributed\]: tổng hợp từ báo cáo của các đơn vị (Xã|Phường) [^\n(\d]+\./,
    );
    expect(md).toMatch(
      /Tố giác, tin báo, kiến nghị khởi tố tiếp nhận \[tipoffs_received\]: báo cáo của chính Tỉnh Lai Châu \(báo cáo của các đơn vị cấp dưới: (Xã|Phường) [^)\d]+\); ghi chú nguồn: “extracted from bc-tinh-q3\.txt, confidence 0\.85/,
    );
  });

  it('withholds from a viewer what the API withholds, and says so', async () => {
    const [viewer, analyst] = [await reportFor('viewer'), await reportFor('analyst')];
    expect(analyst).toContain('Giải cứu 03 nạn nhân');
    expect(viewer).not.toContain('Giải cứu 03');
    expect(viewer).toContain('Nạn nhân được giải cứu: số liệu được giữ kín');
    expect(viewer).toContain('báo cáo lập với quyền xem (viewer)');
    expect(analyst).not.toContain('quyền xem (viewer)');
  });
});

describe('the Word document, rendered', () => {
  needs(LIBREOFFICE);
  it('shows the unit, the period and the figures on its pages (LibreOffice to PDF, poppler to PNG and text)', async () => {
    const out = path.join(dir, 'render');
    const profile = `file://${path.join(dir, 'libreoffice-profile')}`;
    const convert = await runCommand(
      'soffice',
      ['--headless', '--norestore', `-env:UserInstallation=${profile}`, '--convert-to', 'pdf', '--outdir', out, DOCX],
      { env: process.env },
    );
    expect(convert.code, convert.stderr).toBe(0);
    const pdf = path.join(out, 'lai-chau-2026Q3.pdf');
    const png = await runCommand('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '1', pdf, path.join(out, 'page')], {
      env: process.env,
    });
    expect(png.code, png.stderr).toBe(0);
    expect(statSync(path.join(out, 'page-1.png')).size).toBeGreaterThan(10_000);
    const text = async (...pages: string[]) =>
      (await runCommand('pdftotext', [...pages, pdf, '-'], { env: process.env })).stdout.replace(/\s+/g, ' ');
    const first = await text('-f', '1', '-l', '1');
    expect(first).toContain('BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM TỈNH LAI CHÂU');
    expect(first).toContain('Kết quả công tác phòng, chống mua bán người quý III năm 2026 của Tỉnh Lai Châu');
    expect(first).toContain('In ấn, cấp phát 17.655 tờ rơi tuyên truyền. Tăng 3.680 so với cùng kỳ năm 2025 (13.975).');
    expect(first).toContain('Phát hiện 00 công dân xuất cảnh trái phép');
    const all = await text();
    const api = await apiFigures('analyst');
    expect(all).toContain(
      `Tiếp nhận ${api.get('victims_returned||')} nạn nhân trở về (trong đó ${api.get('victims_returned|female|')} nữ`,
    );
    expect(all).toContain('chưa gửi 08');
  });
});

describe('downloads from the server', () => {
  const get = (route: string, role?: string) =>
    fetch(`${server.origin}/downloads/${route}`, {
      headers: role ? { authorization: `Bearer ${tokens[role]}` } : {},
    });

  it('gives an analyst the template of the communes of the key’s province, as XLSX', async () => {
    const res = await get(`template?unit=${PROVINCE}&period=2027Q1&below=ward`, 'analyst');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(res.headers.get('content-disposition')).toContain('mau-bao-cao-12-2027Q1.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const units = new Set<string>();
    wb.worksheets[0].eachRow((row, line) => void (line > 1 && units.add(String(row.getCell(1).value))));
    expect(units.size).toBe(38);
  });

  it('gives templates to analysts and admins only: a leader reads figures, as a viewer does', async () => {
    for (const role of ['analyst', 'admin']) {
      const res = await get(`template?unit=${PROVINCE}&period=2027Q1`, role);
      expect(res.status, role).toBe(200);
      await res.arrayBuffer();
    }
    const res = await get(`template?unit=${PROVINCE}&period=2027Q1`, 'leader');
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      errors: [
        {
          message: 'templates are for analysts and admins: a leader key reads figures, it does not collect them',
          extensions: { code: 'FORBIDDEN' },
        },
      ],
    });
  });

  it('refuses a template to a viewer, outside the key’s scope, without a key, and for a level that is not one', async () => {
    const refused = async (route: string, role: string | undefined, status: number, code: string) => {
      const res = await get(route, role);
      expect(res.status, route).toBe(status);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
        code,
      );
    };
    await refused(`template?unit=${PROVINCE}&period=2027Q1&below=ward`, 'viewer', 403, 'FORBIDDEN');
    await refused(`template?unit=2025-07:11&period=2027Q1`, 'analyst', 403, 'FORBIDDEN');
    await refused(`template?unit=${PROVINCE}&period=2027Q1`, undefined, 401, 'UNAUTHENTICATED');
    await refused(`template?unit=${PROVINCE}&period=2027Q1&below=district`, 'analyst', 400, 'BAD_USER_INPUT');
    await refused(`report?unit=${PROVINCE}&period=${PERIOD}&format=pdf`, 'viewer', 400, 'BAD_USER_INPUT');
    await refused(`report?unit=2025-07:11&period=${PERIOD}`, 'viewer', 403, 'FORBIDDEN');
    await refused(`report?unit=${PROVINCE}&period=2026Q5`, 'viewer', 400, 'BAD_USER_INPUT');
  });

  it('stops a download at the request time limit, as a GraphQL request', async () => {
    const strict = await startServer({ warehouse: w, port: 0, queryTimeoutMs: 1 });
    try {
      const res = await fetch(`${strict.origin}/downloads/report?unit=${PROVINCE}&period=2026Q1`, {
        headers: { authorization: `Bearer ${tokens.analyst}` },
      });
      expect(res.status).toBe(503);
      expect(((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe(
        'TIMEOUT',
      );
    } finally {
      await strict.close();
    }
  });

  it('gives the report as the report field writes it, Markdown or Word, withheld for a viewer', async () => {
    const md = await get(`report?unit=${PROVINCE}&period=${PERIOD}&format=md`, 'viewer');
    expect(md.status).toBe(200);
    expect(await md.text()).toBe(await reportFor('viewer'));
    const docx = await get(`report?unit=${PROVINCE}&period=${PERIOD}`, 'analyst');
    expect(docx.status).toBe(200);
    expect(docx.headers.get('content-disposition')).toContain('bao-cao-12-2026Q3.docx');
    const file = writeFile(dir, 'downloaded.docx', Buffer.from(await docx.arrayBuffer()));
    expect(await extracted(file)).toEqual(await apiFigures('analyst'));
  });
});
