/**
 * Apportionment weights for the old wards the 2025 reform split across communes. Without them a split ward's
 * history counts in its province but in no commune; with them each commune gets its share. The file is a CSV
 * `old_ward,new_commune,share`: codes of the 2025-03 and 2025-07 lists (plain or prefixed), shares between 0 and 1
 * that add up to 1 for each old ward. A file with any error changes nothing. Loading weights rebuilds the roll-up.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { kyselyOn } from '../schema/dialect.ts';
import type { Database } from '../schema/tables.ts';
import { parseUnitRef, REFORM_DATE, UnitRefError } from '../schema/units.ts';
import type { Warehouse } from '../schema/warehouse.ts';
import { FileRejected, type LoadIssue } from './issues.ts';
import { bumpDataVersion, markRollupStale, refreshRollup } from './marts/rollup.ts';

const COLUMNS = ['old_ward', 'new_commune', 'share'] as const;
/** Shares of one ward may miss 1 by rounding: three thirds written 0.333 are accepted. */
const TOLERANCE = 0.005;

interface Weight {
  line: number;
  oldId: number;
  newId: number;
  share: number;
}

export async function loadWeights(w: Warehouse, path: string, name = path): Promise<{ wards: number; pairs: number }> {
  const issues: LoadIssue[] = [];
  const problem = (line: number, col: number | null, column: string | null, message: string) =>
    issues.push({ severity: 'error', file: name, line, col, column, message });
  const rows = parse(readFileSync(path), { bom: true, skip_empty_lines: true, relax_column_count: true }) as string[][];
  const header = rows[0]?.map((h) => h.trim()) ?? [];
  if (COLUMNS.some((c, i) => header[i] !== c)) {
    problem(1, 1, null, `the header is "${header.join(',')}"; expected ${COLUMNS.join(',')}`);
    throw new FileRejected(issues);
  }

  const lineage = await w.db
    .selectFrom('unit_lineage as l')
    .innerJoin('units as o', 'o.unit_id', 'l.old_id')
    .innerJoin('units as n', 'n.unit_id', 'l.new_id')
    .select(['o.ref as old_ref', 'n.ref as new_ref', 'l.old_id', 'l.new_id', 'l.transfer'])
    .where('o.level', '=', 'ward')
    .execute();
  const links = new Map(lineage.map((l) => [`${l.old_ref}>${l.new_ref}`, l]));
  const ref = (text: string, list: '2025-03' | '2025-07', line: number, col: number, column: string) => {
    try {
      const r = parseUnitRef(text);
      if (r.hierarchy && r.hierarchy !== list)
        problem(line, col, column, `"${text}" is a ${r.hierarchy} code; expected a unit of the ${list} list`);
      return `${list}:${r.code}`;
    } catch (e) {
      if (e instanceof UnitRefError) problem(line, col, column, e.message);
      else throw e;
      return null;
    }
  };

  const weights: Weight[] = [];
  rows.slice(1).forEach((fields, i) => {
    const line = i + 2;
    if (fields.length !== 3)
      return problem(line, null, null, `expected 3 fields (${COLUMNS.join(',')}), found ${fields.length}`);
    const [oldText, newText, shareText] = fields.map((f) => f.trim());
    const oldRef = ref(oldText, '2025-03', line, 1, 'old_ward');
    const newRef = ref(newText, '2025-07', line, 2, 'new_commune');
    const share = /^(0(\.\d+)?|1(\.0+)?)$/.test(shareText) ? Number(shareText) : NaN;
    if (Number.isNaN(share))
      problem(line, 3, 'share', `"${shareText}" is not a share; expected a decimal from 0 to 1, such as 0.4`);
    if (!oldRef || !newRef || Number.isNaN(share)) return;
    const link = links.get(`${oldRef}>${newRef}`);
    if (!link)
      return problem(
        line,
        1,
        'old_ward',
        `${oldRef} did not go into ${newRef} in the 2025 reform; expected a pair of the reform mapping`,
      );
    if (link.transfer !== 'partial')
      return problem(
        line,
        1,
        'old_ward',
        `${oldRef} went whole into ${newRef}; weights are only for wards split across communes`,
      );
    weights.push({ line, oldId: link.old_id, newId: link.new_id, share });
  });

  const byWard = new Map<number, Weight[]>();
  for (const x of weights) byWard.set(x.oldId, [...(byWard.get(x.oldId) ?? []), x]);
  for (const [, list] of byWard) {
    const seen = new Set<number>();
    for (const x of list) {
      if (seen.has(x.newId))
        problem(x.line, 2, 'new_commune', 'this pair appears twice; expected each old ward and commune once');
      seen.add(x.newId);
    }
    const total = list.reduce((s, x) => s + x.share, 0);
    if (Math.abs(total - 1) > TOLERANCE)
      problem(
        list[0].line,
        3,
        'share',
        `the shares of this old ward add up to ${total.toFixed(3)}; expected 1 (a ward's history is shared out whole)`,
      );
  }
  if (issues.length) throw new FileRejected(issues);

  const conn = await w.connect();
  try {
    await kyselyOn<Database>(conn)
      .transaction()
      .execute(async (trx) => {
        for (const x of weights)
          await trx
            .updateTable('unit_lineage')
            .set({ weight: x.share })
            .where('old_id', '=', x.oldId)
            .where('new_id', '=', x.newId)
            .execute();
        // The roll-up is rebuilt next; until it commits, it is marked stale so an interruption is repaired by the
        // next load.
        await trx
          .insertInto('meta')
          .values({ key: 'rollup_stale', value: 'true' })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value: 'true' }))
          .execute();
      });
    // What weights change: the split wards' communes (their successors), for the years before the reform.
    const db = kyselyOn<Database>(conn);
    const wards = await db.selectFrom('unit_lineage').select('old_id').where('transfer', '=', 'partial').execute();
    const years = await db
      .selectFrom('periods')
      .select('year')
      .distinct()
      .where('start_date', '<', sql<string>`DATE ${sql.lit(REFORM_DATE)}`)
      .where('period_id', 'in', db.selectFrom('facts').select('period_id'))
      .execute();
    await refreshRollup(conn, { units: wards.map((r) => r.old_id), years: years.map((r) => r.year) }, async (trx) => {
      await markRollupStale(trx, false);
      await bumpDataVersion(trx);
    });
  } finally {
    conn.closeSync();
  }
  return { wards: byWard.size, pairs: weights.length };
}
