/**
 * The fixed set of dashboard operations the benchmark times, and beside each the hand-written DuckDB SQL that gives
 * the same numbers from the same database.
 *
 * The GraphQL comes from the dashboards themselves (`dashboards/spec.ts`: the panels' own queries, interpolated the
 * way Grafana does), except the national KPIs, which ask in one `kpis` round trip for the figures the overview's six
 * stat panels show. Every request is parsed back into what it asks (`Ask`: which figures, of which unit and period);
 * the SQL is written from those asks, so the two sides cannot drift apart.
 *
 * The SQL reads the tables directly, as an analyst at the DuckDB prompt would: the roll-up (`rollup`) for values,
 * `reports` for compliance. It knows the rules the API applies (a ratio is numerator / denominator × 100 of the
 * roll-up's sums; today's units before the reform are already re-aggregated in the roll-up; the monthly report is
 * due on the 12th of the next month) and nothing of the API's code. Constants are written into the SQL as literals
 * (they are the benchmark's own, never user input), so `results.json` holds SQL that runs as is in `duckdb`.
 *
 * Both answers become flat maps, `kind|unit|period|indicator|row|field → value`, and must be equal: every figure
 * the API returned has an equal SQL figure (numbers to 1e-9 relative), and both list the same rows.
 */
import {
  allPanels,
  findDashboard,
  HISTORY_START,
  interpolate,
  type TimeRange,
  V,
  queries,
  type VariableName,
} from '../dashboards/spec.ts';
import { askOf, type GqlRequest, type Operation } from './asks.ts';

export interface Params {
  /** The year of the KPIs, the breakdown and the overview. */
  year: string;
  /** A province of today's list: `2025-07:75` (new Đồng Nai = old Đồng Nai + old Bình Phước), in both samples. */
  province: string;
  /** The month of the compliance figures (YYYYMM). */
  month: string;
  /** Today (YYYY-MM-DD): where trends and the dashboards' time range end. */
  today: string;
}

const request = (source: string, query: string, variables?: Record<string, unknown>): GqlRequest => ({
  source,
  query,
  variables,
  ask: askOf(query, variables),
});

/** A dashboard query as Grafana sends it: its text and its GraphQL variables, both interpolated. */
const panelRequest = (
  source: string,
  q: { graphql: string; variables: string },
  values: Partial<Record<VariableName, string>>,
  range: TimeRange,
): GqlRequest =>
  request(
    source,
    interpolate(q.graphql, values, range),
    JSON.parse(interpolate(q.variables, values, range)) as Record<string, unknown>,
  );

function overview(p: Params, from: string): GqlRequest[] {
  const dashboard = findDashboard('pcmbn-overview');
  if (!dashboard) throw new Error('bench: dashboards/spec.ts has no pcmbn-overview dashboard');
  const values: Partial<Record<VariableName, string>> = { unit: 'VN', year: p.year, granularity: 'MONTH' };
  return allPanels(dashboard)
    .filter((panel) => !panel.grafanaOnly)
    .flatMap((panel) =>
      panel.queries.map((q) =>
        panelRequest(`${dashboard.uid}/${panel.id}/${q.refId}`, q, values, { from, to: p.today }),
      ),
    );
}

/** The headline indicators of the overview: the codes of its stat panels. */
function headline(): string[] {
  const dashboard = findDashboard('pcmbn-overview')!;
  return allPanels(dashboard).flatMap((panel) => (panel.kind === 'stat' ? [panel.indicator.code] : []));
}

const shiftYear = (year: string, by: number) => String(Number(year) + by);
function previousMonth(month: string): string {
  const y = Number(month.slice(0, 4));
  const m = Number(month.slice(4, 6));
  return m === 1 ? `${y - 1}12` : `${y}${String(m - 1).padStart(2, '0')}`;
}

export function operations(p: Params): Operation[] {
  const range = (from: string) => ({ from, to: p.today });
  const kpis = (year: string) =>
    request(
      'bench/national-kpis',
      `{ kpis(indicators: [${headline()
        .map((c) => JSON.stringify(c))
        .join(
          ', ',
        )}], period: "${year}", unit: "VN") { indicator { code nameVi } value numerator denominator previousValue change status } }`,
    );
  const trend = (from: string) =>
    panelRequest(
      'pcmbn-province/trend-victims_returned/A',
      queries.trend('victims_returned'),
      { unit: p.province, granularity: 'MONTH' },
      range(from),
    );
  const communes = (year: string) =>
    panelRequest(
      'pcmbn-province/communes/A',
      queries.breakdown(V.indicator),
      { unit: p.province, year, indicator: 'outreach_participants' },
      range(HISTORY_START),
    );
  const compliance = (month: string) =>
    panelRequest('pcmbn-compliance/summary/A', queries.compliance(), { unit: p.province, month }, range(HISTORY_START));
  const later = '2019-02-01'; // another time range: other cache keys for the warm-up
  const victimsKpis = (year: string) =>
    request(
      'bench/province-victims-kpis',
      `{ kpis(indicators: ["victims_identified", "victims_returned"], period: "${year}", unit: "${p.province}") ` +
        `{ indicator { code } value previousValue change status suppressed } }`,
    );
  const victimsTrend = (from: string) =>
    panelRequest(
      'pcmbn-overview/trend-victims_identified/A',
      queries.trend('victims_identified'),
      { unit: 'VN', granularity: 'MONTH' },
      range(from),
    );
  return [
    {
      id: 'national-kpis',
      title: `National KPIs for ${p.year} (the overview's six headline indicators, one kpis request)`,
      origin: "bench (the overview's stat panels' indicators and fields, asked in one round trip)",
      requests: [kpis(p.year)],
      warmup: [kpis(shiftYear(p.year, -1))],
    },
    {
      id: 'province-trend',
      title:
        `Monthly trend of victims returned, ${p.province}, ${HISTORY_START.slice(0, 7)} → ` +
        `${p.today.slice(0, 7)} across the reform`,
      origin: 'dashboards/spec.ts: pcmbn-province, trend panel',
      requests: [trend(HISTORY_START)],
      warmup: [trend(later)],
    },
    {
      id: 'province-communes',
      title: `Breakdown of ${p.province}'s communes, outreach participants ${p.year}`,
      origin: 'dashboards/spec.ts: pcmbn-province, communes panel',
      requests: [communes(p.year)],
      warmup: [communes(shiftYear(p.year, -1))],
    },
    {
      id: 'province-compliance',
      title: `Reporting compliance of ${p.province}, ${p.month}`,
      origin: 'dashboards/spec.ts: pcmbn-compliance, summary panel',
      requests: [compliance(p.month)],
      warmup: [compliance(previousMonth(p.month))],
    },
    {
      id: 'national-overview',
      title: `National overview dashboard, ${p.year}: every panel's query at once`,
      origin: 'dashboards/spec.ts: pcmbn-overview, all panels',
      requests: overview(p, HISTORY_START),
      warmup: overview({ ...p, year: shiftYear(p.year, -1) }, later),
    },
    {
      id: 'province-victims-kpis',
      title: `KPIs of two victims indicators, ${p.province}, ${p.year} (a viewer's first answer after a load)`,
      origin: 'bench (victims figures: suppressed for viewer keys)',
      requests: [victimsKpis(p.year)],
      warmup: [victimsKpis(shiftYear(p.year, -1))],
      firstAnswer: true,
    },
    {
      id: 'national-victims-trend',
      title:
        `Monthly trend of victims identified, VN, ${HISTORY_START.slice(0, 7)} → ${p.today.slice(0, 7)} (a ` +
        `viewer's first answer after a load)`,
      origin: 'dashboards/spec.ts: the trend query, for VN',
      requests: [victimsTrend(HISTORY_START)],
      warmup: [victimsTrend(later)],
      firstAnswer: true,
    },
  ];
}
