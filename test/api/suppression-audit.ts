/**
 * The machinery of the suppression audits (test/api/suppression-combined.test.ts, and over several seeds
 * test/soak/suppression-seeds.test.ts): a year of victims figures for old Đồng Nai's Biên Hòa and its wards
 * (random, seeded), everything a viewer or an analyst can ask about it over HTTP, and an exact solver for what the
 * relations between the figures give away.
 */
import { expect } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { csv, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';

const H = 'unit_code,period,indicator,sex,age_group,value,submitted_on';
export const INDICATOR = 'victims_identified';
export const YEAR = 2024;

// ---------------------------------------------------------------------------------------------------------------
// Periods and sex × age cells of one year.

export const MONTHS = Array.from({ length: 12 }, (_, i) => `${YEAR}${String(i + 1).padStart(2, '0')}`);
export const QUARTERS = [1, 2, 3, 4].map((q) => `${YEAR}Q${q}`);
export const HALVES = [`${YEAR}S1`, `${YEAR}S2`];
export const PERIODS = [String(YEAR), ...HALVES, ...QUARTERS, ...MONTHS];
export const GRANULARITIES: [string, string[]][] = [
  ['YEAR', [String(YEAR)]],
  ['HALF_YEAR', HALVES],
  ['QUARTER', QUARTERS],
  ['MONTH', MONTHS],
];
/** Each coarser period and the finer periods that make it up, at each finer granularity. */
export const PERIOD_RELATIONS: [string, string[]][] = [
  [String(YEAR), HALVES],
  [String(YEAR), QUARTERS],
  [String(YEAR), MONTHS],
  [HALVES[0], QUARTERS.slice(0, 2)],
  [HALVES[0], MONTHS.slice(0, 6)],
  [HALVES[1], QUARTERS.slice(2)],
  [HALVES[1], MONTHS.slice(6)],
  ...QUARTERS.map((q, i): [string, string[]] => [q, MONTHS.slice(3 * i, 3 * i + 3)]),
];

export interface By {
  sex?: string;
  ageGroup?: string;
}
export const BYS: By[] = [
  {},
  { sex: 'female' },
  { sex: 'male' },
  { ageGroup: 'child' },
  { ageGroup: 'adult' },
  { sex: 'female', ageGroup: 'child' },
  { sex: 'female', ageGroup: 'adult' },
  { sex: 'male', ageGroup: 'child' },
  { sex: 'male', ageGroup: 'adult' },
];
export const byKey = (b: By) => `${b.sex ?? 'total'}/${b.ageGroup ?? 'total'}`;
export const byArgs = (b: By) =>
  `${b.sex ? `, sex: "${b.sex}"` : ''}${b.ageGroup ? `, ageGroup: "${b.ageGroup}"` : ''}`;
/** total = female + male = child + adult; female = female child + female adult; and so on. */
export const BY_RELATIONS: [string, string[]][] = [
  ['total/total', ['female/total', 'male/total']],
  ['total/total', ['total/child', 'total/adult']],
  ['female/total', ['female/child', 'female/adult']],
  ['male/total', ['male/child', 'male/adult']],
  ['total/child', ['female/child', 'male/child']],
  ['total/adult', ['female/adult', 'male/adult']],
];

export const cellId = (ref: string, period: string, by: string) => `${ref}|${period}|${by}`;

// ---------------------------------------------------------------------------------------------------------------
// The data.

/** A small seeded generator (mulberry32): the same data on every run. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Most months no victims, some a few, now and then many: the shape of ward figures. */
function victims(r: () => number): number {
  const u = r();
  if (u < 0.55) return 0;
  if (u < 0.9) return 1 + Math.floor(r() * 4);
  return 8 + Math.floor(r() * 20);
}
const split = (r: () => number, n: number, p: number) => Array.from({ length: n }).filter(() => r() < p).length;

export const UNITS = {
  province: '2025-03:75',
  district: '2025-03:731',
  other: '2025-03:70',
  newProvince: '2025-07:75',
};

export interface Audited {
  server: RunningServer;
  tokens: Record<Role, string>;
  districts: string[];
  wards: string[];
  /** New communes made only of Biên Hòa's wards, with the wards they were made of. */
  communes: Map<string, string[]>;
  /** Every unit whose figures are audited. */
  refs: string[];
}

export type Role = 'viewer' | 'analyst';

/**
 * Loads a year of victims figures into `w` and serves it: Biên Hòa's wards report victims identified by month, sex
 * and age (most months none, some a few, now and then many), and victims returned and supported by quarter; old Đồng
 * Nai's other districts monthly totals; old Bình Phước a small year (new Đồng Nai's 2024 is old Đồng Nai's plus it);
 * Cẩm Mỹ a 2023 year that disagrees with its ward's (a discrepancy on a victims figure).
 */
export async function serveVictimsYear(w: Warehouse, seed: number): Promise<Audited> {
  const refs = async (sql: string, ...params: unknown[]) =>
    (await w.sql<{ ref: string }>(sql, params)).map((x) => x.ref);
  const units = UNITS;
  const districts = await refs(
    `SELECT ref FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = $1) ORDER BY code`,
    units.province,
  );
  const wards = await refs(
    `SELECT ref FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = $1) ORDER BY code`,
    units.district,
  );
  const lineage = await w.sql<{ n: string; o: string }>(
    `SELECT n.ref AS n, o.ref AS o FROM unit_lineage l JOIN units n ON n.unit_id = l.new_id JOIN units o ON o.unit_id = l.old_id
    WHERE n.unit_id IN (SELECT new_id FROM unit_lineage WHERE old_id IN (SELECT unit_id FROM units WHERE parent_id = (SELECT unit_id FROM units WHERE ref = $1))) ORDER BY n.ref, o.ref`,
    [units.district],
  );
  const communes = new Map<string, string[]>();
  for (const { n, o } of lineage) communes.set(n, [...(communes.get(n) ?? []), o]);
  for (const [n, olds] of communes) if (!olds.every((o) => wards.includes(o))) communes.delete(n);

  const r = rng(seed);
  const rows: string[] = [];
  for (const ward of wards) {
    for (const month of MONTHS) {
      const total = victims(r);
      if (!total) continue;
      const female = split(r, total, 0.8);
      const child = split(r, total, 0.25);
      const on = month.endsWith('12')
        ? `${YEAR + 1}-01-05`
        : `${YEAR}-${String(Number(month.slice(4)) + 1).padStart(2, '0')}-05`;
      rows.push(
        `${ward},${month},${INDICATOR},,,${total},${on}`,
        `${ward},${month},${INDICATOR},female,,${female},${on}`,
        `${ward},${month},${INDICATOR},male,,${total - female},${on}`,
        `${ward},${month},${INDICATOR},,child,${child},${on}`,
        `${ward},${month},${INDICATOR},,adult,${total - child},${on}`,
      );
    }
    for (const q of QUARTERS) {
      const returned = victims(r);
      rows.push(
        `${ward},${q},victims_returned,,,${returned},2025-01-05`,
        `${ward},${q},victims_supported,,,${split(r, returned, 0.9)},2025-01-05`,
      );
    }
  }
  for (const d of districts.filter((x) => x !== units.district)) {
    for (const month of MONTHS) rows.push(`${d},${month},${INDICATOR},,,${victims(r)},2025-01-05`);
  }
  rows.push(`${units.other},${YEAR},${INDICATOR},,,7,2025-01-05`);
  const dir = tempDir('pcmbn-suppression-audit-');
  writeFile(dir, 'victims.csv', csv(H, ...rows));
  writeFile(
    dir,
    'discrepancy.csv',
    csv(H, `2025-03:739,2023,${INDICATOR},,,5,2024-01-05`, `2025-03:26356,2023,${INDICATOR},,,12,2024-01-05`),
  );
  const result = await loadFiles(w, [dir], { today: '2025-11-20' });
  expect(result.files.map((f) => [f.name, f.status, f.issues.map((i) => i.message)])).toEqual(
    result.files.map((f) => [f.name, 'loaded', []]),
  );
  const vn = await unitId(w, 'VN');
  const tokens = {
    viewer: (await createApiKey(w, { role: 'viewer', unitId: vn })).token,
    analyst: (await createApiKey(w, { role: 'analyst', unitId: vn })).token,
  };
  const server = await startServer({ warehouse: w, port: 0 });
  return {
    server,
    tokens,
    districts,
    wards,
    communes,
    refs: [units.province, ...districts, ...wards, units.other, units.newProvince, ...communes.keys()],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Asking everything.

export async function ok(a: Audited, role: Role, query: string): Promise<any> {
  const r = await gql(a.server.url, query, { token: a.tokens[role] });
  expect(r.body.errors, JSON.stringify(r.body.errors)?.slice(0, 500)).toBeUndefined();
  return r.body.data;
}

/** Runs `fields` (aliased query fields) in requests of at most `per`, a few at a time; the answers merged. */
export async function many(a: Audited, role: Role, fields: string[], per: number): Promise<Record<string, any>> {
  const chunks: string[][] = [];
  for (let i = 0; i < fields.length; i += per) chunks.push(fields.slice(i, i + per));
  const out: Record<string, any> = {};
  for (let i = 0; i < chunks.length; i += 4) {
    const answers = await Promise.all(chunks.slice(i, i + 4).map((c) => ok(a, role, `{ ${c.join(' ')} }`)));
    for (const a of answers) Object.assign(out, a);
  }
  return out;
}

/** One figure as an answer carried it: its value, or withheld ('maybe': a null that may also mean no data). */
export interface Seen {
  value: number | null;
  withheld: boolean | 'maybe';
  where: string;
}
export type Observations = Map<string, Seen[]>;

function see(obs: Observations, id: string, s: Seen) {
  const list = obs.get(id);
  if (list) list.push(s);
  else obs.set(id, [s]);
}

/** Every figure of `refs` × PERIODS × BYS through kpi, trend, breakdown and previousValue, as `role` gets them. */
export async function gather(
  a: Audited,
  role: Role,
  only: 'trends' | 'everything' = 'everything',
): Promise<Observations> {
  const { refs } = a;
  const units = UNITS;
  const obs: Observations = new Map();
  const alias = new Map<string, (d: any) => void>();
  const fields: string[] = [];
  const add = (field: string, read: (d: any) => void) => {
    const name = `a${alias.size}`;
    alias.set(name, read);
    fields.push(`${name}: ${field}`);
  };
  for (const ref of refs) {
    for (const by of BYS) {
      const k = byKey(by);
      // kpi for the total, female and child (the path is the same for every cell; the others come by trend and breakdown).
      for (const period of only === 'everything' && BYS.indexOf(by) < 4 && BYS.indexOf(by) !== 2 ? PERIODS : []) {
        add(
          `kpi(indicator: "${INDICATOR}", unit: "${ref}", period: "${period}"${byArgs(by)}) { value suppressed }`,
          (d) =>
            see(obs, cellId(ref, period, k), {
              value: d.value,
              withheld: d.suppressed,
              where: `kpi ${ref} ${period} ${k}`,
            }),
        );
      }
      for (const [granularity, periods] of GRANULARITIES) {
        add(
          `trend(indicator: "${INDICATOR}", unit: "${ref}", from: "${YEAR}", to: "${YEAR}", granularity: ${granularity}${byArgs(by)}) { period value suppressed }`,
          (d) => {
            expect(d.map((p: any) => p.period)).toEqual(periods);
            for (const p of d)
              see(obs, cellId(ref, p.period, k), {
                value: p.value,
                withheld: p.suppressed,
                where: `trend ${granularity} ${ref} ${k}`,
              });
          },
        );
      }
    }
    // The year after carries each figure again as its previousValue (withheld or no data: null).
    for (const by of only === 'everything' ? BYS.slice(0, 1) : []) {
      for (const period of PERIODS) {
        const next = `${YEAR + 1}${period.slice(4)}`;
        // An old-list unit's 2025 is its first half only: it is compared with the first half of the year before.
        const compared = ref.startsWith('2025-03') && next === '2025' ? `${YEAR}S1` : period;
        add(`kpi(indicator: "${INDICATOR}", unit: "${ref}", period: "${next}"${byArgs(by)}) { previousValue }`, (d) =>
          see(obs, cellId(ref, compared, byKey(by)), {
            value: d.previousValue,
            withheld: d.previousValue === null ? 'maybe' : false,
            where: `previousValue of ${ref} ${next} ${byKey(by)}`,
          }),
        );
      }
    }
  }
  // Breakdowns: old Đồng Nai's districts, Biên Hòa's wards, new Đồng Nai's communes, and the old and new provinces.
  const parents: [string, string][] = [
    [units.province, ''],
    [units.district, ''],
    [units.newProvince, ''],
    ['VN', ', asOf: "2024-12-31"'],
    ['VN', ''],
  ];
  for (const [parent, extra] of only === 'everything' ? parents : []) {
    for (const by of BYS) {
      for (const period of PERIODS) {
        add(
          `breakdown(indicator: "${INDICATOR}", unit: "${parent}", period: "${period}"${byArgs(by)}${extra}) { unit { ref } value suppressed }`,
          (d) => {
            for (const row of d)
              if (refs.includes(row.unit.ref))
                see(obs, cellId(row.unit.ref, period, byKey(by)), {
                  value: row.value,
                  withheld: row.suppressed,
                  where: `breakdown ${parent}${extra} ${period} ${byKey(by)}`,
                });
          },
        );
      }
    }
  }
  const data = await many(a, role, fields, 30);
  for (const [name, read] of alias) read(data[name]);
  return obs;
}

// ---------------------------------------------------------------------------------------------------------------
// Solving: what a viewer can work out from what it sees.

export interface Relation {
  total: string;
  parts: string[];
  what: string;
}

/** Every relation between the figures, kept where it holds in the true figures (the analyst's). */
export function relations(a: Audited, truth: Map<string, number>): Relation[] {
  const { refs, districts, wards, communes } = a;
  const units = UNITS;
  const v = (id: string) => truth.get(id) ?? 0;
  const out: Relation[] = [];
  const add = (total: string, parts: string[], what: string) => {
    if (Math.abs(v(total) - parts.reduce((s, p) => s + v(p), 0)) < 1e-9) out.push({ total, parts, what });
  };
  const children: [string, string[]][] = [
    [units.province, districts],
    [units.district, wards],
    [units.newProvince, [units.province, units.other]],
    ...communes,
  ];
  for (const by of BYS.map(byKey)) {
    for (const period of PERIODS) {
      for (const [parent, kids] of children)
        add(
          cellId(parent, period, by),
          kids.map((k) => cellId(k, period, by)),
          `${parent} = Σ ${kids.length} units, ${period} ${by}`,
        );
    }
    for (const ref of refs)
      for (const [coarse, fine] of PERIOD_RELATIONS)
        add(
          cellId(ref, coarse, by),
          fine.map((p) => cellId(ref, p, by)),
          `${ref} ${coarse} = Σ ${fine.join('+')} ${by}`,
        );
  }
  for (const ref of refs) {
    for (const period of PERIODS)
      for (const [total, parts] of BY_RELATIONS)
        add(
          cellId(ref, period, total),
          parts.map((p) => cellId(ref, period, p)),
          `${ref} ${period} ${total} = ${parts.join(' + ')}`,
        );
  }
  return out;
}

/**
 * The withheld figures the relations determine, given the shown ones: Gauss–Jordan elimination over the withheld
 * figures only (a shown figure is a constant). A withheld figure is determined when some combination of relations
 * involves it alone: a row of the reduced matrix with a single non-zero entry.
 */
export function determined(rels: Relation[], withheld: Set<string>): string[] {
  const cols = [...withheld];
  const col = new Map(cols.map((c, i) => [c, i]));
  const rows: Map<number, number>[] = [];
  for (const r of rels) {
    const row = new Map<number, number>();
    const put = (id: string, k: number) => {
      const c = col.get(id);
      if (c !== undefined) row.set(c, (row.get(c) ?? 0) + k);
    };
    put(r.total, 1);
    for (const p of r.parts) put(p, -1);
    for (const [c, k] of row) if (k === 0) row.delete(c);
    if (row.size) rows.push(row);
  }
  const pivots: { col: number; row: Map<number, number> }[] = [];
  for (let c = 0; c < cols.length; c++) {
    const i = rows.findIndex((r) => Math.abs(r.get(c) ?? 0) > 1e-9);
    if (i < 0) continue;
    const [p] = rows.splice(i, 1);
    const k = p.get(c)!;
    for (const [cc, x] of p) p.set(cc, x / k);
    const eliminate = (r: Map<number, number>) => {
      const f = r.get(c);
      if (f === undefined) return;
      for (const [cc, x] of p) {
        const y = (r.get(cc) ?? 0) - f * x;
        if (Math.abs(y) < 1e-9) r.delete(cc);
        else r.set(cc, y);
      }
    };
    for (const r of rows) eliminate(r);
    for (const q of pivots) eliminate(q.row);
    pivots.push({ col: c, row: p });
  }
  return pivots.filter((p) => p.row.size === 1).map((p) => cols[p.col]);
}

// ---------------------------------------------------------------------------------------------------------------
// The checks.

/** The viewer's answers, the analyst's trends, the true figures and the ones the viewer gets withheld. */
export interface Answers {
  viewer: Observations;
  analyst: Observations;
  truth: Map<string, number>;
  withheld: Set<string>;
}

export async function answers(a: Audited): Promise<Answers> {
  // The analyst's trends give every true figure (every period of the year, every sex × age cell of every unit).
  const [viewer, analyst] = [await gather(a, 'viewer'), await gather(a, 'analyst', 'trends')];
  const truth = new Map([...analyst].map(([id, seen]) => [id, seen[0].value ?? 0]));
  const withheld = new Set([...viewer].filter(([, seen]) => seen.some((s) => s.withheld === true)).map(([id]) => id));
  return { viewer, analyst, truth, withheld };
}

/** Figures withheld by some answers and shown by others (at most 10 described), after checking shown values. */
export function mixedStatuses({ viewer, truth }: Answers): string[] {
  const mixed: string[] = [];
  for (const [id, seen] of viewer) {
    const w = seen.filter((s) => s.withheld === true);
    const shown = seen.filter((s) => s.withheld === false || (s.withheld === 'maybe' && !w.length));
    if (w.length && shown.length)
      mixed.push(
        `${id} (true ${truth.get(id)}): withheld by ${w.map((s) => s.where).join(', ')}; shown by ${shown.map((s) => `${s.where} = ${s.value}`).join(', ')}`,
      );
    for (const s of shown) expect(s.value ?? 0, `${s.where}`).toBe(truth.get(id));
    for (const s of w) expect(s.value, s.where).toBeNull();
  }
  return mixed;
}

/**
 * What the viewer can solve for: reported (old-list) withheld figures the relations determine, derived ones (new
 * units' 2024: sums of old units') likewise, and relations whose withheld parts are all 1 beside a shown total.
 */
export function solvable(
  a: Audited,
  { truth, withheld }: Answers,
): { reported: string[]; derived: string[]; ones: string[]; relations: number } {
  const rels = relations(a, truth);
  const solved = determined(rels, withheld);
  const ones = rels
    .filter(
      (r) =>
        !withheld.has(r.total) &&
        r.parts.some((p) => withheld.has(p)) &&
        r.parts.filter((p) => withheld.has(p)).every((p) => truth.get(p) === 1),
    )
    .map((r) => r.what);
  return {
    reported: solved.filter((id) => id.startsWith('2025-03:')).map((id) => `${id} = ${truth.get(id)}`),
    derived: solved.filter((id) => !id.startsWith('2025-03:')),
    ones,
    relations: rels.length,
  };
}
