/** Indicators: a value slot per count indicator (catalogue order), then four per disaggregated indicator. */
import { COUNT_INDICATORS } from '../../schema/catalogue.ts';

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

export const N = COUNT_INDICATORS.length;
export const I = Object.fromEntries(
  MODELLED.map((code) => [code, COUNT_INDICATORS.findIndex((i) => i.code === code)]),
) as Record<Modelled, number>;
export const IS_STOCK = COUNT_INDICATORS.map((i) => i.aggregation === 'last');
export const STOCK_SLOTS = COUNT_INDICATORS.flatMap((i, slot) => (i.aggregation === 'last' ? [slot] : []));
/** Disaggregated indicators: their slot and the first of their four breakdown slots (female, male, child, adult). */
export const BREAKDOWNS = COUNT_INDICATORS.flatMap((ind, slot) =>
  ind.disaggregations.length > 0 ? [{ slot, ind }] : [],
).map(({ slot, ind }, k) => ({
  slot,
  first: N + 4 * k,
  bySex: ind.disaggregations.includes('sex'),
  byAge: ind.disaggregations.includes('age_group'),
}));
export const BREAKDOWN_OF: (typeof BREAKDOWNS)[number][] = [];
for (const b of BREAKDOWNS) BREAKDOWN_OF[b.slot] = b;
export const SLOTS = N + 4 * BREAKDOWNS.length;

/** Row bodies after the unit and period: `indicator,sex,age_group,`. */
export const TOTAL_COLS = COUNT_INDICATORS.map((i) => `${i.code},,,`);
export const FEMALE_COLS = COUNT_INDICATORS.map((i) => `${i.code},female,,`);
export const MALE_COLS = COUNT_INDICATORS.map((i) => `${i.code},male,,`);
export const CHILD_COLS = COUNT_INDICATORS.map((i) => `${i.code},,child,`);
export const ADULT_COLS = COUNT_INDICATORS.map((i) => `${i.code},,adult,`);

/** Figures a ward corrects later: plain flows (no breakdown to keep consistent, no 0/1 stock). */
export const REVISABLE = [
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
export const SPIKEABLE = [I.outreach_participants, I.leaflets_distributed, I.hotline_calls, I.media_items];

export function assertCatalogueModelled(): void {
  const unknown = COUNT_INDICATORS.filter((i) => !(MODELLED as readonly string[]).includes(i.code));
  if (unknown.length)
    throw new Error(
      `the sample generator has no model for ${unknown.map((i) => i.code).join(', ')}: ` +
        'add one in etl/sample/leaves.ts (simulateMonth) and etl/sample/indicators.ts',
    );
  const missing = MODELLED.filter((code) => I[code] < 0);
  if (missing.length)
    throw new Error(`etl/sample/indicators.ts models ${missing.join(', ')}, which the catalogue no longer has`);
}
