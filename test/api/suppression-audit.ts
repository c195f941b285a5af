/**
 * The machinery of the suppression audits (test/api/suppression-combined.test.ts, and over several seeds
 * test/soak/suppression-seeds.test.ts): a year of victims figures for old Đồng Nai's Biên Hòa and its wards
 * (random, seeded), everything a viewer or an analyst can ask about it over HTTP, every relation between the
 * figures, and an integer solver (test/api/protection-audit.ts) for what they give away.
 */
import { expect } from 'vitest';
import { createApiKey } from '../../api/auth/keys.ts';
import { type RunningServer, startServer } from '../../api/server.ts';
import { loadFiles } from '../../etl/load.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { csv, tempDir, unitId, writeFile } from '../helpers.ts';
import { gql } from './client.ts';
import { narrower, type Range, ranges } from './protection-audit.ts';

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

/** Old provinces with a yearly figure: 02 and 08 became today's 08, 10 and 15 today's 15, 24 and 27 today's 24, 35,
 * 36 and 37 today's 37; 04, 20, 38 and 40 were left whole. */
const PROVINCES = ['02', '04', '08', '10', '15', '20', '24', '27', '35', '36', '37', '38', '40'].map(
  (c) => `2025-03:${c}`,
);

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
  /** The old and the new provinces, and the old provinces each new one was made of. */
  provinces: { old: string[]; now: string[]; parts: Map<string, string[]> };
  /** The rows loaded (CSV lines), for revising some of them. */
  rows: string[];
}

export type Role = 'viewer' | 'analyst';

/**
 * Loads a year of victims figures into `w` and serves it: Biên Hòa's wards report victims identified by month, sex
 * and age (most months none, some a few, now and then many), and victims returned and supported by quarter; old Đồng
 * Nai's other districts monthly totals; old Bình Phước a small year (new Đồng Nai's 2024 is old Đồng Nai's plus it);
 * thirteen other old provinces a year each, by sex and age;
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
    WHERE n.unit_id IN (SELECT new_id FROM unit_lineage WHERE old_id IN (SELECT unit_id FROM units WHERE parent_id =
      (SELECT unit_id FROM units WHERE ref = $1))) ORDER BY n.ref, o.ref`,
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
  // Yearly figures of a dozen other old provinces, by sex and age: none, a few or many; some merged in 2025.
  for (const province of PROVINCES) {
    const u = r();
    const total = u < 0.3 ? 0 : u < 0.65 ? 1 + Math.floor(r() * 10) : 11 + Math.floor(r() * 50);
    const female = split(r, total, 0.7);
    const child = split(r, total, 0.3);
    for (const [sex, age, v] of [
      ['', '', total],
      ['female', '', female],
      ['male', '', total - female],
      ['', 'child', child],
      ['', 'adult', total - child],
    ] as const)
      rows.push(`${province},${YEAR},${INDICATOR},${sex},${age},${v},2025-01-05`);
  }
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
  const provinces = {
    old: await refs(`SELECT ref FROM units WHERE level = 'province' AND hierarchy = '2025-03' ORDER BY ref`),
    now: await refs(`SELECT ref FROM units WHERE level = 'province' AND hierarchy = '2025-07' ORDER BY ref`),
    parts: new Map<string, string[]>(),
  };
  for (const { n, o } of await w.sql<{ n: string; o: string }>(
    `SELECT n.ref AS n, o.ref AS o FROM unit_lineage l JOIN units n ON n.unit_id = l.new_id JOIN units o ON o.unit_id = l.old_id
     WHERE n.level = 'province' AND o.level = 'province' ORDER BY n.ref, o.ref`,
  ))
    provinces.parts.set(n, [...(provinces.parts.get(n) ?? []), o]);
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
    refs: ['VN', units.province, ...districts, ...wards, units.other, units.newProvince, ...communes.keys()],
    provinces,
    rows,
  };
}

/**
 * A second load: `n` ward months of 11 victims or more are revised up by 2 (female and adult with them), as a late
 * correction would; their totals move, nothing crosses 10.
 */
export async function revise(w: Warehouse, a: Audited, n: number): Promise<string[]> {
  const revised = a.rows
    .map((row) => row.split(','))
    .filter((f) => f[2] === INDICATOR && f[3] === '' && f[4] === '' && Number(f[5]) >= 11 && a.wards.includes(f[0]))
    .slice(0, n);
  const rows = revised.flatMap(([ward, month, , , , total]) => [
    `${ward},${month},${INDICATOR},,,${Number(total) + 2},2025-06-01`,
    `${ward},${month},${INDICATOR},female,,${Number(a.rows.find((r) => r.startsWith(`${ward},${month},${INDICATOR},female,`))!.split(',')[5]) + 2},2025-06-01`,
    `${ward},${month},${INDICATOR},,adult,${Number(a.rows.find((r) => r.startsWith(`${ward},${month},${INDICATOR},,adult,`))!.split(',')[5]) + 2},2025-06-01`,
  ]);
  const dir = tempDir('pcmbn-suppression-revision-');
  writeFile(dir, 'revision.csv', csv(H, ...rows));
  const result = await loadFiles(w, [dir], { today: '2025-11-20', holdReaders: a.server.holdReaders });
  expect(result.files.map((f) => [f.status, f.issues.map((i) => i.message)])).toEqual([['loaded', []]]);
  return revised.map(([ward, month]) => `${ward} ${month}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Asking everything.

/**
 * After a solve of a minute or more, which blocks the event loop the server shares: lets the server close the
 * connections that went idle meanwhile, before a client picks one of them up again.
 */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

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
      // kpi for the total, female and child (the path is the same for every cell; the others come by trend and
      // breakdown).
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
          `trend(indicator: "${INDICATOR}", unit: "${ref}", from: "${YEAR}", to: "${YEAR}", granularity: ` +
            `${granularity}${byArgs(by)}) { period value suppressed }`,
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
  // The analyst's trends leave out the provinces outside `refs`: VN's breakdowns give their true figures.
  for (const [parent, extra] of only === 'everything' ? parents : parents.filter(([p]) => p === 'VN')) {
    for (const by of BYS) {
      for (const period of PERIODS) {
        add(
          `breakdown(indicator: "${INDICATOR}", unit: "${parent}", period: "${period}"${byArgs(by)}${extra}) { unit ` +
            `{ ref } value suppressed }`,
          (d) => {
            for (const row of d)
              if (refs.includes(row.unit.ref) || parent === 'VN')
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
  const { provinces } = a;
  const children: [string, string[]][] = [
    ['VN', provinces.old],
    ['VN', provinces.now],
    ...[...provinces.parts].filter(([n]) => n !== units.newProvince),
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
        `${id} (true ${truth.get(id)}): withheld by ${w.map((s) => s.where).join(', ')}; shown by ` +
          `${shown.map((s) => `${s.where} = ${s.value}`).join(', ')}`,
      );
    for (const s of shown) expect(s.value ?? 0, `${s.where}`).toBe(truth.get(id));
    for (const s of w) expect(s.value, s.where).toBeNull();
  }
  return mixed;
}

/**
 * What the viewer can work out: for each withheld figure from 1 to 10, the range the relations that hold leave it,
 * the shown figures put in (`snapshots`: one or more loads' answers; a figure that is the same in all of them is one
 * unknown, one that changed is one per snapshot).
 */
export function protection(
  a: Audited,
  ...snapshots: Answers[]
): { ranges: Range[]; narrower: string[]; relations: number; least: number } {
  const changed = new Set<string>();
  for (const s of snapshots.slice(1))
    for (const [id, v] of s.truth) if ((snapshots[0].truth.get(id) ?? 0) !== v) changed.add(id);
  const key = (k: number, id: string) => (changed.has(id) ? `${k}#${id}` : id);
  const rels: Relation[] = [];
  const truth = new Map<string, number>();
  const shown = new Map<string, number>();
  const unknown = new Set<string>();
  snapshots.forEach((s, k) => {
    for (const r of relations(a, s.truth))
      rels.push({ total: key(k, r.total), parts: r.parts.map((p) => key(k, p)), what: r.what });
    for (const [id, v] of s.truth) truth.set(key(k, id), v);
    for (const [id, seen] of s.viewer)
      if (seen.some((x) => x.withheld === false)) shown.set(key(k, id), s.truth.get(id) ?? 0);
      else unknown.add(key(k, id));
  });
  for (const r of rels) for (const id of [r.total, ...r.parts]) if (!shown.has(id)) unknown.add(id);
  for (const id of shown.keys()) unknown.delete(id);
  // Zeros shown tell that every withheld figure is at least 1.
  const least = [...unknown].some((id) => (truth.get(id) ?? 0) === 0) ? 0 : 1;
  const found = ranges(rels, shown, unknown, truth, least);
  return { ranges: found, narrower: narrower(found), relations: rels.length, least };
}

// ---------------------------------------------------------------------------------------------------------------
// 2025: the new list's own reports.

/**
 * Loads 2025 reports of the new list (yearly, by sex and age: the new provinces made of `PROVINCES` and new Đồng
 * Nai's communes made of Biên Hòa's wards), then solves what a viewer reads of 2025: VN's and every new province's
 * figures (kpi and breakdowns, all nine cells), the communes' (breakdown under new Đồng Nai), with every relation
 * that holds (VN = its provinces, new Đồng Nai = its communes, total = female + male = child + adult …).
 */
export async function audit2025(w: Warehouse, a: Audited, seed: number) {
  const r = rng(seed);
  const newProvinces = [
    ...new Set(PROVINCES.map((o) => [...a.provinces.parts].find(([, olds]) => olds.includes(o))![0])),
  ];
  const rows: string[] = [];
  for (const unit of [...newProvinces, ...a.communes.keys()]) {
    const u = r();
    const total = u < 0.3 ? 0 : u < 0.7 ? 1 + Math.floor(r() * 10) : 11 + Math.floor(r() * 40);
    const female = split(r, total, 0.7);
    const child = split(r, total, 0.3);
    // Female children between what the margins force and allow, so that every cell is a count (≥ 0).
    const least = Math.max(0, female + child - total);
    const fc = least + split(r, Math.min(female, child) - least, 0.5);
    const cells: [string, string, number][] = [
      ['', '', total],
      ['female', '', female],
      ['male', '', total - female],
      ['', 'child', child],
      ['', 'adult', total - child],
      ['female', 'child', fc],
      ['female', 'adult', female - fc],
      ['male', 'child', child - fc],
      ['male', 'adult', total - female - child + fc],
    ];
    for (const [sex, age, v] of cells) if (v >= 0) rows.push(`${unit},2025,${INDICATOR},${sex},${age},${v},2026-01-05`);
  }
  const dir = tempDir('pcmbn-suppression-2025-');
  writeFile(dir, 'new-list-2025.csv', csv(H, ...rows));
  const result = await loadFiles(w, [dir], { today: '2026-11-20', holdReaders: a.server.holdReaders });
  expect(result.files.map((f) => [f.status, f.issues.map((i) => i.message)])).toEqual([['loaded', []]]);

  const read = async (role: Role) => {
    const obs = new Map<string, { value: number | null; suppressed: boolean }>();
    const fields = BYS.flatMap((by, i) => [
      `k${i}: kpi(indicator: "${INDICATOR}", unit: "VN", period: "2025"${byArgs(by)}) { unit { ref } value ` +
        `suppressed }`,
      `p${i}: breakdown(indicator: "${INDICATOR}", unit: "VN", period: "2025"${byArgs(by)}) { unit { ref } value ` +
        `suppressed }`,
      `c${i}: breakdown(indicator: "${INDICATOR}", unit: "${UNITS.newProvince}", period: "2025", level: ` +
        `WARD${byArgs(by)}) { unit { ref } value suppressed }`,
    ]);
    const data = await many(a, role, fields, 9);
    BYS.forEach((by, i) => {
      for (const row of [data[`k${i}`], ...data[`p${i}`], ...data[`c${i}`]])
        obs.set(cellId(row.unit.ref, '2025', byKey(by)), { value: row.value, suppressed: row.suppressed });
    });
    return obs;
  };
  const viewer = await read('viewer');
  const truth = new Map([...(await read('analyst'))].map(([id, s]) => [id, s.value ?? 0]));
  const provinces = a.provinces.now;
  const communes = [...new Set([...viewer.keys()].map((id) => id.split('|')[0]))].filter(
    (ref) => ref !== 'VN' && !provinces.includes(ref),
  );
  const rels: Relation[] = [];
  for (const by of BYS.map(byKey)) {
    rels.push({
      total: cellId('VN', '2025', by),
      parts: provinces.map((p) => cellId(p, '2025', by)),
      what: `VN ${by}`,
    });
    rels.push({
      total: cellId(UNITS.newProvince, '2025', by),
      parts: communes.map((c) => cellId(c, '2025', by)),
      what: `new Đồng Nai ${by}`,
    });
  }
  for (const ref of ['VN', ...provinces, ...communes])
    for (const [total, parts] of BY_RELATIONS)
      rels.push({
        total: cellId(ref, '2025', total),
        parts: parts.map((p) => cellId(ref, '2025', p)),
        what: `${ref} ${total}`,
      });
  const shown = new Map([...viewer].filter(([, s]) => !s.suppressed).map(([id]) => [id, truth.get(id) ?? 0]));
  const unknown = new Set([...rels.flatMap((x) => [x.total, ...x.parts])].filter((id) => !shown.has(id)));
  for (const [id, s] of viewer) if (!s.suppressed) expect(s.value ?? 0, id).toBe(truth.get(id));
  const least = [...unknown].some((id) => (truth.get(id) ?? 0) === 0) ? 0 : 1;
  const found = ranges(rels, shown, unknown, truth, least);
  await settle();
  return { viewer, truth, shown, communes, found, narrower: narrower(found), newProvinces };
}
