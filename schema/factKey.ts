/**
 * The fact key: a fact's or a roll-up cell's identity (unit, period, indicator, sex, age group) packed into one
 * BIGINT, so that revisions group and join, and the API looks cells up, on a single integer, and the roll-up,
 * stored in key order, finds a unit's cells side by side:
 *
 *   key = (unit_id × 4096 + period_no) × 1024 + series,   series = indicator_no × 16 + sex bits + age bits
 *
 * with sex bits female 4, male 8 and age bits child 1, adult 2 (0: the total); a series with both a sex and an age
 * bit is a sex × age cell. The one home of the packing, as numbers for TypeScript and as SQL fragments for the
 * statements that pack keys in bulk.
 */
import { type Expression, type RawBuilder, sql } from 'kysely';

/** Periods a unit can have: `period_no` is below this. */
export const PERIODS_PER_UNIT = 4096;
/** Series a (unit, period) can have: the series is the key's low 10 bits. */
export const SERIES_PER_CELL = 1024;
/** Series an indicator can have: its total and its sex, age and sex × age parts. */
export const SERIES_PER_INDICATOR = 16;

export const SEX_BITS = { total: 0, female: 4, male: 8 } as const;
export const AGE_BITS = { total: 0, child: 1, adult: 2 } as const;

export type SexKey = keyof typeof SEX_BITS;
export type AgeKey = keyof typeof AGE_BITS;

export function seriesNumber(indicatorNo: number, sex: SexKey = 'total', ageGroup: AgeKey = 'total'): number {
  return indicatorNo * SERIES_PER_INDICATOR + SEX_BITS[sex] + AGE_BITS[ageGroup];
}

export function factKey(unitId: number, periodNo: number, series: number): number {
  return (unitId * PERIODS_PER_UNIT + periodNo) * SERIES_PER_CELL + series;
}

type SqlValue = Expression<unknown> | RawBuilder<unknown> | number;

/** `factKey` in SQL, over columns or expressions: `factKeySql(sql.ref('u.unit_id'), sql.ref('p.period_no'), …)`. */
export function factKeySql(unitId: SqlValue, periodNo: SqlValue, series: SqlValue): RawBuilder<number> {
  return sql<number>`((${unitId}::BIGINT * ${sql.lit(PERIODS_PER_UNIT)} + ${periodNo}) * ${sql.lit(SERIES_PER_CELL)} + ${series})`;
}

/** `seriesNumber` in SQL, over an indicator number and the `sex` and `age_group` words ('total' or null: total). */
export function seriesSql(indicatorNo: SqlValue, sex: SqlValue, ageGroup: SqlValue): RawBuilder<number> {
  const bits = (value: SqlValue, of: Record<string, number>) =>
    sql`CASE ${value} ${sql.join(
      Object.entries(of)
        .filter(([, b]) => b !== 0)
        .map(([word, b]) => sql`WHEN ${sql.lit(word)} THEN ${sql.lit(b)}`),
      sql` `,
    )} ELSE 0 END`;
  return sql<number>`(${indicatorNo} * ${sql.lit(SERIES_PER_INDICATOR)} + ${bits(sex, SEX_BITS)} + ${bits(ageGroup, AGE_BITS)})`;
}

/** The series of a key, in SQL. */
export function seriesOfKeySql(key: SqlValue): RawBuilder<number> {
  return sql<number>`(${key} % ${sql.lit(SERIES_PER_CELL)})`;
}
