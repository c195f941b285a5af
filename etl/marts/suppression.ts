/**
 * The viewers' suppression pattern, kept in `suppression_shown` beside the roll-up: for each year and victims count,
 * the units whose yearly total a viewer gets (etl/marts/suppressionPattern.ts decides which). Written in the
 * roll-up's own transaction, for the years a load rebuilt, so that a viewer's answer is a lookup like an analyst's
 * and is never computed in a request.
 *
 * The table records the threshold it was computed with (`meta.suppression_k`): a warehouse made before the table
 * existed, or under another `PCMBN_SUPPRESSION_K`, gets its whole pattern rebuilt (by the next load, or when a
 * server opens it: `ensureSuppression`).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { sql } from 'kysely';
import { kyselyOn } from '../../schema/dialect.ts';
import { seriesNumber } from '../../schema/factKey.ts';
import type { Database } from '../../schema/tables.ts';
import type { Warehouse } from '../../schema/warehouse.ts';
import { parsePeriod } from '../../schema/periods.ts';
import { REFORM_DATE } from '../../schema/units.ts';
import { type PublishedTable, SENSITIVE_COUNTS, shownUnits, SUPPRESSION_K } from './suppressionPattern.ts';
import { INDICATORS } from '../../schema/catalogue.ts';

/** The series of each count's total, as the roll-up numbers them. */
const TOTAL_SERIES = SENSITIVE_COUNTS.map((i) => seriesNumber(INDICATORS.indexOf(i)));

const K_VALUE = String(SUPPRESSION_K);

/**
 * Recomputes the pattern of `years` (or of the years listed in the table so named: the roll-up's work table of the
 * years it rebuilt) from the roll-up as it stands on `conn`: inside the roll-up's transaction, the new cells. A
 * pattern computed under another threshold, or none yet, makes it recompute every year.
 */
export async function refreshSuppression(conn: DuckDBConnection, years: readonly number[] | string): Promise<void> {
  const db = kyselyOn<Database>(conn);
  const stored = await db.selectFrom('meta').select('value').where('key', '=', 'suppression_k').execute();
  if (stored[0]?.value !== K_VALUE) {
    await rebuild(conn);
    return;
  }
  const listed =
    typeof years === 'string'
      ? (
          await db
            .selectFrom(sql.table(years).as('y'))
            .select(sql<number>`year`.as('year'))
            .execute()
        ).map((r) => r.year)
      : years;
  await write(conn, [...new Set(listed)]);
}

/**
 * Makes sure the pattern matches this process's threshold, rebuilding it in its own transaction when it does not
 * (a warehouse from before the pattern table, or another `PCMBN_SUPPRESSION_K`). Returns whether it rebuilt.
 */
export async function ensureSuppression(conn: DuckDBConnection): Promise<boolean> {
  const db = kyselyOn<Database>(conn);
  const stored = await db.selectFrom('meta').select('value').where('key', '=', 'suppression_k').execute();
  if (stored[0]?.value === K_VALUE) return false;
  // Every statement here and in rebuild() runs on `conn`, inside this transaction.
  await sql`BEGIN TRANSACTION`.execute(db);
  try {
    // Viewers' answers may change: caches keyed on the data version must not serve the old ones. An empty
    // warehouse has no answer to change, and keeps its version.
    if (await rebuild(conn))
      await db
        .updateTable('meta')
        .set({ value: sql<string>`(value::BIGINT + 1)::VARCHAR` })
        .where('key', '=', 'data_version')
        .execute();
    await sql`COMMIT`.execute(db);
  } catch (e) {
    await sql`ROLLBACK`.execute(db).catch(() => undefined);
    throw e;
  }
  return true;
}

const ensuring = new WeakMap<Warehouse, Promise<boolean>>();

/**
 * `ensureSuppression` on its own connection, shared by the servers that start on one warehouse at the same time (a
 * viewer server beside an anonymous one): each would otherwise rebuild it, and the second commit fail on the first's
 * row. A later start checks again.
 */
export function ensureSuppressionOf(w: Warehouse): Promise<boolean> {
  let running = ensuring.get(w);
  if (!running) {
    running = (async () => {
      const conn = await w.connect();
      try {
        return await ensureSuppression(conn);
      } finally {
        conn.closeSync();
      }
    })().finally(() => ensuring.delete(w));
    ensuring.set(w, running);
  }
  return running;
}

/** Recomputes every year's pattern; returns whether there was any pattern before or after. */
async function rebuild(conn: DuckDBConnection): Promise<boolean> {
  const db = kyselyOn<Database>(conn);
  const [before] = await db
    .selectFrom('suppression_shown')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .execute();
  await db.deleteFrom('suppression_shown').execute();
  const years = await db
    .selectFrom('rollup')
    .innerJoin('periods', 'periods.period_no', 'rollup.period_no')
    .select('periods.year')
    .distinct()
    .where('periods.type', '=', 'year')
    .execute();
  const written = await write(
    conn,
    years.map((y) => y.year),
  );
  await db
    .insertInto('meta')
    .values({ key: 'suppression_k', value: K_VALUE })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: K_VALUE }))
    .execute();
  return written > 0 || before.n > 0;
}

/** Recomputes the pattern of `years`; returns the number of shown figures written. */
async function write(conn: DuckDBConnection, years: number[]): Promise<number> {
  const db = kyselyOn<Database>(conn);
  if (!years.length) return 0;
  await db.deleteFrom('suppression_shown').where('year', 'in', years).execute();
  const units = await db
    .selectFrom('units')
    .select(['unit_id', 'code', 'hierarchy', 'level'])
    .where('level', 'in', ['national', 'province'])
    .execute();
  const lineage = await db
    .selectFrom('unit_lineage')
    .innerJoin('units as o', 'o.unit_id', 'unit_lineage.old_id')
    .select(['unit_lineage.old_id', 'unit_lineage.new_id'])
    .where('o.level', '=', 'province')
    .execute();
  const byCode = (a: { code: string }, b: { code: string }) => a.code.localeCompare(b.code);
  const root = units.find((u) => u.level === 'national')!.unit_id;
  const provinces = units.filter((u) => u.level === 'province' && u.hierarchy === '2025-07').sort(byCode);
  const code = new Map(units.map((u) => [u.unit_id, u.code]));
  const predecessors = new Map<number, number[]>();
  for (const l of lineage) predecessors.set(l.new_id, [...(predecessors.get(l.new_id) ?? []), l.old_id]);
  const tableOf = (year: number): PublishedTable => ({
    root,
    provinces: provinces.map((p) => p.unit_id),
    // The year 2025 straddles the reform: its table is today's provinces alone.
    parts: new Map(
      parsePeriod(String(year)).end < REFORM_DATE
        ? provinces.map((p) => [
            p.unit_id,
            (predecessors.get(p.unit_id) ?? []).sort((a, b) => code.get(a)!.localeCompare(code.get(b)!)),
          ])
        : [],
    ),
  });

  const cells = await db
    .selectFrom('rollup')
    .innerJoin('periods', 'periods.period_no', 'rollup.period_no')
    .select(['periods.year', 'rollup.unit_id', 'rollup.series', 'rollup.value'])
    .where('periods.type', '=', 'year')
    .where('periods.year', 'in', years)
    .where('rollup.series', 'in', TOTAL_SERIES)
    .where(
      'rollup.unit_id',
      'in',
      units.map((u) => u.unit_id),
    )
    .execute();
  const value = new Map(cells.map((c) => [`${c.year} ${c.series} ${c.unit_id}`, c.value ?? 0]));
  const rows: { year: number; series: number; unit_id: number }[] = [];
  for (const year of years) {
    const table = tableOf(year);
    for (const series of TOTAL_SERIES) {
      // A figure not in the roll-up is 0, and withheld like one.
      const shown = shownUnits(table, (u) => value.get(`${year} ${series} ${u}`) ?? 0);
      for (const unit_id of [...shown].sort((a, b) => a - b)) rows.push({ year, series, unit_id });
    }
  }
  // A few hundred rows a year: a handful of statements, well within the parameters one statement takes.
  for (let i = 0; i < rows.length; i += 1000)
    await db
      .insertInto('suppression_shown')
      .values(rows.slice(i, i + 1000))
      .execute();
  return rows.length;
}
