/**
 * Reading the roll-up (etl/marts/rollup.ts): one SQL query fetches every cell a request needs, whatever the number
 * of units, periods and indicators (no query per unit or per period). A cell is addressed by its key, packed like
 * `facts.fact_key` (schema/factKey.ts).
 */
import { INDICATORS } from '../../schema/catalogue.ts';
import { sql } from 'kysely';
import { type AgeKey, factKey as cellKey, seriesNumber, type SexKey } from '../../schema/factKey.ts';
import type { Period } from '../../schema/periods.ts';
import type { Warehouse } from '../../schema/warehouse.ts';

export interface Cell {
  /** Null when none of the cell's inputs had a value (see `partial`). */
  value: number | null;
  /** Part of the history could not be allocated to this unit (an old ward split without weights). */
  partial: boolean;
}

/** The series number of an indicator's total, or of one disaggregation. */
export function seriesOf(indicator: string, sex = 'total', ageGroup = 'total'): number {
  const n = INDICATORS.findIndex((i) => i.code === indicator);
  if (n < 0) throw new Error(`no indicator ${indicator}`);
  return seriesNumber(n, sex as SexKey, ageGroup as AgeKey);
}

/** period id → period_no, read once per warehouse (the calendar is fixed by the migrations). */
const periodNumbers = new WeakMap<Warehouse, Promise<Map<string, number>>>();

export async function periodNo(w: Warehouse, p: Period | string): Promise<number> {
  let m = periodNumbers.get(w);
  if (!m) {
    m = w.db
      .selectFrom('periods')
      .select(['period_id', 'period_no'])
      .execute()
      .then((rows) => new Map(rows.map((r) => [r.period_id, r.period_no])));
    periodNumbers.set(w, m);
  }
  const id = typeof p === 'string' ? p : p.id;
  const n = (await m).get(id);
  if (n === undefined) throw new Error(`period ${id} is outside the calendar`);
  return n;
}

/** A set of cells to fetch, built up by the caller, then read in one query. */
export class CellRequest {
  private readonly keys = new Set<number>();

  constructor(private readonly w: Warehouse) {}

  async add(unitId: number, period: Period | string, series: number): Promise<number> {
    const key = cellKey(unitId, await periodNo(this.w, period), series);
    this.keys.add(key);
    return key;
  }

  async read(): Promise<Map<number, Cell>> {
    if (!this.keys.size) return new Map();
    const { rows } = await runQuery(this.w, [...this.keys]);
    return new Map(rows.map((r) => [r.fact_key, { value: r.value, partial: r.partial }]));
  }
}

function runQuery(w: Warehouse, keys: number[]) {
  // Keys travel as one parameter; their range lets the scan skip most of the roll-up, which is stored in key order.
  keys.sort((a, b) => a - b);
  return sql<{ fact_key: number; value: number | null; partial: boolean }>`
    SELECT fact_key, value, partial FROM rollup
    WHERE fact_key BETWEEN ${keys[0]} AND ${keys[keys.length - 1]}
      AND fact_key IN (SELECT unnest(string_split(${keys.join(',')}, ','))::BIGINT)`.execute(w.db);
}
