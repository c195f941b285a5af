/**
 * The periodic report in Vietnamese, in the structure of the programme's own reports: the header (unit, place and
 * date), the title with the period, I. results by area, each figure compared with the same period a year earlier
 * and each rate with its target, II. the reporting of the units below, III. incomplete figures and discrepancies,
 * and an appendix tracing every figure to the units' reports and their source notes.
 *
 * Written to be read back: each figure stands in its own statement, in the words the extractor's rules map to its
 * indicator (etl/extract/rules.csv), its number as reports write it (02, 12.500); comparisons, rates and the
 * appendix put no counted noun after a number, so that `pcmbn etl extract` proposes exactly the figures of section I.
 */
import { writeCount, writePercent } from '../../etl/extract/numbers.ts';
import { AREAS as CATALOGUE_AREAS, indicatorsOf } from '../../schema/catalogue.ts';
import type { Period } from '../../schema/periods.ts';
import { withholdsSmallCounts } from '../auth/roles.ts';
import { vietnameseDate } from '../templates/workbook.ts';
import type { Breakdown, Figure, ReportData } from './gather.ts';

export type Block =
  | { kind: 'header'; lines: string[] }
  | { kind: 'title'; text: string }
  | { kind: 'subtitle'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'subheading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'bullet'; text: string };

/** Each count indicator's statement: the words before and after its number (the rules' verb and noun). */
const STATEMENTS: Record<string, [string, string]> = {
  outreach_sessions: ['Tổ chức', 'buổi tuyên truyền về phòng, chống mua bán người'],
  outreach_participants: ['Thu hút', 'lượt người tham dự các buổi tuyên truyền'],
  leaflets_distributed: ['In ấn, cấp phát', 'tờ rơi tuyên truyền'],
  media_items: ['Đăng tải', 'tin bài, phóng sự trên các phương tiện thông tin đại chúng'],
  trainings_held: ['Mở', 'lớp tập huấn nghiệp vụ'],
  training_participants: ['Tập huấn cho', 'lượt người'],
  tipoffs_received: ['Tiếp nhận', 'tin báo, tố giác về mua bán người'],
  tipoffs_classified: ['Phân loại', 'tin báo, tố giác'],
  tipoffs_resolved: ['Giải quyết', 'tin báo, tố giác'],
  cases_initiated: ['Khởi tố', 'vụ án mua bán người'],
  cases_solved: ['Điều tra, khám phá', 'vụ án'],
  cases_indicted: ['Truy tố', 'vụ án'],
  cases_tried: ['Đưa ra xét xử', 'vụ án'],
  suspects_prosecuted: ['Khởi tố', 'bị can'],
  suspects_monitored: ['Quản lý, theo dõi', 'đối tượng'],
  persons_missing_suspected: ['Rà soát', 'người vắng mặt tại địa phương nghi bị mua bán'],
  illegal_exits_detected: ['Phát hiện', 'công dân xuất cảnh trái phép'],
  illegal_returns_detected: ['Tiếp nhận', 'công dân nhập cảnh trái phép trở về'],
  inspections_held: ['Tổ chức', 'cuộc kiểm tra'],
  victims_identified: ['Xác minh, xác định', 'nạn nhân'],
  victims_rescued: ['Giải cứu', 'nạn nhân'],
  victims_returned: ['Tiếp nhận', 'nạn nhân trở về'],
  victims_supported: ['Hỗ trợ', 'nạn nhân'],
  victims_legal_aid: ['Trợ giúp pháp lý cho', 'nạn nhân'],
  hotline_calls: ['Tiếp nhận', 'cuộc gọi đến đường dây nóng'],
  community_models_active: ['Duy trì', 'mô hình cộng đồng đang hoạt động'],
  wards_with_model: ['Có', 'xã duy trì mô hình phòng, chống mua bán người'],
};

/** Section I's areas and their counts, as the catalogue places them, in the order of the programme's own reports. */
const AREAS = CATALOGUE_AREAS.map((a) => ({
  title: a.titleVi,
  codes: indicatorsOf(a.code)
    .filter((i) => i.kind === 'count')
    .map((i) => i.code),
}));

const ROMAN = ['', 'I', 'II', 'III', 'IV'];

/** "quý III năm 2026", "6 tháng đầu năm 2026", "tháng 3 năm 2026", "năm 2026": as report titles say it. */
export function periodVi(p: Period): string {
  switch (p.type) {
    case 'year':
      return `năm ${p.year}`;
    case 'half':
      return `6 tháng ${p.index === 1 ? 'đầu' : 'cuối'} năm ${p.year}`;
    case 'quarter':
      return `quý ${ROMAN[p.index]} năm ${p.year}`;
    case 'month':
      return `tháng ${p.index} năm ${p.year}`;
  }
}

const PART_WORDS: Record<Breakdown, string> = { female: 'nữ', male: 'nam', child: 'trẻ em', adult: 'người lớn' };
const WITHHELD = 'số liệu được giữ kín (số nhỏ, để bảo vệ nạn nhân)';

function comparison(f: Figure, previous: Period): string {
  const then = `cùng kỳ năm ${previous.year}`;
  if (f.previousValue === null) return `Số liệu ${then}: chưa thu thập.`;
  const diff = f.value! - f.previousValue;
  if (diff === 0) return `Bằng ${then} (${writeCount(f.previousValue)}).`;
  return `${diff > 0 ? 'Tăng' : 'Giảm'} ${writeCount(Math.abs(diff))} so với ${then} (${writeCount(f.previousValue)}).`;
}

function statement(f: Figure, previous: Period): string | null {
  const i = f.indicator;
  if (f.suppressed) return `${i.nameVi}: ${WITHHELD}.`;
  if (f.value === null) return null;
  const [verb, noun] = STATEMENTS[i.code] ?? [`${i.nameVi}:`, i.unit];
  const known = (Object.entries(f.parts) as [Breakdown, number | null][]).filter(([, v]) => v !== null);
  const parts = known.length
    ? ` (trong đó ${known.map(([b, v]) => `${writeCount(v!)} ${PART_WORDS[b]}`).join(', ')})`
    : '';
  return `${verb} ${writeCount(f.value)} ${noun}${parts}. ${comparison(f, previous)}`;
}

function rateStatement(f: Figure): string {
  const i = f.indicator;
  if (i.kind !== 'ratio') throw new Error(`${i.code} is not a rate`);
  const target =
    `mục tiêu ${i.target.operator === '>' ? 'trên' : 'từ'} ` +
    `${writePercent(i.target.value)}${i.target.operator === '>=' ? ' trở lên' : ''}`;
  if (f.suppressed) return `${i.nameVi}: ${WITHHELD}.`;
  if (f.value === null) return `${i.nameVi}: chưa tính được (thiếu số liệu), ${target}.`;
  return `${i.nameVi}: đạt ${writePercent(f.value)}, ${target}: ${f.status === 'MET' ? 'đạt' : 'chưa đạt'}.`;
}

/**
 * "Xã A, Xã B": the units below behind a figure. Their values stay out: a list of figures after a label would read
 * back as the report's own figure for that label, counted a second time.
 */
function contributors(f: Figure): string {
  return f.contributors.map((c) => c.name).join(', ');
}

/** A source note quoted so that its figures are read as part of a name, not as the report's own. */
function quoteNote(note: string): string {
  const flat = note
    .replace(/[.;!?…]+(?=\s|$)/g, ',')
    .replace(/["“”«»]/g, "'")
    .replace(/\s+/g, ' ');
  return `“${flat.length > 96 ? `${flat.slice(0, 95)}…` : flat}”`;
}

export function composeReport(r: ReportData, today: string): Block[] {
  const blocks: Block[] = [];
  const place = r.unit.level === 'NATIONAL' ? 'Hà Nội' : r.unit.name;
  const [y, m, d] = today.split('-');
  blocks.push({
    kind: 'header',
    lines: [
      `BAN CHỈ ĐẠO PHÒNG, CHỐNG TỘI PHẠM ` +
        `${r.unit.level === 'NATIONAL' ? 'TRUNG ƯƠNG' : r.unit.fullName.toUpperCase()}`,
      `${place}, ngày ${d} tháng ${Number(m)} năm ${y}`,
    ],
  });
  blocks.push({ kind: 'title', text: 'BÁO CÁO' });
  blocks.push({
    kind: 'subtitle',
    text: `Kết quả công tác phòng, chống mua bán người ${periodVi(r.period)} của ${r.unit.fullName}`,
  });
  blocks.push({
    kind: 'paragraph',
    text:
      `Báo cáo được lập từ kho dữ liệu PCMBN theo số liệu các đơn vị đã gửi tính đến ngày ` +
      `${vietnameseDate(today)}; nguồn của từng số liệu ghi tại Phụ lục.`,
  });
  if (withholdsSmallCounts(r.role) && r.figures.some((f) => f.suppressed))
    blocks.push({
      kind: 'paragraph',
      text:
        'Lưu ý: báo cáo lập với quyền xem (viewer); một số số liệu về nạn nhân là số nhỏ nên được giữ kín như ' +
        'trên hệ thống, và ghi chú nguồn của số liệu nạn nhân không được nêu.',
    });

  blocks.push({ kind: 'heading', text: 'I. KẾT QUẢ THỰC HIỆN' });
  const counts = r.figures.filter((f) => f.indicator.kind === 'count');
  let n = 0;
  for (const area of AREAS) {
    const lines = area.codes
      .map((code) => counts.find((f) => f.indicator.code === code))
      .map((f) => (f ? statement(f, r.previous) : null))
      .filter((s): s is string => s !== null);
    if (!lines.length) continue;
    blocks.push({ kind: 'subheading', text: `${++n}. ${area.title}` });
    for (const text of lines) blocks.push({ kind: 'bullet', text });
  }
  if (!n) blocks.push({ kind: 'paragraph', text: `Chưa có số liệu cho ${periodVi(r.period)}.` });
  blocks.push({ kind: 'subheading', text: `${++n}. Kết quả thực hiện các chỉ tiêu` });
  for (const f of r.figures.filter((x) => x.indicator.kind === 'ratio'))
    blocks.push({ kind: 'bullet', text: rateStatement(f) });

  blocks.push({ kind: 'heading', text: 'II. TÌNH HÌNH BÁO CÁO CỦA CÁC ĐƠN VỊ' });
  const c = r.compliance;
  if (c.expected === 0) {
    blocks.push({
      kind: 'paragraph',
      text:
        `Lịch báo cáo (KH 04/KH-BCĐ) không quy định báo cáo riêng cho ${periodVi(r.period)}: nội dung này nằm ` +
        `trong báo cáo của kỳ dài hơn.`,
    });
  } else {
    blocks.push({
      kind: 'paragraph',
      text:
        `Kỳ báo cáo có ${writeCount(c.expected)} đơn vị phải gửi báo cáo (hạn gửi: trước ` +
        `${vietnameseDate(c.dueDate!)}); đã nhận ${writeCount(c.received)}, trong đó đúng hạn ` +
        `${writeCount(c.onTime)}, chậm hạn ${writeCount(c.late)}; chưa gửi ` +
        `${writeCount(c.missing.length)}${c.pending ? `, chưa đến hạn ${writeCount(c.pending)}` : ''}.`,
    });
    if (c.lateUnits.length)
      blocks.push({
        kind: 'bullet',
        text: `Đơn vị gửi báo cáo chậm hạn: ${c.lateUnits.map((u) => u.fullName).join(', ')}.`,
      });
    if (c.missing.length)
      blocks.push({ kind: 'bullet', text: `Đơn vị chưa gửi báo cáo: ${c.missing.map((u) => u.fullName).join(', ')}.` });
  }

  blocks.push({ kind: 'heading', text: 'III. SỐ LIỆU CHƯA ĐẦY ĐỦ VÀ CHÊNH LỆCH' });
  const missing = counts.filter((f) => f.value === null && !f.suppressed).map((f) => f.indicator.nameVi);
  const partial = r.figures.filter((f) => !f.complete && f.value !== null).map((f) => f.indicator.nameVi);
  if (missing.length) blocks.push({ kind: 'bullet', text: `Chưa có số liệu: ${missing.join('; ')}.` });
  if (partial.length)
    blocks.push({
      kind: 'bullet',
      text: `Chưa đầy đủ (còn báo cáo của đơn vị cấp dưới chưa gửi): ${partial.join('; ')}.`,
    });
  for (const x of r.discrepancies)
    blocks.push({
      kind: 'bullet',
      text:
        `${x.unit}, ${x.indicator.nameVi}: đơn vị báo cáo ${writeCount(x.reported)}, cộng báo cáo của ` +
        `${writeCount(x.children)} đơn vị cấp dưới ${writeCount(x.childrenSum)}, chênh lệch ` +
        `${writeCount(Math.abs(x.reported - x.childrenSum))}.`,
    });
  if (!missing.length && !partial.length && !r.discrepancies.length)
    blocks.push({ kind: 'paragraph', text: 'Số liệu đầy đủ, khớp giữa các cấp.' });

  blocks.push({ kind: 'heading', text: 'PHỤ LỤC: NGUỒN SỐ LIỆU' });
  for (const f of r.figures) {
    if (f.value === null && !f.suppressed) continue;
    // The unit's own report stands for it where it has one (its notes, or a disagreement with the units below).
    const own =
      f.sources.length > 0 ||
      r.discrepancies.some((x) => x.unitRef === r.unit.ref && x.indicator.code === f.indicator.code);
    const from =
      f.indicator.kind === 'ratio'
        ? 'tính từ các số liệu tương ứng ở mục I'
        : own || !f.contributors.length
          ? `báo cáo của chính ` +
            `${r.unit.fullName}${f.contributors.length ? ` (báo cáo của các đơn vị cấp dưới: ${contributors(f)})` : ''}`
          : `tổng hợp từ báo cáo của ${f.contributors.length === 1 ? 'đơn vị' : 'các đơn vị'} ${contributors(f)}`;
    const notes = f.sources.length ? `; ghi chú nguồn: ${f.sources.map(quoteNote).join(', ')}` : '';
    blocks.push({ kind: 'bullet', text: `${f.indicator.nameVi} [${f.indicator.code}]: ${from}${notes}.` });
  }
  return blocks;
}

/** The report as Markdown: what the API's `report` field returns and `pcmbn report --format md` writes. */
export function toMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.kind === 'header') out.push(b.lines.map((l, i) => (i === 0 ? `**${l}**` : `*${l}*`)).join('\n\n'));
    else if (b.kind === 'title') out.push(`# ${b.text}`);
    else if (b.kind === 'subtitle') out.push(`**${b.text}**`);
    else if (b.kind === 'heading') out.push(`## ${b.text}`);
    else if (b.kind === 'subheading') out.push(`### ${b.text}`);
    else if (b.kind === 'paragraph') out.push(b.text);
    else out.push(`- ${b.text}`);
  }
  // Bullets of one list stay together; everything else is its own paragraph.
  return (
    out.reduce(
      (text, line, i) =>
        text + (i === 0 ? '' : blocks[i].kind === 'bullet' && blocks[i - 1].kind === 'bullet' ? '\n' : '\n\n') + line,
      '',
    ) + '\n'
  );
}
