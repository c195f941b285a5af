/**
 * The submission template: an XLSX workbook a unit fills in and sends back, which `pcmbn etl load` reads as it is.
 * Its first sheet is a report file of the contract (row 1 the column names) with one row per figure expected from
 * each unit, plus label columns for the person filling it in (etl/contract.ts: TEMPLATE_LABEL_COLUMNS, skipped by
 * the loader). Everything but the value cells is locked, and the value cells take whole numbers ≥ 0 only, so that
 * the usual mistakes ("12.500" typed as text, a negative number, a formula) are stopped in Excel already; a
 * workbook that gets past Excel is still checked by the loader like any other.
 */
import ExcelJS from 'exceljs';
import type { Column, TemplateLabelColumn } from '../../etl/contract.ts';
import { AGE_GROUPS, COUNT_INDICATORS, SEXES, TOTAL } from '../../schema/catalogue.ts';
import type { Period } from '../../schema/periods.ts';
import type { UnitRow } from '../directory.ts';
import type { Schedule } from '../../schema/schedule.ts';
import { dueDate, scheduleEntryFor } from '../compliance/schedule.ts';

/** One row of the template: a figure a unit is expected to report. */
export interface ExpectedFigure {
  unit: UnitRow;
  indicator: (typeof COUNT_INDICATORS)[number];
  sex: string;
  ageGroup: string;
}

const SEX_VI: Record<string, string> = { female: 'nữ', male: 'nam' };
const AGE_VI: Record<string, string> = { child: 'trẻ em (dưới 16 tuổi)', adult: 'người lớn (từ 16 tuổi)' };

/** The figures expected from each unit: every counted indicator, and victims figures also by sex and by age group. */
export function expectedFigures(units: readonly UnitRow[]): ExpectedFigure[] {
  const parts = [
    { sex: TOTAL, ageGroup: TOTAL },
    ...SEXES.map((sex) => ({ sex: sex as string, ageGroup: TOTAL })),
    ...AGE_GROUPS.map((ageGroup) => ({ sex: TOTAL, ageGroup: ageGroup as string })),
  ];
  return units.flatMap((unit) =>
    COUNT_INDICATORS.flatMap((indicator) =>
      (indicator.disaggregations.length ? parts : parts.slice(0, 1)).map((p) => ({ unit, indicator, ...p })),
    ),
  );
}

/** "12/03/2026": a day as Vietnamese documents write it. */
export function vietnameseDate(iso: string): string {
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
}

/** The contract's columns and the template's label columns (their names are the contract's, etl/contract.ts). */
const COLUMNS: readonly { key: Column | TemplateLabelColumn; width: number }[] = [
  { key: 'unit_code', width: 16 },
  { key: 'unit_name', width: 28 },
  { key: 'period', width: 9 },
  { key: 'indicator', width: 26 },
  { key: 'indicator_name', width: 60 },
  { key: 'measure', width: 12 },
  { key: 'sex', width: 8 },
  { key: 'age_group', width: 10 },
  { key: 'value', width: 12 },
  { key: 'due_date', width: 16 },
];

const VALUE_COLUMN = COLUMNS.findIndex((c) => c.key === 'value') + 1;

export interface TemplateRequest {
  /** The unit the template is for (the one asking, or the one whose units below report). */
  unit: UnitRow;
  period: Period;
  /** The units expected to report: the unit itself, or those of a level below it. */
  reporters: readonly UnitRow[];
  schedule: Schedule;
}

export async function templateWorkbook(r: TemplateRequest): Promise<ExcelJS.Workbook> {
  const entry = scheduleEntryFor(r.schedule, r.period);
  const due = entry ? dueDate(entry, r.period) : null;
  const dueText = due ? `trước ${vietnameseDate(due)}` : 'không theo lịch';
  const wb = new ExcelJS.Workbook();
  wb.creator = 'pcmbn-warehouse';
  wb.title = `Mẫu báo cáo ${r.period.id} — ${r.unit.type} ${r.unit.name}`;

  const sheet = wb.addWorksheet('Số liệu', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = COLUMNS.map((c) => ({ header: c.key, key: c.key, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  for (const f of expectedFigures(r.reporters)) {
    const part = f.sex !== TOTAL ? ` — ${SEX_VI[f.sex]}` : f.ageGroup !== TOTAL ? ` — ${AGE_VI[f.ageGroup]}` : '';
    const row = sheet.addRow({
      unit_code: f.unit.ref,
      unit_name: `${f.unit.type} ${f.unit.name}`,
      period: r.period.id,
      indicator: f.indicator.code,
      indicator_name: f.indicator.nameVi + part,
      measure: f.indicator.unit,
      // The contract writes the total as an empty sex and age group.
      sex: f.sex === TOTAL ? null : f.sex,
      age_group: f.ageGroup === TOTAL ? null : f.ageGroup,
      value: null,
      due_date: dueText,
    });
    const cell = row.getCell(VALUE_COLUMN);
    cell.protection = { locked: false };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
    cell.dataValidation = {
      type: 'whole',
      operator: 'greaterThanOrEqual',
      formulae: [0],
      allowBlank: true,
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: 'Giá trị không hợp lệ',
      error: 'Nhập một số nguyên không âm (ví dụ 12500), không dấu chấm, không công thức.',
      showInputMessage: true,
      promptTitle: f.indicator.unit,
      prompt: 'Số nguyên ≥ 0; để trống nếu không có số liệu.',
    };
  }
  // No password: the lock guards against slips, not against the unit itself.
  await sheet.protect('', { selectLockedCells: true, selectUnlockedCells: true, formatColumns: true, sort: false });

  const help = wb.addWorksheet('Hướng dẫn');
  help.getColumn(1).width = 110;
  const lines = [
    `MẪU BÁO CÁO SỐ LIỆU PHÒNG, CHỐNG MUA BÁN NGƯỜI — KỲ ${r.period.id} ` +
      `(${vietnameseDate(r.period.start)}–${vietnameseDate(r.period.end)})`,
    `Đơn vị: ${r.unit.type} ${r.unit.name} (${r.unit.ref}); ${r.reporters.length} đơn vị báo cáo.`,
    due
      ? `Hạn gửi: ${dueText} (${entry!.note ?? 'theo lịch báo cáo'}); gửi từ ngày ${vietnameseDate(due)} là chậm.`
      : 'Lịch báo cáo không quy định báo cáo cho kỳ này.',
    '',
    'Cách điền:',
    '1. Chỉ nhập vào cột "value" (ô màu vàng) của trang "Số liệu"; các cột khác đã được khóa, không sửa.',
    '2. Nhập số nguyên không âm, không dấu chấm hay dấu phẩy ngăn cách hàng nghìn: 12500, không phải 12.500.',
    '3. Không nhập công thức (=...) và không nhập chữ; nếu không có vụ việc, nhập 0.',
    '4. Để trống ô nếu đơn vị không có số liệu; dòng để trống không được tính là đã báo cáo.',
    '5. Số nạn nhân: dòng đầu là tổng số, các dòng "nữ", "nam", "trẻ em", "người lớn" là chi tiết nếu có.',
    '6. Không đổi tên trang, không thêm cột, không xóa dòng tiêu đề; ' + 'lưu dưới dạng .xlsx và gửi lại nguyên tệp.',
    '',
    'Tệp được nạp vào kho dữ liệu bằng lệnh "pcmbn etl load"; ' + 'lỗi (nếu có) được báo theo ô, ví dụ "cell I5".',
  ];
  lines.forEach((text, i) => {
    const cell = help.getCell(i + 1, 1);
    cell.value = text;
    if (i === 0) cell.font = { bold: true };
    cell.alignment = { wrapText: true };
  });
  await help.protect('', {});
  return wb;
}
