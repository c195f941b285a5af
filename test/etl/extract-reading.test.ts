/**
 * The pure cores of prose extraction, without a document or a warehouse: how numbers are written and read back,
 * what is set aside, the text helpers that cut a document into paragraphs and cells, and where a rule table's
 * error is located. Milliseconds each; the seeded documents are in extract.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { scanClause, writeCount, writePercent } from '../../etl/extract/numbers.ts';
import { DEFAULT_WORDS, loadRules, loadTargetRules } from '../../etl/extract/rules.ts';
import { agencyOf, fold, isTableRow, joinsLines, toDoc } from '../../etl/extract/text.ts';

const rules = loadRules();

function scan(text: string) {
  const doc = toDoc({ name: 't', raw: text });
  return scanClause(doc, { start: 0, end: doc.text.length }, rules.classes);
}

describe('counts as reports write them', () => {
  it('writeCount is read back by scanClause as the same exact count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (n) => {
        const figures = scan(`cấp phát ${writeCount(n)} tờ rơi`).figures;
        expect(figures.map((f) => [f.kind, f.value, f.bound, f.unlessMapped])).toEqual([['digits', n, 'exact', null]]);
      }),
      { numRuns: 300 },
    );
  });

  it('a percentage as writePercent writes it is never read as a count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), (tenths) => {
        const s = scan(`tỷ lệ đạt ${writePercent(tenths / 10)} kế hoạch`);
        expect(s.figures).toEqual([]);
        expect(s.ignored.map((i) => i.reason)).toEqual([tenths % 10 === 0 ? 'percentage' : 'decimal']);
      }),
      { numRuns: 200 },
    );
  });

  it('an age is not a count, in digits or in words', () => {
    expect(scan('trẻ em dưới 16 tuổi').figures).toEqual([]);
    expect(scan('cháu mười lăm tuổi').figures).toEqual([]);
    expect(scan('mười lăm người').figures.map((f) => [f.kind, f.value])).toEqual([['words', 15]]);
  });

  it('a number after a kind of document is its number; after a body or a line, part of a name', () => {
    const reasons = (text: string) => scan(text).ignored.map((i) => [i.text, i.reason]);
    expect(reasons('theo Kế hoạch 04 của tỉnh')).toEqual([['04', 'document number or code']]);
    expect(reasons('thực hiện Nghị quyết số 12')).toEqual([['12', 'document number or code']]);
    expect(reasons('gọi Tổng đài 111')).toEqual([['111', 'name with a number']]);
    expect(reasons('thôn 5 xã Tân Yên')).toEqual([['5', 'name with a number']]);
    // "tổng số" is a total, not a document's number.
    expect(scan('tổng số: 12 vụ').figures.map((f) => f.value)).toEqual([12]);
  });
});

describe('the text helpers', () => {
  it('fold lowers case and drops diacritics, one UTF-16 unit for each', () => {
    expect(fold('Đồng Nai')).toBe('dong nai');
    expect(fold('MUA BÁN NGƯỜI')).toBe('mua ban nguoi');
    const letters = [
      ...'aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÀ 1,',
    ];
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...letters) }), (s) => {
        const f = fold(s);
        expect(f.length).toBe(s.normalize('NFC').length);
        expect(f).toBe(f.toLowerCase());
        expect(fold(f)).toBe(f);
      }),
      { numRuns: 300 },
    );
  });

  it('joinsLines joins a line a PDF broke, never a bullet or a line after a full stop or a colon', () => {
    expect(joinsLines('các cơ quan chức năng đã tạo thuận', 'lợi cho nạn nhân trở về', 1)).toBe(true);
    expect(joinsLines('Công an tỉnh đã phối hợp với Bộ đội Biên phòng tỉnh và', 'Sở Lao động tổ chức', 0)).toBe(true);
    expect(joinsLines('Kết quả cụ thể:', 'tổ chức 12 buổi', 0)).toBe(false);
    expect(joinsLines('đã tổ chức 12 buổi.', 'Tiếp nhận 15 tin báo', 0)).toBe(false);
    expect(joinsLines('đã tổ chức 12 buổi', '- Tiếp nhận 15 tin báo', 0)).toBe(false);
    expect(joinsLines('đã tổ chức 12 buổi', '2. Công tác đấu tranh', 0)).toBe(false);
  });

  it('isTableRow takes two cells or more, between tabs or bars', () => {
    expect(isTableRow('Tiếp nhận tố giác, tin báo: 15 | Phân loại: 15')).toBe(true);
    expect(isTableRow('| Số vụ | 12 |')).toBe(true);
    expect(isTableRow('Số vụ\t12')).toBe(true);
    expect(isTableRow('| Số vụ |')).toBe(false);
    expect(isTableRow('Đã tổ chức 12 buổi tuyên truyền.')).toBe(false);
  });

  it('agencyOf names the agency a statement starts with, up to its first verb', () => {
    expect(agencyOf('Công an tỉnh đã tiếp nhận 15 tin báo')).toBe('Công an tỉnh');
    expect(agencyOf('Sở Thông tin và Truyền thông phối hợp tổ chức 3 buổi')).toBe('Sở Thông tin và Truyền thông');
    expect(agencyOf('Trong kỳ đã tiếp nhận 15 tin báo')).toBeNull();
  });
});

describe('rule tables', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcmbn-extract-rules-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const targets = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return () => loadTargetRules([file], DEFAULT_WORDS);
  };

  it('a target rule table error names the file, line, column and what was expected', () => {
    expect(targets('a.csv', 'indicator,text,confidence\ncase_clearance_rate,phá án,1.5\n')).toThrow(
      /a\.csv:2:3 \(confidence\): "1\.5" is not a confidence; expected a number above 0 and at most 1/,
    );
    expect(targets('b.csv', 'indicator,text\ncases_solved,phá án\n')).toThrow(
      /b\.csv:2:1 \(indicator\): "cases_solved" is a count; expected a ratio \(plans set targets for ratios\)/,
    );
    expect(targets('c.csv', 'indicator,text\ncase_clearance_rate,phá án\n')().map((r) => r.indicators)).toEqual([
      ['case_clearance_rate'],
    ]);
  });
});
