/**
 * Victims' small counts a viewer could deduce from what it reads, each on small constructed data, each checked by
 * an integer solve (test/api/protection-audit.ts) or by comparing what two keys or two snapshots are told: a ward
 * reporting one victim a month, a new-list unit's own report for 2025, a note quoting victims on another indicator,
 * and statuses that flipped across a load.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { cleanupTemp, csv, freshWarehouse, tempDir, writeFile } from '../helpers.ts';
import { gql } from './client.ts';
import { narrower, ranges, type Relation } from './protection-audit.ts';

const H = 'unit_code,period,indicator,sex,age_group,value,submitted_on,source_note';
const MONTHS = Array.from({ length: 12 }, (_, i) => `2024${String(i + 1).padStart(2, '0')}`);
const QUARTERS = [1, 2, 3, 4].map((q) => `2024Q${q}`);
const HALVES = ['2024S1', '2024S2'];

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(cleanupTemp);

async function serve(w: Warehouse, ...rows: string[]) {
  await load(w, ...rows);
  const tokens = {
    viewer: (await createApiKey(w, { role: 'viewer', unitId: 0 })).token,
    analyst: (await createApiKey(w, { role: 'analyst', unitId: 0 })).token,
  };
  server = await startServer({ warehouse: w, port: 0, log: () => {} });
  const ask = async (role: keyof typeof tokens, query: string) => {
    const r = await gql(server!.url, query, { token: tokens[role] });
    expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
    return r.body.data;
  };
  return ask;
}

async function load(w: Warehouse, ...rows: string[]) {
  const dir = tempDir('pcmbn-deduction-');
  writeFile(dir, `v${Date.now()}.csv`, csv(H, ...rows));
  const result = await loadFiles(w, [dir], { today: '2026-11-20', holdReaders: server?.holdReaders });
  expect(result.files.map((f) => [f.status, f.issues.map((i) => i.message)])).toEqual([['loaded', []]]);
}

type Ask = Awaited<ReturnType<typeof serve>>;
interface Seen {
  value: number | null;
  suppressed: boolean;
}

/** A unit's figures of 2024 (every period; total, female and male), as `role` reads them through trends. */
async function unitYear(ask: Ask, role: 'viewer' | 'analyst', ref: string, indicator: string) {
  const out = new Map<string, Seen>();
  for (const sex of ['total', 'female', 'male']) {
    const by = sex === 'total' ? '' : `, sex: "${sex}"`;
    const d = await ask(
      role,
      `{ ${['YEAR', 'HALF_YEAR', 'QUARTER', 'MONTH']
        .map(
          (g) =>
            `${g}: trend(indicator: "${indicator}", unit: "${ref}", from: "2024", to: "2024", granularity: ` +
            `${g}${by}) { period value suppressed }`,
        )
        .join(' ')} }`,
    );
    for (const points of Object.values(d) as { period: string; value: number | null; suppressed: boolean }[][])
      for (const p of points) out.set(`${ref}|${p.period}|${sex}`, { value: p.value, suppressed: p.suppressed });
  }
  return out;
}

/** The yearly rows of a breakdown, by unit ref. */
async function rows(ask: Ask, role: 'viewer' | 'analyst', indicator: string, unit: string, period: string, extra = '') {
  const d = await ask(
    role,
    `{ breakdown(indicator: "${indicator}", unit: "${unit}", period: "${period}"${extra}) { unit { ref } value ` +
      `suppressed } }`,
  );
  return new Map<string, Seen>(
    d.breakdown.map((r: { unit: { ref: string } } & Seen) => [
      r.unit.ref,
      { value: r.value, suppressed: r.suppressed },
    ]),
  );
}

describe('integer reasoning over one answer and across answers', () => {
  it(
    'a ward reporting 1 victim a month (December 2: 1 female, 1 male): no withheld figure is pinned below the ' +
      'whole range 1–10',
    async () => {
      const w = await freshWarehouse();
      const ward = '2025-03:26041';
      const ask = await serve(
        w,
        ...MONTHS.map((m) => `${ward},${m},victims_identified,,,${m.endsWith('12') ? 2 : 1},2025-01-05,`),
        `${ward},202412,victims_identified,female,,1,2025-01-05,`,
        `${ward},202412,victims_identified,male,,1,2025-01-05,`,
        ...MONTHS.slice(0, 11).map((m) => `${ward},${m},victims_identified,female,,1,2025-01-05,`),
        ...MONTHS.slice(0, 11).map((m) => `${ward},${m},victims_identified,male,,0,2025-01-05,`),
      );
      const viewer = await unitYear(ask, 'viewer', ward, 'victims_identified');
      const analyst = await unitYear(ask, 'analyst', ward, 'victims_identified');
      const truth = new Map([...analyst].map(([id, s]) => [id, s.value ?? 0]));
      expect(truth.get(`${ward}|2024|total`)).toBe(13);
      // The ward's province, district and nation carry the same 13: what the viewer reads of them is in the system too.
      const above = ['2025-03:731', '2025-03:75', 'VN'];
      for (const ref of above) {
        const k = (
          await ask(
            'viewer',
            `{ kpi(indicator: "victims_identified", unit: "${ref}", period: "2024") { value suppressed } }`,
          )
        ).kpi;
        viewer.set(`${ref}|2024|total`, k);
        truth.set(`${ref}|2024|total`, 13);
      }
      const rels: Relation[] = [];
      for (const sex of ['total', 'female', 'male']) {
        const id = (p: string) => `${ward}|${p}|${sex}`;
        rels.push({ total: id('2024'), parts: HALVES.map(id) }, { total: id('2024'), parts: QUARTERS.map(id) });
        rels.push({ total: id('2024'), parts: MONTHS.map(id) });
        HALVES.forEach((h, i) => rels.push({ total: id(h), parts: QUARTERS.slice(2 * i, 2 * i + 2).map(id) }));
        QUARTERS.forEach((q, i) => rels.push({ total: id(q), parts: MONTHS.slice(3 * i, 3 * i + 3).map(id) }));
      }
      for (const p of ['2024', ...HALVES, ...QUARTERS, ...MONTHS])
        rels.push({ total: `${ward}|${p}|total`, parts: [`${ward}|${p}|female`, `${ward}|${p}|male`] });
      // The ward is the only one reporting: the district's, the province's and VN's years are its own.
      rels.push(...above.map((ref) => ({ total: `${ref}|2024|total`, parts: [`${ward}|2024|total`] })));
      const shown = new Map([...viewer].filter(([, s]) => !s.suppressed).map(([id, s]) => [id, s.value ?? 0]));
      const withheld = new Set([...viewer].filter(([, s]) => s.suppressed).map(([id]) => id));
      for (const [id, v] of shown) expect(v, id).toBe(truth.get(id));
      // Zeros shown tell the attacker that every withheld figure is at least 1.
      const least = [...withheld].some((id) => truth.get(id) === 0) ? 0 : 1;
      const found = ranges(rels, shown, withheld, truth, least);
      expect(found.length).toBeGreaterThan(20);
      expect(narrower(found)).toEqual([]);
    },
  );
});

describe("a new-list unit's own report for 2025", () => {
  it('is withheld like any figure: kpi, breakdown, trend and the previousValue of 2026', async () => {
    const w = await freshWarehouse();
    const ask = await serve(
      w,
      '2025-07:25993,2025,victims_returned,,,4,2026-01-05,',
      '2025-07:25993,2025,victims_returned,female,,4,2026-01-05,',
      '2025-07:75,2025,victims_identified,,,3,2026-01-05,',
      '2025-07:75,2025,victims_legal_aid,male,child,2,2026-01-05,',
      '2025-07:75,2025,victims_legal_aid,,,2,2026-01-05,',
    );
    const cases: [string, string, string][] = [
      ['victims_returned', '2025-07:25993', ''],
      ['victims_returned', '2025-07:25993', ', sex: "female"'],
      ['victims_identified', '2025-07:75', ''],
      ['victims_legal_aid', '2025-07:75', ', sex: "male", ageGroup: "child"'],
    ];
    for (const [indicator, unit, by] of cases) {
      const q = (period: string) =>
        `kpi(indicator: "${indicator}", unit: "${unit}", period: "${period}"${by}) { value suppressed previousValue }`;
      const analyst = await ask('analyst', `{ a: ${q('2025')} }`);
      expect(analyst.a.value, `${indicator} ${unit}${by}`).toBeGreaterThan(0);
      const d = await ask(
        'viewer',
        `{ a: ${q('2025')} b: ${q('2026')} t: trend(indicator: "${indicator}", unit: "${unit}", from: "2025", to: ` +
          `"2026", granularity: YEAR${by}) { period value suppressed } }`,
      );
      expect(d.a, `${indicator} ${unit}${by}`).toMatchObject({ value: null, suppressed: true });
      expect(d.b.previousValue, `${indicator} ${unit}${by}`).toBeNull();
      expect(d.t[0], `${indicator} ${unit}${by}`).toMatchObject({ period: '2025', value: null, suppressed: true });
    }
    const communes = await rows(ask, 'viewer', 'victims_returned', '2025-07:75', '2025', ', level: WARD');
    expect(communes.get('2025-07:25993')).toEqual({ value: null, suppressed: true });
    const provinces = await rows(ask, 'viewer', 'victims_identified', 'VN', '2025');
    expect(provinces.get('2025-07:75')).toEqual({ value: null, suppressed: true });
  });
});

describe('notes', () => {
  it(
    'a note quoting victims counts on another indicator (cases initiated) is never shown to a viewer; the ' +
      "analyst's is",
    async () => {
      const w = await freshWarehouse();
      const note = '«Khởi tố 2 vụ, giải cứu 3 nạn nhân (2 nữ, 1 nam)»';
      const ask = await serve(
        w,
        `2025-03:75,2024,cases_initiated,,,2,2025-01-05,"${note}"`,
        `2025-03:75,2024,victims_rescued,,,3,2025-01-05,"${note}"`,
      );
      const q =
        `{ kpis(indicators: ["cases_initiated", "victims_rescued"], unit: "2025-03:75", period: "2024") { ` +
        `indicator { code } value suppressed sources } }`;
      const byCode = (d: any) => Object.fromEntries(d.kpis.map((k: any) => [k.indicator.code, k]));
      const analyst = byCode(await ask('analyst', q));
      expect(analyst.cases_initiated.sources).toEqual([note]);
      const viewer = byCode(await ask('viewer', q));
      expect(viewer.victims_rescued).toMatchObject({ value: null, suppressed: true, sources: [] });
      expect(viewer.cases_initiated).toMatchObject({ value: 2, sources: [] });
    },
  );
});

describe('across a load', () => {
  it(
    'a revision leaves every unchanged figure as it was (shown or withheld), and the two snapshots together pin ' +
      'nothing',
    async () => {
      const w = await freshWarehouse();
      // Old Đồng Nai 5, old Bình Phước 20 (together new Đồng Nai), old Hà Nội 30 (new Hà Nội); then Bình Phước is
      // revised to 40.
      const ask = await serve(
        w,
        '2025-03:75,2024,victims_identified,,,5,2025-01-05,',
        '2025-03:70,2024,victims_identified,,,20,2025-01-05,',
        '2025-03:01,2024,victims_identified,,,30,2025-01-05,',
      );
      const snapshot = async () => {
        const old = await rows(ask, 'viewer', 'victims_identified', 'VN', '2024', ', asOf: "2024-12-31"');
        const today = await rows(ask, 'viewer', 'victims_identified', 'VN', '2024');
        const vn = (
          await ask(
            'viewer',
            '{ kpi(indicator: "victims_identified", unit: "VN", period: "2024") { value suppressed } }',
          )
        ).kpi;
        return new Map<string, Seen>([...old, ...today, ['VN', vn]]);
      };
      const before = await snapshot();
      await load(w, '2025-03:70,2024,victims_identified,,,40,2025-02-05,');
      const after = await snapshot();
      const changed = new Set(['2025-03:70', '2025-07:75', 'VN']);
      const flipped = [...before]
        .filter(([ref, s]) => !changed.has(ref) && after.get(ref)!.suppressed !== s.suppressed)
        .map(
          ([ref, s]) =>
            `${ref}: ${s.suppressed ? 'withheld' : `shown ${s.value}`} → ` +
            `${after.get(ref)!.suppressed ? 'withheld' : 'shown'}`,
        );
      expect(flipped).toEqual([]);
      // Both snapshots in one system: unchanged figures are one unknown, changed ones one per snapshot.
      const truth = new Map<string, number>([
        ['2025-03:75', 5],
        ['2025-03:01', 30],
        ['2025-07:01', 30],
        ['1|2025-03:70', 20],
        ['2|2025-03:70', 40],
        ['1|2025-07:75', 25],
        ['2|2025-07:75', 45],
        ['1|VN', 55],
        ['2|VN', 75],
      ]);
      const id = (k: number, ref: string) => (changed.has(ref) ? `${k}|${ref}` : ref);
      const rels: Relation[] = [];
      const shown = new Map<string, number>();
      const withheld = new Set<string>();
      [before, after].forEach((snap, i) => {
        const k = i + 1;
        rels.push(
          { total: id(k, 'VN'), parts: ['2025-03:75', '2025-03:70', '2025-03:01'].map((r) => id(k, r)) },
          { total: id(k, 'VN'), parts: ['2025-07:75', '2025-07:01'].map((r) => id(k, r)) },
          { total: id(k, '2025-07:75'), parts: ['2025-03:75', '2025-03:70'].map((r) => id(k, r)) },
          { total: id(k, '2025-07:01'), parts: [id(k, '2025-03:01')] },
        );
        for (const ref of ['VN', '2025-03:75', '2025-03:70', '2025-03:01', '2025-07:75', '2025-07:01']) {
          const s = snap.get(ref)!;
          if (s.suppressed) withheld.add(id(k, ref));
          else {
            expect(s.value, ref).toBe(truth.get(id(k, ref)));
            shown.set(id(k, ref), s.value!);
          }
        }
      });
      for (const x of shown.keys()) withheld.delete(x);
      expect(withheld.has('2025-03:75')).toBe(true);
      expect(narrower(ranges(rels, shown, withheld, truth, 1))).toEqual([]);
    },
  );
});
