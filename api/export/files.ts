/**
 * A table written as the files analysts open in Excel: CSV (UTF-8 with a byte-order mark, which Excel needs to
 * read Vietnamese; CRLF lines; RFC 4180 quoting) and XLSX (exceljs). Numbers are numbers in both, empty cells are
 * nulls (suppressed figures among them).
 */
import ExcelJS from 'exceljs';
import type { Cell, Table } from './table.ts';

export type ExportFormat = 'csv' | 'xlsx';

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

const BOM = '\uFEFF';

function csvField(cell: Cell): string {
  if (cell === null) return '';
  let text = String(cell);
  // A text cell that Excel would read as a formula is kept as text (OWASP's advice for CSV injection).
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(t: Table): Buffer {
  const lines = [t.columns, ...t.rows].map((row) => row.map(csvField).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}

/** Excel's limits on sheet names: 31 characters, none of []:*?/\ */
function sheetName(path: string): string {
  return path.replace(/[[\]:*?/\\]/g, '_').slice(0, 31) || 'data';
}

export async function toXlsx(t: Table): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'pcmbn-warehouse';
  const ws = wb.addWorksheet(sheetName(t.path), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(t.columns).font = { bold: true };
  for (const row of t.rows) ws.addRow(row);
  t.columns.forEach((c, i) => (ws.getColumn(i + 1).width = Math.min(Math.max(c.length + 2, 10), 40)));
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function writeTable(t: Table, format: ExportFormat): Promise<Buffer> {
  return format === 'csv' ? toCsv(t) : toXlsx(t);
}
