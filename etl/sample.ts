/**
 * The deterministic synthetic sample: report files shaped like the real ones, for demos, tests and the benchmark.
 *
 * What it writes under `outDir` (every report file follows the report CSV contract, see `etl/contract.ts`):
 * - `wards/<list>-<province>-<year>.csv`: ward (old list) or commune (new list) monthly reports, one file per
 *   list, province and year. Under the old list the five island districts that have no wards (e.g. `318` Bạch Long
 *   Vĩ) report monthly themselves, like wards: they are the grassroots unit there.
 * - `consolidated/<list>-<province>-<year>.csv`: quarterly consolidated reports of the province's districts (old list)
 *   and of the province itself.
 * - `revisions/revisions-<year>.csv`: later corrections of ward-month figures (by the period's year).
 * - `expected/discrepancies.expected` and `expected/outliers.expected` (CSV text; an extension the loader passes
 *   over, so `pcmbn etl load OUT` loads the reports and not the answer key): what was planted, so tests can check the warehouse
 *   finds it. Their headers are not the report contract: a loader must not take them for reports.
 *
 * How the figures hang together (the "truth"):
 * - Every leaf (ward, commune, island district) has a profile (size, trafficking exposure, habits) derived from a
 *   hash of the seed and its code, and its own PRNG stream. So a ward's figures do not depend on which other units
 *   are generated: the demo is an exact slice of the national sample for the same seed.
 * - A new commune's profile is the sum of its predecessor wards' (a split ward counts 1/k in each of its k pieces),
 *   so trends run on across the 2025 reform.
 * - A consolidated quarterly figure is what the warehouse can recompute from the leaves' final reports (revisions
 *   applied): flows sum the reported months, stocks sum each leaf's latest reported month of the quarter; a leaf
 *   with no report in the quarter is left out. A ward-month's original figure that is later revised was a mistake:
 *   the consolidated report already holds the corrected value. Outliers (×20) are real spikes, included in sums.
 *   About 2% of consolidated total figures are then deliberately changed; `expected/discrepancies.expected` lists them
 *   (for victims_* figures with a breakdown, the female and adult rows carry the same change so breakdowns still
 *   add up to their total).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { COUNT_INDICATORS } from '../schema/catalogue.ts';
import { periodId } from '../schema/periods.ts';

export type SampleScale = 'demo' | 'national';

export interface SampleOptions {
  scale: SampleScale;
  outDir: string;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Last month generated, YYYYMM; default '202610'. */
  until?: string;
}

export interface SampleSummary {
  /** Report files written (wards, consolidated, revisions; not the `expected/` side files). */
  files: number;
  /** Data rows in those files (header lines excluded). */
  rows: number;
  bytes: number;
  /** Distinct reporting units (list + code) that appear in the report files. */
  units: number;
  /** Earliest period written (by start date; a month before the quarter starting the same day). */
  firstPeriod: string;
  /** Latest period written (by end date; a month before the quarter ending the same day). */
  lastPeriod: string;
}

export type List = '2025-03' | '2025-07';
export const OLD_LIST: List = '2025-03';
export const NEW_LIST: List = '2025-07';

export const HEADER = 'unit_code,period,indicator,sex,age_group,value,submitted_on\n';
export const DISCREPANCY_HEADER = 'unit_code,period,indicator,sex,age_group,reported,children_sum\n';
export const OUTLIER_HEADER = 'unit_code,period,indicator,value,usual\n';

/** Share of consolidated total figures deliberately changed. */
const DISCREPANCY_RATE = 0.02;
/** Share of reported ward-months revised later. */
const REVISION_RATE = 0.005;
/** Chance that a reported ward-month holds an outlier (×20): a handful in the demo, a few hundred nationally. */
const OUTLIER_RATE = 0.0003;

// ---------------------------------------------------------------------------------------------------------------
// Time: months are counted from January 2019 (t = 0), when the sample's history starts.

const FIRST_YEAR = 2019;
/** June 2025, the last month under the old list. */
const LAST_OLD_MONTH = monthIndex('202506');
/** The demo's ward files start in January 2024; consolidated history still goes back to 2019. */
const DEMO_FIRST_WARD_MONTH = monthIndex('202401');

function monthIndex(yyyymm: string): number {
  return (Number(yyyymm.slice(0, 4)) - FIRST_YEAR) * 12 + Number(yyyymm.slice(4, 6)) - 1;
}
const yearOf = (t: number) => FIRST_YEAR + Math.floor(t / 12);
const monthOf = (t: number) => (t % 12) + 1;
const monthId = (t: number) => periodId('month', yearOf(t), monthOf(t));
const quarterId = (q: number) => periodId('quarter', FIRST_YEAR + Math.floor(q / 4), (q % 4) + 1);

const dayCache: string[][] = [];
/** `YYYY-MM-DD` of day `day` (1–28) of month t, cached: dates are written millions of times. */
function dateIn(t: number, day: number): string {
  const days = (dayCache[t] ??= []);
  return (days[day] ??= `${yearOf(t)}-${String(monthOf(t)).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
}

function earliest(a: string, b: string): string {
  return a < b ? a : b;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Randomness: mulberry32 streams keyed by a hash of (seed, purpose, code), so every unit draws independently.

class Rng {
  constructor(private state: number) {}
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  gauss(): number {
    return Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
  }
  /** Log-normal with mean 1: how units differ in size and exposure. */
  spread(sigma: number): number {
    return Math.exp(sigma * this.gauss() - (sigma * sigma) / 2);
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.gauss()));
  }
  binomial(n: number, p: number): number {
    if (n <= 40) {
      let k = 0;
      for (let i = 0; i < n; i++) if (this.next() < p) k++;
      return k;
    }
    return Math.min(n, Math.max(0, Math.round(n * p + Math.sqrt(n * p * (1 - p)) * this.gauss())));
  }
}

function streamFor(seed: number, ...key: string[]): Rng {
  // FNV-1a over the key, then murmur3's finaliser so nearby codes give unrelated streams.
  let h = 0x811c9dc5 ^ seed;
  const text = key.join('|');
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return new Rng(h);
}

// ---------------------------------------------------------------------------------------------------------------
// Indicators: a value slot per count indicator (catalogue order), then four per disaggregated indicator.

/** The indicators this generator knows how to simulate; the catalogue must not hold others. */
const MODELLED = [
  'tipoffs_received',
  'tipoffs_classified',
  'tipoffs_resolved',
  'cases_initiated',
  'cases_solved',
  'cases_indicted',
  'cases_tried',
  'suspects_prosecuted',
  'victims_identified',
  'victims_rescued',
  'victims_returned',
  'victims_supported',
  'victims_legal_aid',
  'outreach_sessions',
  'outreach_participants',
  'leaflets_distributed',
  'media_items',
  'trainings_held',
  'training_participants',
  'illegal_exits_detected',
  'illegal_returns_detected',
  'hotline_calls',
  'inspections_held',
  'community_models_active',
  'wards_with_model',
  'suspects_monitored',
  'persons_missing_suspected',
] as const;
type Modelled = (typeof MODELLED)[number];

const N = COUNT_INDICATORS.length;
const I = Object.fromEntries(
  MODELLED.map((code) => [code, COUNT_INDICATORS.findIndex((i) => i.code === code)]),
) as Record<Modelled, number>;
const IS_STOCK = COUNT_INDICATORS.map((i) => i.aggregation === 'last');
const STOCK_SLOTS = COUNT_INDICATORS.flatMap((i, slot) => (i.aggregation === 'last' ? [slot] : []));
/** Disaggregated indicators: their slot and the first of their four breakdown slots (female, male, child, adult). */
const BREAKDOWNS = COUNT_INDICATORS.flatMap((ind, slot) => (ind.disaggregations.length > 0 ? [{ slot, ind }] : [])).map(
  ({ slot, ind }, k) => ({
    slot,
    first: N + 4 * k,
    bySex: ind.disaggregations.includes('sex'),
    byAge: ind.disaggregations.includes('age_group'),
  }),
);
const BREAKDOWN_OF: (typeof BREAKDOWNS)[number][] = [];
for (const b of BREAKDOWNS) BREAKDOWN_OF[b.slot] = b;
const SLOTS = N + 4 * BREAKDOWNS.length;

/** Row bodies after the unit and period: `indicator,sex,age_group,`. */
const TOTAL_COLS = COUNT_INDICATORS.map((i) => `${i.code},,,`);
const FEMALE_COLS = COUNT_INDICATORS.map((i) => `${i.code},female,,`);
const MALE_COLS = COUNT_INDICATORS.map((i) => `${i.code},male,,`);
const CHILD_COLS = COUNT_INDICATORS.map((i) => `${i.code},,child,`);
const ADULT_COLS = COUNT_INDICATORS.map((i) => `${i.code},,adult,`);

/** Figures a ward corrects later: plain flows (no breakdown to keep consistent, no 0/1 stock). */
const REVISABLE = [
  I.outreach_sessions,
  I.outreach_participants,
  I.leaflets_distributed,
  I.media_items,
  I.hotline_calls,
  I.illegal_returns_detected,
  I.tipoffs_received,
  I.training_participants,
];
/** Figures where a ×20 spike is plausible enough to be real and large enough to stand out. */
const SPIKEABLE = [I.outreach_participants, I.leaflets_distributed, I.hotline_calls, I.media_items];

function assertCatalogueModelled(): void {
  const unknown = COUNT_INDICATORS.filter((i) => !(MODELLED as readonly string[]).includes(i.code));
  if (unknown.length)
    throw new Error(
      `the sample generator has no model for ${unknown.map((i) => i.code).join(', ')}: add one in etl/sample.ts`,
    );
  const missing = MODELLED.filter((code) => I[code] < 0);
  if (missing.length) throw new Error(`etl/sample.ts models ${missing.join(', ')}, which the catalogue no longer has`);
}

// ---------------------------------------------------------------------------------------------------------------
// Administrative units, from the reference lists.

interface AdminLists {
  oldProvinces: string[];
  /** Old province → its districts (including the island districts without wards). */
  districtsOf: Map<string, string[]>;
  /** Old district → its wards. */
  wardsOf: Map<string, string[]>;
  newProvinces: string[];
  communesOf: Map<string, string[]>;
  /** Old province → new province. */
  successorOf: Map<string, string>;
  /** New commune → the old leaves it came from, with the share of each (1, or 1/k for a ward split in k). */
  predecessorsOf: Map<string, { code: string; province: string; share: number }[]>;
}

let adminCache: AdminLists | undefined;

function readReference(name: string): string[][] {
  const text = readFileSync(new URL(`../schema/reference/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(','));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function adminLists(): AdminLists {
  if (adminCache) return adminCache;
  const oldProvinces: string[] = [];
  const districtsOf = new Map<string, string[]>();
  const wardsOf = new Map<string, string[]>();
  const provinceOfOld = new Map<string, string>();
  const districtOfWard = new Map<string, string>();
  for (const [level, code, , , parent] of readReference('admin-units-2025-03-01.csv')) {
    if (level === 'province') oldProvinces.push(code);
    else if (level === 'district') {
      push(districtsOf, parent, code);
      provinceOfOld.set(code, parent);
    } else {
      push(wardsOf, parent, code);
      districtOfWard.set(code, parent);
    }
  }
  for (const [ward, district] of districtOfWard) provinceOfOld.set(ward, provinceOfOld.get(district)!);

  const newProvinces: string[] = [];
  const communesOf = new Map<string, string[]>();
  for (const [level, code, , , parent] of readReference('admin-units-2025-07-01.csv')) {
    if (level === 'province') newProvinces.push(code);
    else push(communesOf, parent, code);
  }

  const successorOf = new Map<string, string>();
  const pieces = new Map<string, number>();
  const reform = readReference('admin-reform-2025-07-01.csv');
  for (const [oldLevel, oldCode, , newCode] of reform) {
    if (oldLevel === 'province') successorOf.set(oldCode, newCode);
    else pieces.set(oldCode, (pieces.get(oldCode) ?? 0) + 1);
  }
  const predecessorsOf = new Map<string, { code: string; province: string; share: number }[]>();
  for (const [oldLevel, oldCode, , newCode] of reform) {
    if (oldLevel !== 'province')
      push(predecessorsOf, newCode, {
        code: oldCode,
        province: provinceOfOld.get(oldCode)!,
        share: 1 / pieces.get(oldCode)!,
      });
  }

  for (const list of [...districtsOf.values(), ...wardsOf.values(), ...communesOf.values()]) list.sort(byCode);
  adminCache = {
    oldProvinces: oldProvinces.sort(byCode),
    districtsOf,
    wardsOf,
    newProvinces: newProvinces.sort(byCode),
    communesOf,
    successorOf,
    predecessorsOf,
  };
  return adminCache;
}

// ---------------------------------------------------------------------------------------------------------------
// Leaves: who reports monthly, and how they behave.

interface LeafProfile {
  /** Population and activity scale (outreach, leaflets), mean 1. */
  size: number;
  /** Exposure to trafficking (tip-offs, cases, victims, illegal border crossings), mean 1 outside hotspots. */
  risk: number;
  /** Chance a month's report never arrives; a few wards are chronically absent. */
  missRate: number;
  lateRate: number;
  /** Stock levels the unit drifts around. */
  models: number;
  suspects: number;
  missingPersons: number;
  /** First month the ward keeps the "03 không, 03 có" model (may be before the sample starts). */
  modelSince: number;
}

/**
 * Old provinces on the northern border, the north-central coast and the Cambodian border, where trafficking
 * is concentrated: three times the national exposure.
 */
const HOTSPOTS = new Set(['02', '04', '10', '11', '12', '14', '20', '22', '38', '40', '42', '72', '89', '91']);

function habits(r: Rng, p: Omit<LeafProfile, 'missRate' | 'lateRate'>): LeafProfile {
  return { ...p, missRate: r.next() < 0.06 ? 0.3 : 0.012, lateRate: 0.1 * (0.4 + 1.2 * r.next()) };
}

/** An old ward's (or island district's) profile: a function of the seed, its code and its province only. */
function oldLeafProfile(seed: number, code: string, province: string): LeafProfile {
  const r = streamFor(seed, 'profile', OLD_LIST, code);
  const size = r.spread(0.5);
  const risk = (HOTSPOTS.has(province) ? 3 : 1) * r.spread(0.7);
  return habits(r, {
    size,
    risk,
    models: 0.8 * size,
    suspects: 2 * Math.sqrt(size * risk),
    missingPersons: 0.3 * risk,
    modelSince: r.next() < 0.55 ? -1 : r.int(0, 95),
  });
}

/** A new commune inherits the sum of its predecessors' activity; its reporting habits are its own. */
function newLeafProfile(seed: number, code: string, admin: AdminLists): LeafProfile {
  let size = 0,
    exposure = 0,
    models = 0,
    suspects = 0,
    missingPersons = 0;
  for (const p of admin.predecessorsOf.get(code) ?? []) {
    const old = oldLeafProfile(seed, p.code, p.province);
    size += p.share * old.size;
    exposure += p.share * old.size * old.risk;
    models += p.share * old.models;
    suspects += p.share * old.suspects;
    missingPersons += p.share * old.missingPersons;
  }
  const r = streamFor(seed, 'profile', NEW_LIST, code);
  if (size === 0) size = exposure = r.spread(0.5) * 3;
  return habits(r, {
    size,
    risk: exposure / size,
    models: Math.max(models, 0.8),
    suspects,
    missingPersons,
    modelSince: r.next() < 0.75 ? -1 : r.int(LAST_OLD_MONTH + 1, LAST_OLD_MONTH + 30),
  });
}

interface Leaf {
  code: string;
  /** Index of the consolidating district in the job's consolidated units, or -1 (the province consolidates it). */
  district: number;
  profile: LeafProfile;
  rng: Rng;
  models: number;
  suspects: number;
  missingPersons: number;
  lapsedUntil: number;
}

function startLeaf(seed: number, list: List, code: string, district: number, profile: LeafProfile): Leaf {
  const rng = streamFor(seed, 'months', list, code);
  return {
    code,
    district,
    profile,
    rng,
    models: rng.poisson(profile.models),
    suspects: rng.poisson(profile.suspects),
    missingPersons: rng.poisson(profile.missingPersons),
    lapsedUntil: -1,
  };
}

/** One step of a mean-reverting walk: stocks drift slowly around the unit's usual level. */
function drift(r: Rng, level: number, usual: number, chance: number): number {
  if (r.next() >= chance) return level;
  const up = level < usual ? 0.75 : level > usual ? 0.25 : 0.5;
  return Math.max(0, level + (r.next() < up ? 1 : -1));
}

/** A leaf's true figures for month t, into v (every slot written). */
function simulateMonth(leaf: Leaf, t: number, v: Float64Array): void {
  const r = leaf.rng;
  const p = leaf.profile;
  const month = monthOf(t);
  // 30/7 is the national day against trafficking: July is the month of campaigns.
  const campaign = month === 7 ? 3 : 1;
  // 1/7–30/9 is the yearly peak crackdown: more tip-offs and more cases.
  const crackdown = month >= 7 && month <= 9 ? 1.5 : 1;
  // Outreach grows a little each year of the 2021–2025 programme.
  const growth = 1 + 0.04 * (yearOf(t) - FIRST_YEAR);
  v.fill(0);

  const received = r.poisson(0.025 * p.risk * crackdown);
  v[I.tipoffs_received] = received;
  v[I.tipoffs_classified] = r.binomial(received, 0.985);
  v[I.tipoffs_resolved] = r.binomial(received, 0.91);
  const cases = r.poisson(0.0025 * p.risk * crackdown);
  v[I.cases_initiated] = cases;
  v[I.cases_solved] = r.binomial(cases, 0.93);
  v[I.cases_indicted] = r.binomial(v[I.cases_solved], 0.95);
  v[I.cases_tried] = r.binomial(v[I.cases_indicted], 0.9);
  v[I.suspects_prosecuted] = cases + r.poisson(0.8 * cases);
  v[I.victims_identified] = r.poisson(0.004 * p.risk) + r.poisson(1.5 * cases);
  v[I.victims_rescued] = r.binomial(v[I.victims_identified], 0.5);
  v[I.victims_returned] = r.poisson(0.004 * p.risk);
  v[I.victims_supported] = r.binomial(v[I.victims_returned], 0.96);
  v[I.victims_legal_aid] = r.binomial(v[I.victims_supported], 0.4);

  const sessions = r.poisson(0.8 * p.size * growth * campaign);
  v[I.outreach_sessions] = sessions;
  v[I.outreach_participants] = r.poisson(55 * sessions);
  v[I.leaflets_distributed] = r.poisson(25 * p.size * growth * campaign);
  v[I.media_items] = r.poisson(0.1 * p.size * campaign);
  const trainings = r.poisson(0.02 * p.size);
  v[I.trainings_held] = trainings;
  v[I.training_participants] = r.poisson(40 * trainings);
  v[I.illegal_exits_detected] = r.poisson(0.01 * p.risk);
  v[I.illegal_returns_detected] = r.poisson(0.03 * p.risk);
  v[I.hotline_calls] = r.poisson(0.05 * p.size);
  v[I.inspections_held] = r.poisson(0.03);

  // The "03 không, 03 có" model: kept from its start month, with the odd lapse of a few months.
  if (t >= p.modelSince && t >= leaf.lapsedUntil && r.next() < 0.002) leaf.lapsedUntil = t + r.int(1, 6);
  const withModel = t >= p.modelSince && t >= leaf.lapsedUntil ? 1 : 0;
  leaf.models = Math.max(drift(r, leaf.models, p.models, 0.02), withModel);
  leaf.suspects = drift(r, leaf.suspects, p.suspects, 0.12);
  leaf.missingPersons = drift(r, leaf.missingPersons, p.missingPersons, 0.05);
  v[I.wards_with_model] = withModel;
  v[I.community_models_active] = leaf.models;
  v[I.suspects_monitored] = leaf.suspects;
  v[I.persons_missing_suspected] = leaf.missingPersons;

  // Victims are mostly women, a quarter of them children.
  for (const b of BREAKDOWNS) {
    const total = v[b.slot];
    if (total === 0) continue;
    const female = r.binomial(total, 0.8);
    const child = r.binomial(total, 0.25);
    v[b.first] = female;
    v[b.first + 1] = total - female;
    v[b.first + 2] = child;
    v[b.first + 3] = total - child;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Writing rows.

/** Appends a report's rows: every indicator's total, and the breakdown of victims_* figures that are not 0. */
function appendReport(
  out: string[],
  prefix: string,
  suffix: string,
  v: Float64Array,
  override = -1,
  overrideValue = 0,
): number {
  let rows = 0;
  for (let s = 0; s < N; s++) {
    const total = s === override ? overrideValue : v[s];
    out.push(prefix + TOTAL_COLS[s] + total + suffix);
    rows++;
    const b = BREAKDOWN_OF[s];
    // No breakdown for a figure that is 0, nor for one whose only count is a planted discrepancy.
    if (b === undefined || v[b.first] + v[b.first + 1] + v[b.first + 2] + v[b.first + 3] === 0) continue;
    if (b.bySex) {
      out.push(prefix + FEMALE_COLS[s] + v[b.first] + suffix, prefix + MALE_COLS[s] + v[b.first + 1] + suffix);
      rows += 2;
    }
    if (b.byAge) {
      out.push(prefix + CHILD_COLS[s] + v[b.first + 2] + suffix, prefix + ADULT_COLS[s] + v[b.first + 3] + suffix);
      rows += 2;
    }
  }
  return rows;
}

/** When a monthly report arrives: 1st–11th of the next month, or (late) after the 12th. */
function monthlySubmission(r: Rng, t: number, lateRate: number): string {
  if (r.next() >= lateRate) return dateIn(t + 1, r.int(1, 11));
  return r.next() < 0.7 ? dateIn(t + 1, r.int(13, 28)) : dateIn(t + 2, r.int(1, 28));
}

/** Quarterly consolidated reports are due before the 12th of the quarter's last month (Q1 before 12/3). */
function quarterlySubmission(r: Rng, q: number, lateRate: number): string {
  const last = 3 * q + 2;
  if (r.next() >= lateRate) return dateIn(last, r.int(1, 11));
  return r.next() < 0.6 ? dateIn(last, r.int(13, 28)) : dateIn(last + 1, r.int(1, 28));
}

/** One of `slots`, at random among those whose value is not 0 (a spike or a slip on 0 is not much of one). */
function pickNonZero(r: Rng, slots: readonly number[], v: Float64Array): number {
  const first = r.int(0, slots.length - 1);
  for (let k = 0; k < slots.length; k++) {
    const slot = slots[(first + k) % slots.length];
    if (v[slot] > 0) return slot;
  }
  return slots[first];
}

/** Rarely, a real ×20 spike (a mass event, a big campaign) in one figure of v; returns it, with its usual value. */
function maybeSpike(r: Rng, v: Float64Array): { slot: number; usual: number } | undefined {
  if (r.next() >= OUTLIER_RATE) return undefined;
  const slot = pickNonZero(r, SPIKEABLE, v);
  if (v[slot] === 0) return undefined;
  const usual = v[slot];
  v[slot] = 20 * usual;
  return { slot, usual };
}

/**
 * Rarely, the ward sends one wrong figure and corrects it weeks later. The true value (in v) is the correction:
 * the original report carries `wrong`, the revisions file the true value on the later date.
 */
function maybeRevision(
  r: Rng,
  v: Float64Array,
  submitted: string,
): { slot: number; wrong: number; submitted: string } | undefined {
  if (r.next() >= REVISION_RATE) return undefined;
  const slot = pickNonZero(r, REVISABLE, v);
  const wrong = mistake(r, v[slot]);
  return { slot, wrong, submitted: addDays(submitted, r.int(20, 80)) };
}

/** A plausible wrong figure: a slip of 10–50%, never the true value, never negative. */
function mistake(r: Rng, truth: number): number {
  const slip = 1 + Math.floor(truth * (0.1 + 0.4 * r.next()));
  return truth - slip >= 0 && r.next() < 0.5 ? truth - slip : truth + slip;
}

// ---------------------------------------------------------------------------------------------------------------
// One province of one list: the unit of work, of output files and of testing.

export interface ProvinceOptions {
  scale: SampleScale;
  list: List;
  /** Province code in that list. */
  province: string;
  seed?: number;
  until?: string;
}

export interface SampleFile {
  /** Path relative to outDir, `/`-separated. */
  path: string;
  text: string;
  rows: number;
}

export interface ProvinceOutput {
  /** Ward and consolidated files, header included. */
  files: SampleFile[];
  /** Revision rows (no header) by the year of their period. */
  revisions: Map<number, string[]>;
  /** Rows of `expected/discrepancies.expected` (no header). */
  discrepancies: string[];
  /** Rows of `expected/outliers.expected` (no header); spikes in months not written (demo history) are listed too. */
  outliers: string[];
  units: number;
  /** Written ranges, as month indexes from January 2019 and quarter indexes from 2019Q1 (-1 if none). */
  firstMonth: number;
  lastMonth: number;
  firstQuarter: number;
  lastQuarter: number;
}

interface Resolved {
  seed: number;
  untilMonth: number;
}

function resolve(o: { seed?: number; until?: string }): Resolved {
  const seed = o.seed ?? 1;
  const until = o.until ?? '202610';
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  if (!/^\d{4}(0[1-9]|1[0-2])$/.test(until) || until < '201901')
    throw new Error(`until must be a month YYYYMM from 201901, got "${until}"`);
  return { seed: seed | 0, untilMonth: monthIndex(until) };
}

interface Job {
  list: List;
  province: string;
  /** Consolidating units: the districts with wards (old list), then the province, last. */
  consolidators: string[];
  leaves: Leaf[];
  firstMonth: number;
  lastMonth: number;
  firstWrittenMonth: number;
  /**
   * The day the sample is "taken": the 20th of the month after the last one. Nothing is dated later (a report
   * dated in the future would be refused by the loader); a correction that would come later has not come yet.
   */
  asOf: string;
}

function planJob(o: ProvinceOptions, r: Resolved, admin: AdminLists): Job {
  const old = o.list === OLD_LIST;
  if (!(old ? admin.oldProvinces : admin.newProvinces).includes(o.province))
    throw new Error(`no province ${o.province} in the ${o.list} list`);
  const consolidators: string[] = [];
  const leaves: Leaf[] = [];
  if (old) {
    for (const district of admin.districtsOf.get(o.province) ?? []) {
      const wards = admin.wardsOf.get(district);
      if (!wards) {
        // An island district without wards reports monthly itself; only the province consolidates it.
        leaves.push(startLeaf(r.seed, o.list, district, -1, oldLeafProfile(r.seed, district, o.province)));
        continue;
      }
      consolidators.push(district);
      for (const ward of wards)
        leaves.push(
          startLeaf(r.seed, o.list, ward, consolidators.length - 1, oldLeafProfile(r.seed, ward, o.province)),
        );
    }
  } else {
    for (const commune of admin.communesOf.get(o.province) ?? [])
      leaves.push(startLeaf(r.seed, o.list, commune, -1, newLeafProfile(r.seed, commune, admin)));
  }
  consolidators.push(o.province);
  const firstMonth = old ? 0 : LAST_OLD_MONTH + 1;
  const lastMonth = old ? Math.min(LAST_OLD_MONTH, r.untilMonth) : r.untilMonth;
  const firstWrittenMonth = old && o.scale === 'demo' ? DEMO_FIRST_WARD_MONTH : firstMonth;
  return {
    list: o.list,
    province: o.province,
    consolidators,
    leaves,
    firstMonth,
    lastMonth,
    firstWrittenMonth,
    asOf: dateIn(r.untilMonth + 1, 20),
  };
}

/**
 * Generates one province of one list in memory: its ward files, its consolidated files, its revisions and what
 * was planted. `generateSample` writes these; tests call it directly to check national scale on one province.
 */
export function generateProvince(o: ProvinceOptions): ProvinceOutput {
  assertCatalogueModelled();
  const resolved = resolve(o);
  const job = planJob(o, resolved, adminLists());
  const out: ProvinceOutput = {
    files: [],
    revisions: new Map(),
    discrepancies: [],
    outliers: [],
    units: 0,
    firstMonth: -1,
    lastMonth: -1,
    firstQuarter: -1,
    lastQuarter: -1,
  };
  if (job.lastMonth < job.firstMonth) return out;

  // Consolidated figures per (consolidator, quarter, slot), built as the leaves' months are simulated.
  const firstQuarter = Math.floor(job.firstMonth / 3);
  const quarters = Math.floor((job.lastMonth + 1) / 3) - firstQuarter; // complete quarters only
  const sums = new Float64Array(Math.max(quarters, 0) * job.consolidators.length * SLOTS);
  simulateLeaves(job, sums, firstQuarter, quarters, out);
  writeConsolidated(job, resolved, sums, firstQuarter, quarters, out);
  return out;
}

function simulateLeaves(
  job: Job,
  sums: Float64Array,
  firstQuarter: number,
  quarters: number,
  out: ProvinceOutput,
): void {
  const unitPrefix = `${job.list}:`;
  const provinceIndex = job.consolidators.length - 1;
  const v = new Float64Array(SLOTS);
  const lastStocks = new Float64Array(STOCK_SLOTS.length);
  const written = new Uint8Array(job.leaves.length);

  for (let year = yearOf(job.firstMonth); year <= yearOf(job.lastMonth); year++) {
    const rows: string[] = [HEADER];
    let count = 0;
    const from = Math.max(job.firstMonth, (year - FIRST_YEAR) * 12);
    const to = Math.min(job.lastMonth, (year - FIRST_YEAR) * 12 + 11);
    for (let li = 0; li < job.leaves.length; li++) {
      const leaf = job.leaves[li];
      const unit = unitPrefix + leaf.code;
      let reportedInQuarter = false;
      for (let t = from; t <= to; t++) {
        simulateMonth(leaf, t, v);
        const rng = leaf.rng;
        const reported = rng.next() >= leaf.profile.missRate;
        if (reported) {
          const spike = maybeSpike(rng, v);
          if (spike)
            out.outliers.push(
              `${unit},${monthId(t)},${COUNT_INDICATORS[spike.slot].code},${v[spike.slot]},${spike.usual}\n`,
            );
          const submitted = earliest(monthlySubmission(rng, t, leaf.profile.lateRate), job.asOf);
          // Drawn whether or not the month is written, so the demo stays a slice of the national sample.
          const drawn = maybeRevision(rng, v, submitted);
          const revision = drawn && drawn.submitted <= job.asOf ? drawn : undefined;
          if (t >= job.firstWrittenMonth) {
            const prefix = `${unit},${monthId(t)},`;
            count += appendReport(rows, prefix, `,${submitted}\n`, v, revision?.slot, revision?.wrong);
            if (revision) {
              const revisions = out.revisions.get(year) ?? out.revisions.set(year, []).get(year)!;
              revisions.push(`${prefix}${TOTAL_COLS[revision.slot]}${v[revision.slot]},${revision.submitted}\n`);
            }
            written[li] = 1;
            if (out.firstMonth < 0 || t < out.firstMonth) out.firstMonth = t;
            if (t > out.lastMonth) out.lastMonth = t;
          }
          addMonthToSums(sums, leaf, provinceIndex, t, v, firstQuarter, quarters, job.consolidators.length);
          reportedInQuarter = true;
          for (let k = 0; k < STOCK_SLOTS.length; k++) lastStocks[k] = v[STOCK_SLOTS[k]];
        }
        if (t % 3 === 2) {
          // Stocks consolidate as each leaf's latest reported value in the quarter.
          if (reportedInQuarter)
            addStocksToSums(
              sums,
              leaf,
              provinceIndex,
              Math.floor(t / 3),
              lastStocks,
              firstQuarter,
              quarters,
              job.consolidators.length,
            );
          reportedInQuarter = false;
        }
      }
    }
    if (count > 0)
      out.files.push({ path: `wards/${job.list}-${job.province}-${year}.csv`, text: rows.join(''), rows: count });
  }
  out.units += written.reduce((a, b) => a + b, 0);
}

function addMonthToSums(
  sums: Float64Array,
  leaf: Leaf,
  province: number,
  t: number,
  v: Float64Array,
  firstQuarter: number,
  quarters: number,
  units: number,
): void {
  const q = Math.floor(t / 3) - firstQuarter;
  if (q >= quarters) return;
  for (const unit of leaf.district >= 0 ? [leaf.district, province] : [province]) {
    const base = (q * units + unit) * SLOTS;
    for (let s = 0; s < SLOTS; s++) if (s >= N || !IS_STOCK[s]) sums[base + s] += v[s];
  }
}

function addStocksToSums(
  sums: Float64Array,
  leaf: Leaf,
  province: number,
  quarter: number,
  stocks: Float64Array,
  firstQuarter: number,
  quarters: number,
  units: number,
): void {
  const q = quarter - firstQuarter;
  if (q >= quarters) return;
  for (const unit of leaf.district >= 0 ? [leaf.district, province] : [province]) {
    const base = (q * units + unit) * SLOTS;
    for (let k = 0; k < STOCK_SLOTS.length; k++) sums[base + STOCK_SLOTS[k]] += stocks[k];
  }
}

/** Consolidated reports: the sums, with about 2% of total figures deliberately off. */
function writeConsolidated(
  job: Job,
  r: Resolved,
  sums: Float64Array,
  firstQuarter: number,
  quarters: number,
  out: ProvinceOutput,
): void {
  const units = job.consolidators.length;
  const streams = job.consolidators.map((code) => streamFor(r.seed, 'consolidated', job.list, code));
  const lateRates = streams.map((s) => 0.1 * (0.4 + 1.2 * s.next()));
  const byYear = new Map<number, { rows: string[]; count: number }>();
  const v = new Float64Array(SLOTS);
  for (let q = 0; q < quarters; q++) {
    const quarter = firstQuarter + q;
    const year = FIRST_YEAR + Math.floor(quarter / 4);
    const file = byYear.get(year) ?? byYear.set(year, { rows: [HEADER], count: 0 }).get(year)!;
    for (let u = 0; u < units; u++) {
      const rng = streams[u];
      v.set(sums.subarray((q * units + u) * SLOTS, (q * units + u + 1) * SLOTS));
      const unit = `${job.list}:${job.consolidators[u]}`;
      const period = quarterId(quarter);
      const submitted = earliest(quarterlySubmission(rng, quarter, lateRates[u]), job.asOf);
      const reported = plantDiscrepancies(rng, v, `${unit},${period},`, out.discrepancies);
      file.count += appendReport(file.rows, `${unit},${period},`, `,${submitted}\n`, reported);
    }
  }
  for (const [year, file] of byYear)
    out.files.push({
      path: `consolidated/${job.list}-${job.province}-${year}.csv`,
      text: file.rows.join(''),
      rows: file.count,
    });
  if (quarters > 0) {
    out.units += units;
    out.firstQuarter = firstQuarter;
    out.lastQuarter = firstQuarter + quarters - 1;
  }
}

/**
 * Changes about 2% of a consolidated report's total figures, as a clerk's slip would, and records each changed row.
 * A figure with a breakdown (its true total is not 0) changes upward, and its female and adult rows by as much,
 * so the breakdown still adds up to the reported total; a 0 raised by a slip gets no breakdown.
 */
function plantDiscrepancies(rng: Rng, truth: Float64Array, prefix: string, record: string[]): Float64Array {
  const reported = Float64Array.from(truth);
  for (let s = 0; s < N; s++) {
    if (rng.next() >= DISCREPANCY_RATE) continue;
    const b = BREAKDOWN_OF[s];
    const hasBreakdown = b !== undefined && truth[s] > 0;
    const slip = 1 + Math.floor(truth[s] * (0.02 + 0.2 * rng.next()));
    const delta = hasBreakdown || truth[s] < slip || rng.next() < 0.5 ? slip : -slip;
    reported[s] += delta;
    record.push(`${prefix}${TOTAL_COLS[s]}${reported[s]},${truth[s]}\n`);
    if (!hasBreakdown) continue;
    if (b.bySex) {
      reported[b.first] += delta;
      record.push(`${prefix}${FEMALE_COLS[s]}${reported[b.first]},${truth[b.first]}\n`);
    }
    if (b.byAge) {
      reported[b.first + 3] += delta;
      record.push(`${prefix}${ADULT_COLS[s]}${reported[b.first + 3]},${truth[b.first + 3]}\n`);
    }
  }
  return reported;
}

// ---------------------------------------------------------------------------------------------------------------
// The whole sample.

/** The demo: the provinces of the source documents, before and after the reform. */
const DEMO_OLD_PROVINCES = ['75', '70', '12', '24', '34']; // Đồng Nai (Biên Hòa), Bình Phước, Lai Châu, Bắc Giang, Thái Bình

/** Which (list, province) pairs a scale covers, old list first. */
export function sampleProvinces(scale: SampleScale): { list: List; province: string }[] {
  const admin = adminLists();
  const oldOnes = scale === 'national' ? admin.oldProvinces : [...DEMO_OLD_PROVINCES].sort(byCode);
  const newOnes =
    scale === 'national'
      ? admin.newProvinces
      : [...new Set(oldOnes.map((p) => admin.successorOf.get(p)!))].sort(byCode);
  return [
    ...oldOnes.map((province) => ({ list: OLD_LIST, province })),
    ...newOnes.map((province) => ({ list: NEW_LIST, province })),
  ];
}

export async function generateSample(o: SampleOptions): Promise<SampleSummary> {
  resolve(o);
  for (const dir of ['wards', 'consolidated', 'revisions', 'expected'])
    mkdirSync(join(o.outDir, dir), { recursive: true });
  const summary: SampleSummary = { files: 0, rows: 0, bytes: 0, units: 0, firstPeriod: '', lastPeriod: '' };
  const revisions = new Map<number, string[]>();
  const discrepancies: string[] = [DISCREPANCY_HEADER];
  const outliers: string[] = [OUTLIER_HEADER];
  let firstMonth = -1,
    lastMonth = -1,
    firstQuarter = -1,
    lastQuarter = -1;

  const write = (path: string, text: string): Promise<void> => {
    const bytes = Buffer.from(text, 'utf8');
    summary.files++;
    summary.bytes += bytes.length;
    return writeFile(join(o.outDir, path), bytes);
  };

  // Writes of one province overlap the generation of the next; at most two provinces are held in memory.
  let pending: Promise<unknown> = Promise.resolve();
  for (const { list, province } of sampleProvinces(o.scale)) {
    const p = generateProvince({ ...o, list, province });
    await pending;
    pending = Promise.all(p.files.map((f) => write(f.path, f.text)));
    for (const f of p.files) summary.rows += f.rows;
    for (const [year, rows] of p.revisions) (revisions.get(year) ?? revisions.set(year, []).get(year)!).push(...rows);
    discrepancies.push(...p.discrepancies);
    outliers.push(...p.outliers);
    summary.units += p.units;
    if (p.firstMonth >= 0 && (firstMonth < 0 || p.firstMonth < firstMonth)) firstMonth = p.firstMonth;
    lastMonth = Math.max(lastMonth, p.lastMonth);
    if (p.firstQuarter >= 0 && (firstQuarter < 0 || p.firstQuarter < firstQuarter)) firstQuarter = p.firstQuarter;
    lastQuarter = Math.max(lastQuarter, p.lastQuarter);
  }
  await pending;

  for (const year of [...revisions.keys()].sort()) {
    const rows = revisions.get(year)!;
    summary.rows += rows.length;
    await write(`revisions/revisions-${year}.csv`, HEADER + rows.join(''));
  }
  await writeFile(join(o.outDir, 'expected', 'discrepancies.expected'), discrepancies.join(''));
  await writeFile(join(o.outDir, 'expected', 'outliers.expected'), outliers.join(''));

  // A month starting the same day as a quarter is the earlier period; one ending the same day, the later.
  const quarterStart = firstQuarter * 3;
  summary.firstPeriod =
    firstMonth >= 0 && (firstQuarter < 0 || firstMonth <= quarterStart)
      ? monthId(firstMonth)
      : firstQuarter >= 0
        ? quarterId(firstQuarter)
        : '';
  const quarterEnd = lastQuarter * 3 + 2;
  summary.lastPeriod =
    lastMonth >= 0 && (lastQuarter < 0 || lastMonth >= quarterEnd)
      ? monthId(lastMonth)
      : lastQuarter >= 0
        ? quarterId(lastQuarter)
        : '';
  return summary;
}
