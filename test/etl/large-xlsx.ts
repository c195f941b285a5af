/**
 * A large, valid XLSX report for load tests: `wards` old-list wards × 60 months of trainings held, written with
 * exceljs's streaming writer so the test itself stays small.
 */
import ExcelJS from 'exceljs';
import type { Warehouse } from '../../schema/warehouse.ts';

const MONTHS = Array.from(
  { length: 60 },
  (_, i) => `${2020 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(2, '0')}`,
);

/** Writes the workbook to `file`; returns how many rows it holds. */
export async function writeLargeXlsx(w: Warehouse, file: string, wards: number): Promise<number> {
  const refs = (
    await w.sql<{ ref: string }>(
      `SELECT ref FROM units WHERE ref LIKE '2025-03:%' AND level = 'ward' ORDER BY ref DESC LIMIT ${Number(wards)}`,
    )
  ).map((r) => r.ref);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Báo cáo');
  sheet.addRow(['unit_code', 'period', 'indicator', 'value', 'submitted_on']).commit();
  for (const [i, ref] of refs.entries())
    for (const [m, period] of MONTHS.entries())
      sheet.addRow([ref, period, 'trainings_held', (i + m) % 5, '2025-06-30']).commit();
  sheet.commit();
  await workbook.commit();
  return refs.length * MONTHS.length;
}
