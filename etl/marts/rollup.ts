/**
 * The roll-up: every (unit, period, indicator, sex, age group) that has a value, resolved once at load time by the
 * precedence rules, so the API answers a KPI, a trend point or a breakdown row with a lookup (as DHIS2's analytics
 * tables and Cube's pre-aggregations do). Rebuilt inside one transaction: readers never see half of it.
 *
 * The value of a unit A for a period R (per indicator and disaggregation), by precedence:
 *  1. `own`: A's own report for exactly R;
 *  2. `periods`: else, if A reported anything within R (or A has no children), the periods that make R up (a year
 *     its halves, a half its quarters, a quarter its months), each by these same rules: summed for flows, the
 *     latest for stocks;
 *  3. `children`: else the sum of A's children for R, each by these same rules.
 * A parent's figure is never added to its children's, and a coarser report is never split into finer periods.
 * The 2025 year straddles the reform (see year2025Step): only today's units and VN report it whole.
 *
 * Units are computed only for periods when they exist: old-list units before 1 July 2025, new-list units after.
 *  4. `lineage`: a new unit's history before the reform is the sum of its predecessors' values (each old province
 *     went whole into one new province; old wards went whole, or partly, into communes). An old ward split across
 *     communes counts, without apportionment weights, in no commune: those cells are flagged `partial`.
 *
 * Computed bottom-up and set-based: deepest units first (old wards, depth 3) up to VN (depth 0), and within a depth
 * from months up to years, so that every step reads only cells already final. The steps write to a work table
 * ordered as they run, so each step reads one contiguous slice of it; the roll-up gets the result in one insert.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { kyselyOn } from '../../schema/dialect.ts';
import { factKeySql, SERIES_PER_INDICATOR, seriesOfKeySql } from '../../schema/factKey.ts';
import { sizeBytes } from '../../schema/duckdbSettings.ts';
import type { Database } from '../../schema/tables.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import { refreshSuppression } from './suppression.ts';

const PERIOD_TYPES = ['month', 'quarter', 'half', 'year'] as const;
type PeriodType = (typeof PERIOD_TYPES)[number];
const FINER: Partial<Record<PeriodType, PeriodType>> = { quarter: 'month', half: 'quarter', year: 'half' };
const MAX_DEPTH = 3;

/** The roll-up's work runs on the load's own connection: its work tables are connection-local. */
type Db = Kysely<Database>;
type Fragment = RawBuilder<unknown>;

const ref = (column: string) => sql.ref(column);
const REFORM = sql`DATE ${sql.lit(REFORM_DATE)}`;

/** Units in force during a period: old-list units before the reform, new-list ones after, VN always. */
const inForce = (u: string, p: string) =>
  sql`(${ref(`${u}.hierarchy`)} = 'national'
    OR (${ref(`${u}.hierarchy`)} = '2025-03' AND ${ref(`${p}.start_date`)} < ${REFORM})
    OR (${ref(`${u}.hierarchy`)} = '2025-07' AND ${ref(`${p}.end_date`)} >= ${REFORM}))`;

const straddles = (p: string) => sql`(${ref(`${p}.start_date`)} < ${REFORM} AND ${ref(`${p}.end_date`)} >= ${REFORM})`;

/** Flows add up over the finer periods; stocks take the latest that has a value. */
const COMBINE_OVER_TIME = sql`CASE WHEN any_value(i.aggregation) = 'last'
  THEN arg_max(x.value, q.start_date) FILTER (WHERE x.value IS NOT NULL) ELSE sum(x.value) END`;

const WORK_COLUMNS = sql`cell, unit_id, depth, period_no, ptype, series, value, source, partial`;

/**
 * What a refresh rebuilds: everything, or the units whose facts changed (by `unit_id`) in the years they changed
 * in; their ancestors and, through the reform, their successors follow.
 */
export type RollupScope = 'all' | { units: readonly number[]; years: readonly number[] };

/** An id list as one parameter (a national load changes thousands of units); none: an empty list. */
const idList = (ids: readonly number[]) =>
  ids.length
    ? sql`(SELECT unnest(string_split(${ids.join(',')}, ','))::INTEGER)`
    : sql`(SELECT NULL::INTEGER WHERE false)`;

/**
 * Rebuilds the roll-up for `scope`; a whole rebuild too large for the memory budget goes a few provinces at a time
 * (`factsPerBin` current facts at most, by default the budget's worth). The new cells are computed in
 * connection-local work tables, then swapped in by one short transaction, which also runs `alsoInSwap`
 * (bookkeeping that must commit with the roll-up). Do not call
 * it inside a transaction.
 */
export async function refreshRollup(
  conn: DuckDBConnection,
  scope: RollupScope,
  alsoInSwap: (trx: Transaction<Database>) => Promise<void> = async () => {},
  o: { factsPerBin?: number } = {},
): Promise<void> {
  const db: Db = kyselyOn<Database>(conn);
  const run = (statement: Fragment) => statement.execute(db);

  // The new cells, as the roll-up holds them, until the swap.
  await run(sql`CREATE OR REPLACE TEMP TABLE rb_result AS
    SELECT fact_key, unit_id, period_no, series, value, source, partial FROM rollup LIMIT 0`);
  if (scope === 'all') {
    await run(
      sql`CREATE OR REPLACE TEMP TABLE rb_years AS
        SELECT DISTINCT year FROM periods WHERE period_id IN (SELECT DISTINCT period_id FROM facts)`,
    );
    await run(sql`CREATE OR REPLACE TEMP TABLE rb_rebuilt AS SELECT unit_id FROM units`);
  } else {
    // A changed unit changes its ancestors; an old one also changes, through the reform, the new units its
    // ancestors went into, and their ancestors.
    await run(sql`CREATE OR REPLACE TEMP TABLE rb_rebuilt AS
      WITH affected AS (
        SELECT DISTINCT c.ancestor_id AS unit_id FROM unit_closure c WHERE c.descendant_id IN ${idList(scope.units)}
      ), successors AS (
        SELECT DISTINCT l.new_id AS unit_id FROM unit_lineage l JOIN affected a ON a.unit_id = l.old_id
      )
      SELECT unit_id FROM affected
      UNION SELECT c.ancestor_id FROM unit_closure c JOIN successors s ON c.descendant_id = s.unit_id`);
    await run(
      sql`CREATE OR REPLACE TEMP TABLE rb_years AS SELECT DISTINCT year FROM ${idList(scope.years)} AS y(year)`,
    );
  }
  await run(
    sql`CREATE OR REPLACE TEMP TABLE rb_periods AS SELECT * FROM periods WHERE year IN (SELECT year FROM rb_years)`,
  );

  const bins = scope === 'all' ? await independentBins(db, o.factsPerBin) : [];
  if (bins.length > 1) {
    // Streamed, a few provinces at a time: their cells depend only on their own units, so the work tables hold a
    // fraction of the country's and stay within the memory budget; VN last, from the provinces' cells.
    for (const part of bins) {
      await run(sql`CREATE OR REPLACE TEMP TABLE rb_units AS SELECT * FROM ${idList(part)} AS u(unit_id)`);
      await rebuildUnits(db, 'rollup');
    }
    await run(sql`CREATE OR REPLACE TEMP TABLE rb_units AS SELECT unit_id FROM units WHERE parent_id IS NULL`);
    await rebuildUnits(db, 'rb_result');
  } else {
    // Everything at once where it fits (a warehouse smaller than a bin), or what a load changed.
    await run(sql`CREATE OR REPLACE TEMP TABLE rb_units AS SELECT unit_id FROM rb_rebuilt`);
    await rebuildUnits(db, 'rollup');
  }

  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM rollup WHERE unit_id IN (SELECT unit_id FROM rb_rebuilt)
      AND period_no IN (SELECT period_no FROM rb_periods)`.execute(trx);
    // In key order: a lookup's key range then touches few row groups.
    await sql`INSERT INTO rollup SELECT * FROM rb_result ORDER BY fact_key`.execute(trx);
    // Viewers' suppression pattern commits with the cells it protects (the same connection, so the same
    // transaction).
    await refreshSuppression(conn, 'rb_years');
    await alsoInSwap(trx);
  });
  for (const t of ['rb_result', 'rb_unit', 'rb_periods', 'rb_units', 'rb_rebuilt', 'rb_years'])
    await run(sql`DROP TABLE ${sql.table(t)}`);
}

/**
 * The units in parts whose cells can be computed apart: a unit goes with its parent (VN aside) and with the units
 * it went into at the reform (an old province went whole into one new province, an old ward into communes), so
 * every cell a part's unit reads (its children's, its finer periods', its predecessors') is of the same part.
 */
async function independentParts(db: Db): Promise<Map<number, number[]>> {
  const units = await db.selectFrom('units').select(['unit_id', 'parent_id', 'depth']).execute();
  const lineage = await db.selectFrom('unit_lineage').select(['old_id', 'new_id']).execute();
  const root = new Map<number, number>();
  const find = (u: number): number => {
    let r = u;
    while (root.get(r) !== r) r = root.get(r)!;
    root.set(u, r);
    return r;
  };
  const join = (a: number, b: number) => root.set(find(a), find(b));
  for (const u of units) if (u.depth > 0) root.set(u.unit_id, u.unit_id);
  for (const u of units) if (u.depth > 1 && u.parent_id !== null) join(u.unit_id, u.parent_id);
  for (const l of lineage) join(l.old_id, l.new_id);
  const parts = new Map<number, number[]>();
  for (const u of units) {
    if (u.depth === 0) continue;
    const r = find(u.unit_id);
    parts.set(r, [...(parts.get(r) ?? []), u.unit_id]);
  }
  return parts;
}

/** Work rows per current fact, with the budget's share they may take: bins of about this many facts fit. */
const BUDGET_BYTES_PER_FACT = 256;

/**
 * The independent parts packed into bins of at most a budget's worth of current facts (one bin: everything fits),
 * in unit order.
 */
async function independentBins(db: Db, factsPerBin?: number): Promise<number[][]> {
  const { rows } = await sql<{ limit: string }>`SELECT current_setting('memory_limit') AS "limit"`.execute(db);
  const perBin =
    factsPerBin ?? Math.max(1_000_000, Math.floor((sizeBytes(rows[0].limit) ?? 2 ** 30) / BUDGET_BYTES_PER_FACT));
  const counts = await db
    .selectFrom('facts')
    .select(['unit_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('is_current', '=', true)
    .groupBy('unit_id')
    .execute();
  const factsOf = new Map(counts.map((c) => [c.unit_id, Number(c.n)]));
  const bins: number[][] = [];
  let bin: number[] = [];
  let inBin = 0;
  for (const units of (await independentParts(db)).values()) {
    const n = units.reduce((sum, u) => sum + (factsOf.get(u) ?? 0), 0);
    if (bin.length && inBin + n > perBin) {
      bins.push(bin);
      [bin, inBin] = [[], 0];
    }
    bin.push(...units);
    inBin += n;
  }
  if (bin.length) bins.push(bin);
  return bins;
}

/**
 * Computes the cells of the units in `rb_units` (all their periods in `rb_periods`) into `rb_result`. What they read
 * but do not rebuild, their other children's and their predecessors' cells, comes from `contextFrom` (the roll-up,
 * or the parts already computed).
 */
async function rebuildUnits(db: Db, contextFrom: 'rollup' | 'rb_result'): Promise<void> {
  const run = (statement: Fragment) => statement.execute(db);
  await run(sql`CREATE OR REPLACE TEMP TABLE rb_unit AS
    SELECT u.unit_id, u.depth, u.parent_id, u.hierarchy, u.unit_id IN (SELECT unit_id FROM rb_units) AS rebuilt,
           NOT EXISTS (SELECT 1 FROM units k WHERE k.parent_id = u.unit_id) AS is_leaf
    FROM units u`);

  // The rebuilt units' own current facts, and where a unit with children reported anything within a period.
  await run(sql`CREATE OR REPLACE TEMP TABLE rb_own AS
    SELECT f.fact_key AS cell, f.unit_id, p.period_no, ${seriesOfKeySql(ref('f.fact_key'))}::SMALLINT AS series, f.value
    FROM facts f JOIN rb_periods p USING (period_id) JOIN rb_unit u USING (unit_id)
    WHERE f.is_current AND u.rebuilt`);
  await deriveTotals(db);
  await run(sql`CREATE OR REPLACE TEMP TABLE rb_covered AS
    WITH parents AS (
      SELECT o.unit_id, o.series, q.period_id, q.parent_period_id FROM rb_own o JOIN rb_unit u USING (unit_id)
      JOIN periods q ON q.period_no = o.period_no WHERE NOT u.is_leaf
    ), chain AS (
      SELECT unit_id, series, period_id FROM parents
      UNION SELECT unit_id, series, parent_period_id FROM parents WHERE parent_period_id IS NOT NULL
      UNION SELECT x.unit_id, x.series, p.parent_period_id FROM parents x JOIN periods p ON p.period_id =
        x.parent_period_id WHERE p.parent_period_id IS NOT NULL
      UNION SELECT x.unit_id, x.series, pp.parent_period_id FROM parents x JOIN periods p ON p.period_id = x.parent_period_id
        JOIN periods pp ON pp.period_id = p.parent_period_id WHERE pp.parent_period_id IS NOT NULL
    )
    SELECT DISTINCT ${factKeySql(ref('c.unit_id'), ref('p.period_no'), ref('c.series'))} AS cell
    FROM chain c JOIN periods p USING (period_id)`);

  // The work table starts with what the rebuilt units read but do not rebuild: the current cells of their other
  // children, and of the predecessors of rebuilt new units (empty when a part is rebuilt whole).
  await run(sql`CREATE OR REPLACE TEMP TABLE rb_cells AS
    SELECT r.fact_key AS cell, r.unit_id, v.depth, r.period_no, p.type AS ptype, r.series, r.value, r.source, r.partial, true AS context
    FROM ${sql.table(contextFrom)} r JOIN rb_unit v USING (unit_id) JOIN rb_periods p USING (period_no)
    WHERE NOT v.rebuilt AND (v.parent_id IN (SELECT unit_id FROM rb_units)
      OR v.unit_id IN (SELECT l.old_id FROM unit_lineage l WHERE l.new_id IN (SELECT unit_id FROM rb_units)))
    ORDER BY v.depth DESC, p.type`);

  for (let depth = MAX_DEPTH; depth >= 0; depth--) {
    for (const type of PERIOD_TYPES) await rollupStep(db, depth, type);
  }
  await lineageStep(db);
  await run(sql`INSERT INTO rb_result
    SELECT cell, unit_id, period_no, series, value, source, partial FROM rb_cells WHERE NOT context`);
  for (const t of ['rb_cells', 'rb_own', 'rb_covered']) await run(sql`DROP TABLE ${sql.table(t)}`);
}

/** Marks the roll-up stale (a run's facts are in, its roll-up not yet) or up to date. */
export function markRollupStale(db: Kysely<Database>, stale: boolean) {
  return db
    .insertInto('meta')
    .values({ key: 'rollup_stale', value: String(stale) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(stale) }))
    .execute();
}

/** Result caches key on `data_version`: a committed roll-up moves it on. */
export function bumpDataVersion(db: Kysely<Database>) {
  return db
    .updateTable('meta')
    .set({ value: sql<string>`(value::BIGINT + 1)::VARCHAR` })
    .where('key', '=', 'data_version')
    .execute();
}

/**
 * Totals a unit sent only as parts, as DHIS2 totals a data element over its category option combinations: where a
 * unit sent no total for a cell, its total is the sum of the finest breakdown it sent (sex × age, else sex, else
 * age), and a sex (or age) total likewise the sum of its sex × age cells. A sent total always wins. The derived
 * totals join the unit's own figures, so every rule after this (and suppression) treats them like any figure.
 * Series bits: female 4, male 8, child 1, adult 2; both a sex and an age bit make a sex × age cell.
 */
async function deriveTotals(db: Db): Promise<void> {
  const crossed = sql`(bits >= 4 AND bits % 4 <> 0)`;
  const cell = factKeySql(ref('unit_id'), ref('period_no'), ref('series'));
  await sql`INSERT INTO rb_own
    WITH parts AS (
      SELECT unit_id, period_no, series // 16 AS indicator_no, series % 16 AS bits, value FROM rb_own WHERE series % 16 <> 0
    ), candidates AS (
      SELECT unit_id, period_no, indicator_no, (bits // 4) * 4 AS target, 1 AS finest, sum(value) AS value
      FROM parts WHERE ${crossed} GROUP BY ALL
      UNION ALL
      SELECT unit_id, period_no, indicator_no, bits % 4, 1, sum(value) FROM parts WHERE ${crossed} GROUP BY ALL
      UNION ALL
      SELECT unit_id, period_no, indicator_no, 0, CASE WHEN ${crossed} THEN 1 WHEN bits >= 4 THEN 2 ELSE 3 END,
             sum(value)
      FROM parts GROUP BY ALL
    ), best AS (
      SELECT unit_id, period_no, (indicator_no * ${sql.lit(SERIES_PER_INDICATOR)} + target)::SMALLINT AS series,
             arg_min(value, finest) AS value
      FROM candidates GROUP BY ALL
    )
    SELECT ${cell} AS cell, unit_id, period_no, series, value FROM best
    WHERE ${cell} NOT IN (SELECT cell FROM rb_own)`.execute(db);
}

async function rollupStep(db: Db, depth: number, type: PeriodType): Promise<void> {
  const finer = FINER[type];
  const target = sql`u.depth = ${sql.lit(depth)} AND u.rebuilt AND p.type = ${sql.lit(type)} AND ${inForce('u', 'p')}`;
  const cell = factKeySql(ref('u.unit_id'), ref('p.period_no'), ref('x.series'));
  const noOwn = sql`${cell} NOT IN (SELECT cell FROM rb_own)`;
  const covered = sql`${cell} IN (SELECT cell FROM rb_covered)`;
  const out = (source: string, value: Fragment, partial: Fragment) =>
    sql`${cell}, u.unit_id, ${sql.lit(depth)}, p.period_no, ${sql.lit(type)}, x.series, ${value}, ${sql.lit(source)}, ${partial}, false`;

  const branches: Fragment[] = [
    // 1. The unit's own report for exactly the period.
    sql`SELECT ${out('own', sql`x.value`, sql`false`)}
     FROM rb_own x JOIN rb_unit u USING (unit_id) JOIN rb_periods p USING (period_no) WHERE ${target}`,
  ];
  if (finer) {
    // 2. The finer periods that make the period up, when the unit reported within it (or it has no children).
    branches.push(sql`SELECT ${out('periods', COMBINE_OVER_TIME, sql`bool_or(x.partial)`)}
      FROM rb_cells x JOIN rb_unit u USING (unit_id) JOIN periods q ON q.period_no = x.period_no
      JOIN rb_periods p ON p.period_id = q.parent_period_id JOIN indicators i ON i.indicator_no = x.series // 16
      WHERE x.depth = ${sql.lit(depth)} AND x.ptype = ${sql.lit(finer)} AND x.source <> 'lineage' AND ${target}
        AND ${noOwn} AND (u.is_leaf OR ${covered} OR ${straddles('p')})
      GROUP BY ALL`);
  }
  if (depth < MAX_DEPTH) {
    // 3. The children, when the unit reported nothing within the period.
    branches.push(sql`SELECT ${out('children', sql`sum(x.value)`, sql`bool_or(x.partial)`)}
      FROM rb_cells x JOIN rb_unit v ON v.unit_id = x.unit_id JOIN rb_unit u ON u.unit_id = v.parent_id
      JOIN rb_periods p ON p.period_no = x.period_no
      WHERE x.depth = ${sql.lit(depth + 1)} AND x.ptype = ${sql.lit(type)} AND x.source <> 'lineage' AND ${target}
        AND NOT ${straddles('p')} AND ${noOwn} AND NOT ${covered}
      GROUP BY ALL`);
  }
  await sql`INSERT INTO rb_cells (${WORK_COLUMNS}, context) ${sql.join(branches, sql`\nUNION ALL\n`)}`.execute(db);
}

/**
 * Today's units before the reform: the sum of their predecessors' values, weighted where a split ward has
 * apportionment weights; a split ward without weights counts nowhere and marks the cell `partial` (its value is
 * null when nothing else went into the unit: no data, not 0). Then the 2025 year: an old unit's is its first half,
 * incomplete; today's units' and VN's are made again (year2025Step), now that their first half exists.
 */
async function lineageStep(db: Db): Promise<void> {
  await sql`INSERT INTO rb_cells (${WORK_COLUMNS}, context)
    SELECT ${factKeySql(ref('n.unit_id'), ref('p.period_no'), ref('x.series'))}, n.unit_id, n.depth, p.period_no, p.type, x.series,
           sum(l.weight * x.value), 'lineage', bool_or(l.weight IS NULL OR x.partial), false
    FROM rb_cells x JOIN unit_lineage l ON l.old_id = x.unit_id JOIN rb_unit n ON n.unit_id = l.new_id
    JOIN rb_periods p ON p.period_no = x.period_no
    WHERE n.rebuilt AND p.end_date < ${REFORM} AND x.source <> 'lineage'
    GROUP BY ALL`.execute(db);

  const straddling = sql`SELECT period_no FROM rb_periods p WHERE type = 'year' AND ${straddles('p')}`;
  // An old-list unit's 2025 is its first half only.
  await sql`UPDATE rb_cells SET partial = true WHERE NOT context AND period_no IN (${straddling})
    AND unit_id IN (SELECT unit_id FROM rb_unit WHERE hierarchy = '2025-03')`.execute(db);
  await sql`DELETE FROM rb_cells WHERE source IN ('periods', 'children') AND NOT context AND period_no IN (${straddling})
    AND unit_id IN (SELECT unit_id FROM rb_unit WHERE hierarchy IN ('2025-07', 'national'))`.execute(db);
  for (let depth = MAX_DEPTH - 1; depth >= 0; depth--) await year2025Step(db, depth, straddling);
}

/**
 * The 2025 year of today's units and VN at one depth, once their children's is final. A unit with no own report for
 * the year adds its halves (the first from its predecessors), unless a unit below it sent the year whole: then it
 * sums its children's 2025, since a whole-year report cannot be split into halves. So VN's 2025 is the sum of the
 * provinces' 2025, whether they reported the year whole or by halves.
 */
async function year2025Step(db: Db, depth: number, straddling: Fragment): Promise<void> {
  const target = sql`u.rebuilt AND u.depth = ${sql.lit(depth)} AND u.hierarchy IN ('2025-07', 'national')`;
  // Children whose 2025 is a whole-year report, their own or one below them.
  const wholeBelow = sql`SELECT DISTINCT v.parent_id, x.series FROM rb_cells x JOIN rb_unit v USING (unit_id)
    WHERE x.period_no IN (${straddling}) AND v.hierarchy = '2025-07' AND v.depth = ${sql.lit(depth + 1)}
      AND x.source IN ('own', 'children')`;
  const noOwn = (cell: Fragment) => sql`${cell} NOT IN (SELECT cell FROM rb_own)`;
  const childCell = factKeySql(ref('u.unit_id'), ref('x.period_no'), ref('x.series'));
  await sql`INSERT INTO rb_cells (${WORK_COLUMNS}, context)
    SELECT ${childCell}, u.unit_id, ${sql.lit(depth)}, x.period_no, 'year', x.series, sum(x.value), 'children', bool_or(x.partial), false
    FROM rb_cells x JOIN rb_unit v ON v.unit_id = x.unit_id JOIN rb_unit u ON u.unit_id = v.parent_id
    WHERE x.period_no IN (${straddling}) AND v.hierarchy = '2025-07' AND v.depth = ${sql.lit(depth + 1)} AND ${target}
      AND (u.unit_id, x.series) IN (${wholeBelow}) AND ${noOwn(childCell)}
    GROUP BY ALL`.execute(db);
  const halvesCell = factKeySql(ref('u.unit_id'), ref('p.period_no'), ref('x.series'));
  await sql`INSERT INTO rb_cells (${WORK_COLUMNS}, context)
    SELECT ${halvesCell}, u.unit_id, ${sql.lit(depth)}, p.period_no, 'year', x.series,
           ${COMBINE_OVER_TIME}, 'periods', bool_or(x.partial), false
    FROM rb_cells x JOIN rb_unit u USING (unit_id) JOIN periods q ON q.period_no = x.period_no AND q.type = 'half'
    JOIN rb_periods p ON p.period_id = q.parent_period_id JOIN indicators i ON i.indicator_no = x.series // 16
    WHERE ${target} AND p.period_no IN (${straddling})
      AND (u.unit_id, x.series) NOT IN (${wholeBelow}) AND ${noOwn(halvesCell)}
    GROUP BY ALL`.execute(db);
}
