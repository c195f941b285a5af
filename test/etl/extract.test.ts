/**
 * `pcmbn etl extract` on the Thái Bình report of the first half of 2019 (seed document 003), as the extraction was
 * specified: the
 * figures it must propose, with correct citations; the figures it lists as unmapped; what it must not take. And the
 * reading of Vietnamese numbers, diacritics (NFC, NFD, none), and text broken by a PDF copy, and the rules table.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNumberWords, scanClause } from '../../etl/extract/numbers.ts';
import { combine, extractReport, type Mention, proposalCsv, type ReportExtraction } from '../../etl/extract/report.ts';
import { DEFAULT_RULES, DEFAULT_WORDS, loadRules } from '../../etl/extract/rules.ts';
import { ExtractError, readSource, type SourceText, sourceSlice, toDoc } from '../../etl/extract/text.ts';
import { SETS } from '../fixtures/extract/score.ts';
import { cleanupTemp, seedPath, tempDir, writeFile } from '../helpers.ts';
import { needs, SEEDS, unmet } from '../requirements.ts';

const rules = loadRules();

let x: ReportExtraction;
let source: SourceText;

afterAll(cleanupTemp);

const cps = (s: string) => Array.from(s);
/** The source text at code point offsets, as a citation quotes it (NFC, one space for any run of white space). */
const at = (raw: string, start: number, end: number) =>
  cps(raw).slice(start, end).join('').normalize('NFC').replace(/\*/g, '').replace(/\s+/g, ' ').trim();

function figures(ind: string): Mention[] {
  return x.mentions.filter((m) => m.indicator === ind && m.sex === null && m.age_group === null);
}

describe('003: Thái Bình, first half of 2019 (--unit 34 --period 2019S1)', () => {
  needs(SEEDS);
  beforeAll(async () => {
    if (unmet(SEEDS)) return;
    source = await readSource(seedPath('003_18fdae042a0bf823.txt'), '003_18fdae042a0bf823.txt');
    x = extractReport(source, { unit: '34', period: '2019S1', rules, today: '2026-01-01' });
  });

  it(
    'proposes at least the figures of the issue, each to its indicator, with lower bounds where the report says ' +
      '"hơn"',
    () => {
      const got = (ind: string) =>
        figures(ind)
          .map((m) => (m.bound === 'exact' ? m.value : `${m.value}+`))
          .sort();
      expect(got('leaflets_distributed')).toEqual(['1000+', 12500].sort());
      expect(got('media_items')).toEqual([30, 6].sort());
      expect(got('trainings_held')).toEqual([2]);
      expect(got('training_participants')).toEqual([226]);
      expect(got('outreach_sessions')).toEqual([5, 8].sort());
      expect(got('outreach_participants')).toEqual(['2000+', '750+', '800+'].sort());
      expect(got('suspects_monitored')).toEqual([26]);
      expect(got('illegal_exits_detected')).toEqual([9]);
      expect(got('illegal_returns_detected')).toEqual([42]);
      expect(got('cases_initiated')).toEqual([0]);
      expect(got('victims_returned')).toEqual([0]);
      // "chưa tiếp nhận, hỗ trợ nạn nhân … nào": none received and none supported.
      expect(got('victims_supported')).toEqual([0]);
      expect(new Set(x.mentions.map((m) => m.indicator))).toEqual(
        new Set([
          'leaflets_distributed',
          'media_items',
          'trainings_held',
          'training_participants',
          'outreach_sessions',
          'outreach_participants',
          'suspects_monitored',
          'illegal_exits_detected',
          'illegal_returns_detected',
          'cases_initiated',
          'victims_returned',
          'victims_supported',
        ]),
      );
    },
  );

  it('cites each figure: its words and its sentence, with code point offsets into the source as it is', () => {
    const raw = source.raw;
    for (const m of x.mentions) {
      expect(at(raw, m.figure.start, m.figure.end), m.figure.text).toBe(m.figure.text);
      expect(at(raw, m.sentence.start, m.sentence.end), m.sentence.text).toBe(m.sentence.text);
      expect(m.sentence.start <= m.figure.start && m.figure.end <= m.sentence.end).toBe(true);
      expect(m.confidence).toBeGreaterThan(0);
      expect(m.confidence).toBeLessThanOrEqual(1);
    }
    const cite = (ind: string, value: number) => figures(ind).find((m) => m.value === value)!;
    expect(cite('leaflets_distributed', 12500).figure.text).toBe('12.500 tờ rơi');
    expect(cite('leaflets_distributed', 12500).sentence.text).toMatch(
      /^tổ chức in ấn, cấp phát 12\.500 tờ rơi tuyên truyền/,
    );
    expect(cite('leaflets_distributed', 12500).agency).toBe('Sở Thông tin truyền thông');
    expect(cite('training_participants', 226).figure.text).toBe('226 lượt cán bộ');
    expect(cite('outreach_participants', 750).figure.text).toBe('hơn 750 lượt người');
    expect(cite('outreach_participants', 750).qualifier).toBe('hơn');
    expect(cite('illegal_returns_detected', 42).figure.text).toBe('42 lượt công dân nhập cảnh trái phép');
    expect(cite('cases_initiated', 0).figure.text).toBe('chưa phát hiện, xử lý vụ án mua bán người nào');
    expect(cite('victims_returned', 0).sentence.text).toBe(
      'Trong 6 tháng đầu năm 2019, các lực lượng chưa tiếp nhận, hỗ trợ nạn nhân bị mua bán nào trở về.',
    );
    // The offsets count code points: the same slice in the file's own text.
    const m = cite('suspects_monitored', 26);
    expect(cps(raw).slice(m.figure.start, m.figure.end).join('')).toBe('26 đối tượng');
    expect(raw.indexOf('26 đối tượng')).toBe(cps(raw.slice(0, raw.indexOf('26 đối tượng'))).length); // BMP text: the same index
  });

  it(
    'lists the 54 citizens working illegally abroad and the 442 and 68 women living abroad as unmapped, with their ' +
      'sentences',
    () => {
      const unmapped = new Map(x.unmapped.map((u) => [u.value, u]));
      for (const v of [54, 442, 68]) expect(unmapped.has(v), `unmapped ${v}`).toBe(true);
      expect(unmapped.get(54)!.figure.text).toMatch(/^54 công dân đang lao động bất/);
      expect(unmapped.get(442)!.sentence.text).toMatch(/442 phụ nữ hiện đang sinh sống tại Trung Quốc/);
      expect(unmapped.get(68)!.sentence.text).toMatch(/^68 phụ nữ lấy chồng các nước khác/);
      for (const u of x.unmapped) expect(at(source.raw, u.sentence.start, u.sentence.end)).toBe(u.sentence.text);
    },
  );

  it('proposes nothing from dates, document numbers, the years 1989–2012 or the magazine count', () => {
    const values = new Set(x.mentions.map((m) => m.value));
    for (const v of [
      1989, 2012, 2016, 2018, 2019, 2020, 2025, 2030, 1070, 1250, 197, 793, 138, 46, 48, 17, 13, 1200, 3, 22,
    ])
      expect(values.has(v), String(v)).toBe(false);
    const set = (reason: string) => x.ignored.filter((i) => i.reason === reason).map((i) => i.text);
    expect(set('document number or code')).toEqual(
      expect.arrayContaining([
        '1070/BC-BCĐ-CQTT',
        '1250/BCĐ-CQTT',
        '138/CP',
        '197/KH-BCĐ-CQTT',
        '793/KH-BCĐ-CQTT',
        '05-KL/TW',
        '48-CT/TW',
      ]),
    );
    expect(set('date')).toEqual(expect.arrayContaining(['13/5/2016', '03/6/2019', '22/6/2015']));
    expect(set('year')).toEqual(expect.arrayContaining(['1989', '2012', '2016-2025', '2030']));
    expect(set('name with a number')).toEqual(expect.arrayContaining(['138']));
    // The magazine: two issues, nearly 1,200 copies; neither is a leaflet, a news item or anything of the catalogue.
    const magazine = x.unmapped.filter((u) => /tạp chí/.test(u.sentence.text));
    expect(magazine.map((u) => [u.value, u.bound])).toEqual([
      [2, 'exact'],
      [1200, 'nearly'],
    ]);
  });

  it("adds the figures of different agencies up to the unit's figure (flows), with every citation in source_note", () => {
    const row = (ind: string) => x.proposals.find((p) => p.indicator === ind)!;
    expect(row('leaflets_distributed')).toMatchObject({
      value: 13500,
      bound: 'lower',
      period: '2019S1',
      unit_code: '34',
      submitted_on: '2019-06-17',
    });
    expect(row('outreach_participants')).toMatchObject({ value: 3550, bound: 'lower' });
    expect(row('outreach_sessions')).toMatchObject({ value: 13, bound: 'exact' });
    expect(row('media_items').value).toBe(36);
    expect(row('cases_initiated').value).toBe(0);
    const note = row('leaflets_distributed').source_note;
    expect(note).toMatch(
      /^extracted from 003_18fdae042a0bf823\.txt, confidence 0\.\d\d, lower bound, sum of 2: \[1\] "12\.500 tờ rơi" in chars \d+–\d+: «tổ chức in ấn/,
    );
    expect(note).toContain('[2] "hơn 1.000 tờ rơi"');
    expect(note).not.toMatch(/\n/);
  });

  it('writes the proposal as a report file of the contract, one row per indicator', () => {
    const csv = proposalCsv(x);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('unit_code,period,indicator,value,sex,age_group,submitted_on,source_note');
    expect(lines).toHaveLength(1 + 12);
    expect(lines[1]).toMatch(/^34,2019S1,cases_initiated,0,,,2019-06-17,"extracted from/);
  });

  it('finds the period in the title and the date in the header', () => {
    expect(x.periodInText).toBe('2019S1');
    expect(x.submittedOn).toBe('2019-06-17');
    const inferred = extractReport(source, { unit: '34', rules, today: '2026-01-01' });
    expect(inferred.period).toBe('2019S1');
    const other = extractReport(source, { unit: '34', period: '2019', rules, today: '2026-01-01' });
    expect(other.warnings).toEqual(["the report's title says 2019S1, but --period is 2019: check the period"]);
    // A document dated after "today" gives no submission date: the loader would reject a future one.
    expect(extractReport(source, { unit: '34', period: '2019S1', rules, today: '2019-06-01' }).submittedOn).toBeNull();
  });

  it('reads the same from NFD text, and from text whose lines a PDF copy broke', () => {
    const nfd = extractReport(
      { name: 'nfd.txt', raw: source.raw.normalize('NFD') },
      { unit: '34', period: '2019S1', rules },
    );
    const strip = (r: ReportExtraction) => r.proposals.map((p) => [p.indicator, p.value, p.bound]);
    expect(strip(nfd)).toEqual(strip(x));
    // Offsets still point into the NFD source: a figure's slice, composed, is its text.
    for (const m of nfd.mentions)
      expect(at(source.raw.normalize('NFD'), m.figure.start, m.figure.end)).toBe(m.figure.text);
    // Hard-wrapped at 70 columns, with CRLF line ends and a page number between blank lines.
    const wrapped = source.raw
      .split('\n\n')
      .map((para) => para.replace(/(.{1,70})(\s|$)/g, '$1\n').trimEnd())
      .join('\n\nTrang 3/5\n\n')
      .replace(/\n/g, '\r\n');
    const pdf = extractReport({ name: 'pdf.txt', raw: wrapped }, { unit: '34', period: '2019S1', rules });
    expect(strip(pdf)).toEqual(strip(x));
    // A sentence across a page break spans the page number in the source; the citation's text leaves it out.
    for (const m of pdf.mentions)
      expect(at(wrapped, m.sentence.start, m.sentence.end).replace(/ Trang 3\/5 /g, ' ')).toBe(m.sentence.text);
  });
});

describe('Vietnamese numbers', () => {
  const scan = (text: string) => {
    const doc = toDoc({ name: 't', raw: text });
    return scanClause(doc, { start: 0, end: doc.text.length }, rules.classes);
  };
  const values = (text: string) => scan(text).figures.map((f) => [f.value, f.bound]);

  it('reads thousands separators, leading zeros and qualifiers', () => {
    expect(values('cấp phát 12.500 tờ rơi')).toEqual([[12500, 'exact']]);
    expect(values('phát 1.200 tờ')).toEqual([[1200, 'exact']]);
    expect(values('tổ chức 02 lớp')).toEqual([[2, 'exact']]);
    expect(values('cho hơn 800 người')).toEqual([[800, 'lower']]);
    expect(values('cho trên 1.500 lượt người')).toEqual([[1500, 'lower']]);
    expect(values('với gần 1.200 cuốn')).toEqual([[1200, 'nearly']]);
    expect(values('khoảng 40 tin')).toEqual([[40, 'approx']]);
    expect(values('không quá 50 người')).toEqual([[50, 'upper']]);
    expect(values('hon 300 nguoi')).toEqual([[300, 'lower']]);
    const comma = scan('phát 12,500 tờ rơi').figures[0];
    expect([comma.value, comma.notes[0]]).toEqual([12500, 'ambiguous separator: "," is a decimal point in Vietnamese']);
  });

  it('reads number words, and zero statements', () => {
    const w = (s: string, plain = false) => parseNumberWords(s.split(' '), plain).value;
    expect(w('hai')).toBe(2);
    expect(w('mười')).toBe(10);
    expect(w('mười lăm')).toBe(15);
    expect(w('hai mươi mốt')).toBe(21);
    expect(w('ba mươi tư')).toBe(34);
    expect(w('một trăm linh năm')).toBe(105);
    expect(w('một nghìn hai trăm')).toBe(1200);
    expect(w('hai nghìn năm trăm')).toBe(2500);
    expect(w('ba triệu')).toBe(3_000_000);
    expect(w('hai muoi lam', true)).toBe(25);
    expect(w('muoi', true)).toBe(10);
    expect(parseNumberWords(['mươi'], false).used).toBe(0); // not a number alone
    expect(parseNumberWords(['lăm'], false).used).toBe(0);
    expect(values('tổ chức mười hai buổi')).toEqual([[12, 'exact']]);
    expect(values('năm 2019')).toEqual([]); // a year, not five
    const zero = scan('trên địa bàn chưa phát hiện, xử lý vụ án mua bán người nào.').figures;
    expect(zero.map((f) => [f.kind, f.value])).toEqual([['zero', 0]]);
    expect(scan('không có nạn nhân trở về').figures.map((f) => [f.kind, f.value])).toEqual([['zero', 0]]);
    // "không" that does not state a zero
    expect(scan('không để xảy ra oan sai, bỏ lọt tội phạm').figures).toEqual([]);
    expect(scan('người chưa thành niên vi phạm pháp luật').figures).toEqual([]);
  });

  it('sets aside what is not a count, with the reason', () => {
    const reasons = (text: string) => scan(text).ignored.map((i) => [i.text, i.reason]);
    expect(reasons('theo Quyết định số 793/QĐ-TTg ngày 10/5/2016')).toEqual([
      ['793/QĐ-TTg', 'document number or code'],
      ['10/5/2016', 'date'],
    ]);
    expect(reasons('Ngày toàn dân phòng, chống mua bán người - 30/7')).toEqual([['30/7', 'date']]);
    expect(reasons('giai đoạn 1989 - 2012')).toEqual([
      ['1989', 'year'],
      ['2012', 'year'],
    ]);
    expect(reasons('trong 6 tháng đầu năm 2019')).toEqual([
      ['6', 'duration'],
      ['2019', 'year'],
    ]);
    expect(reasons('Chỉ thị số 46 ngày 22/6/2015')).toEqual([
      ['46', 'document number or code'],
      ['22/6/2015', 'date'],
    ]);
    expect(reasons('Ban chỉ đạo 138 tỉnh; Tổng đài 111')).toEqual([
      ['138', 'name with a number'],
      ['111', 'name with a number'],
    ]);
    expect(reasons('đạt 83,3% và 100%')).toEqual([
      ['83,3', 'percentage'],
      ['100', 'percentage'],
    ]);
    expect(reasons('mô hình "03 không, 03 có"')).toEqual([
      ['03', 'inside a quoted name'],
      ['03', 'inside a quoted name'],
    ]);
    expect(reasons('đường dây nóng 0219.3866.113, lúc 19h30')).toEqual([
      ['0219.3866.113', 'phone number, time or numbering'],
      ['19h30', 'document number or code'],
    ]);
    expect(reasons('dài 277,5 km')).toEqual([['277,5', 'decimal']]);
    expect(reasons('trẻ em dưới 16 tuổi')).toEqual([['16', 'age']]);
  });

  it(
    'a text without diacritics reads its numbers and rules the same; "nam" is a man there only where it cannot be ' +
      'a year',
    () => {
      const plain = toDoc({ name: 'p', raw: 'to chuc 4 buoi tuyen truyen cho 320 luot nguoi' });
      expect(plain.plain).toBe(true);
      expect(toDoc({ name: 'v', raw: 'tổ chức 4 buổi tuyên truyền cho 320 lượt người' }).plain).toBe(false);
      const a = extractReport(
        { name: 'p.txt', raw: 'Trong nam, to chuc hai lop tap huan cho 45 can bo; phat 500 to roi.' },
        { unit: '07510', period: '2023', rules },
      );
      expect(a.proposals.map((p) => [p.indicator, p.value])).toEqual([
        ['leaflets_distributed', 500],
        ['trainings_held', 2],
        ['training_participants', 45],
      ]);
    },
  );
});

describe('combining the figures of an indicator', () => {
  const text = (raw: string) => extractReport({ name: 't.txt', raw }, { unit: '213', period: '2024', rules });
  it('a stated total stands for the unit: the parts are set aside, not added', () => {
    const r = text(
      'Toàn huyện tổ chức tổng cộng 36 buổi tuyên truyền cho 4.250 lượt người.\n\n- Công an huyện tổ chức 20 buổi ' +
        'tuyên truyền cho 2.600 lượt người.\n\n- Hội Phụ nữ huyện tổ chức 16 buổi tuyên truyền cho 1.650 lượt ' +
        'người.',
    );
    const rows = Object.fromEntries(r.proposals.map((p) => [p.indicator, p]));
    expect(rows.outreach_sessions.value).toBe(36);
    expect(rows.outreach_sessions.setAside.map((m) => m.value)).toEqual([20, 16]);
    expect(rows.outreach_participants.value).toBe(4250);
  });
  it('stocks do not add up across agencies: the largest is proposed, at a lower confidence', () => {
    const r = text(
      '- Công an huyện đang quản lý 15 đối tượng nghi vấn.\n\n- Đồn Biên phòng quản lý 9 đối tượng có tiền án.',
    );
    expect(r.proposals.map((p) => [p.indicator, p.value])).toEqual([['suspects_monitored', 15]]);
    expect(r.proposals[0].confidence).toBeLessThan(0.85);
  });
  it('a zero statement and a figure for the same indicator: the figure, flagged as a contradiction', () => {
    const [row] = combine(
      text('Khởi tố 02 vụ án mua bán người. Trên địa bàn chưa phát hiện vụ án mua bán người nào.').mentions,
    );
    expect([row.indicator, row.value, row.confidence]).toEqual(['cases_initiated', 2, 0.5]);
    expect(row.notes).toContain('contradiction: a zero statement and figures for the same indicator');
  });
  it('parts of a victims figure become rows by sex and age group', () => {
    const r = text('Tiếp nhận 03 nạn nhân bị mua bán trở về (02 nữ, 01 trẻ em).');
    expect(r.proposals.map((p) => [p.indicator, p.sex, p.age_group, p.value])).toEqual([
      ['victims_returned', null, null, 3],
      ['victims_returned', 'female', null, 2],
      ['victims_returned', null, 'child', 1],
    ]);
    expect(proposalCsv(r).split('\n')[2]).toMatch(/^213,2024,victims_returned,2,female,,,/);
  });
});

describe('the rules live in data', () => {
  const dir = () => tempDir('pcmbn-rules-');

  it('an analyst adds a phrase in a table of their own, and the figure maps; no code changes', () => {
    const text = 'Hội Nông dân tổ chức 4 buổi tuyên truyền; treo 35 băng rôn, khẩu hiệu tại các xã.';
    const before = extractReport({ name: 't.txt', raw: text }, { unit: '213', period: '2024', rules });
    expect(before.unmapped.map((u) => u.value)).toEqual([35]);
    const extra = writeFile(
      dir(),
      'mine.csv',
      'indicator,noun,confidence\nleaflets_distributed,băng rôn|băng-rôn|pano|áp phích,0.7\n',
    );
    const after = extractReport(
      { name: 't.txt', raw: text },
      { unit: '213', period: '2024', rules: loadRules([extra, DEFAULT_RULES]) },
    );
    expect(after.unmapped).toEqual([]);
    const m = after.mentions.find((x) => x.value === 35)!;
    expect([m.indicator, m.rule, m.confidence]).toEqual(['leaflets_distributed', `${extra}:2`, 0.7]);
  });

  it('a table with a mistake is refused with its file, line, column and what was expected', () => {
    const d = dir();
    const bad = (name: string, body: string) => () => loadRules([writeFile(d, name, body)]);
    expect(bad('a.csv', 'indicator,noun\nleaflet_distributed,tờ rơi\n')).toThrow(
      /a\.csv:2:1 \(indicator\): unknown indicator "leaflet_distributed" \(did you mean leaflets_distributed\?\)/,
    );
    expect(bad('b.csv', 'indicator,noun\ncase_clearance_rate,vụ án\n')).toThrow(
      /b\.csv:2:1 \(indicator\): "case_clearance_rate" is a ratio; expected a count/,
    );
    expect(bad('c.csv', 'indicator,noun\nmedia_items,{newsitems}\n')).toThrow(
      /c\.csv:2:2 \(noun\): unknown word class \{newsitems\}/,
    );
    expect(bad('d.csv', 'indicator,noun,confidence\nmedia_items,tin bài,1.5\n')).toThrow(
      /d\.csv:2:3 \(confidence\): "1\.5" is not a confidence/,
    );
    expect(bad('e.csv', 'indicator,nouns\nmedia_items,tin\n')).toThrow(/e\.csv:1:2: unknown column "nouns"/);
    expect(bad('f.csv', 'indicator,noun,follows\ntraining_participants,người,training_held\n')).toThrow(
      /f\.csv:2:3 \(follows\): unknown count indicator "training_held" \(did you mean trainings_held\?\)/,
    );
  });

  it('the tables shipped are valid, and every rule names indicators of the catalogue', () => {
    const set = loadRules([DEFAULT_RULES], DEFAULT_WORDS);
    expect(set.rules.length).toBeGreaterThan(30);
    expect(set.parts.map((p) => p.sex ?? p.age_group)).toEqual(['female', 'male', 'child', 'adult']);
  });
});

describe('reading sources', () => {
  it(
    '.txt in UTF-8 or UTF-16 with a BOM, .md; a legacy code page and an unknown type are refused with a clear ' +
      'message',
    async () => {
      const d = tempDir('pcmbn-src-');
      const text = 'Tổ chức 05 buổi tuyên truyền.';
      const utf16 = writeFile(d, 'r16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      expect((await readSource(utf16)).raw).toBe(text);
      const bom = writeFile(
        d,
        'bom.md',
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`# Báo cáo\n\n**${text}**`)]),
      );
      const r = extractReport(await readSource(bom, 'bom.md'), { unit: '213', period: '2024', rules });
      expect(r.proposals.map((p) => [p.indicator, p.value])).toEqual([['outreach_sessions', 5]]);
      expect(at((await readSource(bom)).raw, r.mentions[0].figure.start, r.mentions[0].figure.end)).toBe(
        '05 buổi tuyên truyền',
      );
      const legacy = writeFile(d, 'old.txt', Buffer.from([0x54, 0xf4, 0x20, 0x63, 0x68, 0xf7, 0x63]));
      await expect(readSource(legacy, 'old.txt')).rejects.toThrow(/old\.txt:1:2: byte 0xF4 is not valid UTF-8/);
      await expect(readSource(writeFile(d, 'r.pdf', 'x'), 'r.pdf')).rejects.toThrow(ExtractError);
      await expect(readSource(writeFile(d, 'r.pdf', 'x'), 'r.pdf')).rejects.toThrow(
        /unsupported file type "\.pdf"; expected \.txt, \.md or \.docx/,
      );
    },
  );

  it('.docx: the text of a Word document (generated here with the docx package), its offsets into that text', async () => {
    const { Document, Packer, Paragraph, TextRun } = await import('docx');
    const paragraphs = [
      'BÁO CÁO',
      'Kết quả công tác phòng, chống mua bán người quý I năm 2024',
      '- Công an huyện tổ chức 06 buổi tuyên truyền cho hơn 540 lượt người; cấp phát 1.500 tờ rơi.',
      'Trong quý, chưa tiếp nhận nạn nhân bị mua bán nào trở về.',
    ];
    const docx = new Document({
      sections: [{ children: paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })) }],
    });
    const file = writeFile(tempDir('pcmbn-docx-'), 'report.docx', await Packer.toBuffer(docx));
    const src = await readSource(file, 'report.docx');
    expect(src.raw).toContain(paragraphs[2]);
    const r = extractReport(src, { unit: '213', rules });
    expect(r.period).toBe('2024Q1');
    expect(r.proposals.map((p) => [p.indicator, p.value, p.bound])).toEqual([
      ['victims_returned', 0, 'exact'],
      ['outreach_sessions', 6, 'exact'],
      ['outreach_participants', 540, 'lower'],
      ['leaflets_distributed', 1500, 'exact'],
    ]);
    for (const m of r.mentions) expect(sourceSlice(toDoc(src), m.figure)).toBe(m.figure.text);
  });

  it('refuses a unit code or a period that is not one, before reading any figure', () => {
    const s = { name: 't.txt', raw: 'Tổ chức 05 buổi tuyên truyền.' };
    expect(() => extractReport(s, { unit: 'Thái Bình', period: '2019S1', rules })).toThrow(
      /--unit "Thái Bình" is not a unit code/,
    );
    expect(() => extractReport(s, { unit: '34', period: '2019S3', rules })).toThrow(
      /--period: "2019S3" is not a period/,
    );
    expect(() => extractReport(s, { unit: '34', rules })).toThrow(/does not say which period it covers; give --period/);
  });
});

// Keep the fixture folder honest: every report has its answer key.
describe('fixtures', () => {
  it('each hand-written report has an expected answer', () => {
    const dir = path.join(path.dirname(new URL(import.meta.url).pathname), '../fixtures/extract');
    for (const set of SETS) {
      const files = fs.readdirSync(path.join(dir, set));
      for (const f of files.filter((n) => /\.(txt|md)$/.test(n)))
        expect(files).toContain(f.replace(/\.(txt|md)$/, '.expected.json'));
    }
  });
});
