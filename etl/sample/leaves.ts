/** Leaves: who reports monthly (wards, communes, island districts), and how they behave. */
import { type AdminLists, type List, NEW_LIST, OLD_LIST } from './admin.ts';
import { BREAKDOWNS, I } from './indicators.ts';
import { type Rng, streamFor } from './random.ts';
import { FIRST_YEAR, LAST_OLD_MONTH, monthOf, yearOf } from './time.ts';

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
export function oldLeafProfile(seed: number, code: string, province: string): LeafProfile {
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
export function newLeafProfile(seed: number, code: string, admin: AdminLists): LeafProfile {
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

export interface Leaf {
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

export function startLeaf(seed: number, list: List, code: string, district: number, profile: LeafProfile): Leaf {
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
export function simulateMonth(leaf: Leaf, t: number, v: Float64Array): void {
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
