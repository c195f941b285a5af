/**
 * A large, valid JSON report for load tests: `wards` old-list wards × 60 months of hotline calls, pretty-printed as a
 * spreadsheet export writes it (about 120 bytes a row), written piece by piece so the test itself stays small.
 */
import fs from 'node:fs';
import type { Warehouse } from '../../schema/warehouse.ts';

const MONTHS = Array.from(
  { length: 60 },
  (_, i) => `${2020 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')}`,
);

/** Writes the report to `file`; returns how many rows it holds. */
export async function writeLargeJson(w: Warehouse, file: string, wards: number): Promise<number> {
  const refs = (
    await w.sql<{ ref: string }>(
      `SELECT ref FROM units WHERE ref LIKE '2025-03:%' AND level = 'ward' ORDER BY ref LIMIT ${Number(wards)}`,
    )
  ).map((r) => r.ref);
  const out = fs.openSync(file, 'w');
  try {
    fs.writeSync(out, '[\n');
    for (const [i, ref] of refs.entries()) {
      const rows = MONTHS.map(
        (period, m) =>
          `  {"unit_code": "${ref}", "period": "${period}", "indicator": "hotline_calls", "value": ${(i + m) % 7}, ` +
          `"submitted_on": "2025-06-30"}`,
      );
      fs.writeSync(out, rows.join(',\n') + (i < refs.length - 1 ? ',\n' : '\n'));
    }
    fs.writeSync(out, ']\n');
  } finally {
    fs.closeSync(out);
  }
  return refs.length * MONTHS.length;
}
