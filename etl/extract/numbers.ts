/**
 * Vietnamese numbers as reports write them, found in a clause of a document:
 * - digits with `.` between thousands (`12.500` = 12500, `1.200` = 1200) and leading zeros (`02` = 2, `09` = 9);
 *   `12,500` is read as 12500 but flagged (a Vietnamese `,` is a decimal point, so `1,5` is not a count);
 * - qualifiers: `hơn 800`, `trên 800`, `ít nhất 800` (lower bounds), `gần 1.200` (nearly), `khoảng 300` (about),
 *   `dưới 50`, `không quá 50` (upper bounds);
 * - number words: `hai`, `mười`, `mười lăm`, `hai mươi mốt`, `một trăm linh năm`, `hai nghìn năm trăm`;
 * - zero statements: `chưa phát hiện … vụ án … nào`, `không có nạn nhân …`: a zero about what they name.
 *
 * What is not a count is set aside with the reason: dates (`17/6/2019`, `30/7`, `ngày 17 tháng 6`), durations
 * (`6 tháng`), years (`năm 2019`, `2016-2025`, `1989 - 2012`), document numbers and codes (`793/QĐ-TTg`,
 * `05-KL/TW`, `Chỉ thị số 46`, `V01`), names with numbers (`Ban Chỉ đạo 138`, `Tổng đài 111`, `"03 không, 03 có"`),
 * percentages, decimals, phone numbers and numbering (`1.1.`).
 */
import { SEP, type WordClasses } from './rules.ts';
import { type Doc, fold, type Span } from './text.ts';

export type Bound = 'exact' | 'lower' | 'upper' | 'approx' | 'nearly';

export interface Figure {
  kind: 'digits' | 'words' | 'zero';
  value: number;
  /** The number as written (for zero: the statement from "chưa"/"không" to "nào"). */
  start: number;
  end: number;
  /** Where the figure starts with its qualifier ("hơn 750"). */
  from: number;
  bound: Bound;
  qualifier: string | null;
  /** Why the figure is less certain: `ambiguous separator`, `number words`, `zero without "nào"`. */
  notes: string[];
  /**
   * Not a count unless a rule says what it counts: a bare four-digit number from 1900 to 2100 is a year, and
   * `08/09` a date, unless a counted thing follows ("08/09 vụ": 8 of 9 cases).
   */
  unlessMapped: IgnoreReason | null;
  /** A part of a whole ("01/01 mô hình", "12/12 phường, xã"): the whole. */
  of?: number;
  /** Zero statements: where the counted thing is named, between the verb and "nào". */
  about?: Span;
}

export type IgnoreReason =
  | 'date'
  | 'duration'
  | 'year'
  | 'document number or code'
  | 'name with a number'
  | 'percentage'
  | 'decimal'
  | 'range'
  | 'phone number, time or numbering'
  | 'inside a quoted name'
  | 'age';

export interface Ignored {
  start: number;
  end: number;
  text: string;
  reason: IgnoreReason;
}

/** Words of the language of numbers and dates, in both spellings (with diacritics, and folded). */
interface Lexicon {
  dateAfter: RegExp;
  dateBefore: RegExp;
  nameBefore: RegExp;
  documentBefore: RegExp;
  yearBefore: RegExp;
  qualifier: RegExp;
  zero: RegExp;
  zeroBare: RegExp;
  nao: RegExp;
}

const BOUNDS: [Bound, string[]][] = [
  ['lower', ['hơn', 'trên', 'ít nhất', 'tối thiểu', 'không dưới', 'vượt', 'hơn cả', 'có hơn']],
  ['nearly', ['gần', 'xấp xỉ', 'gần như']],
  ['approx', ['khoảng', 'chừng', 'ước', 'ước tính', 'trên dưới', 'khoảng chừng', 'độ']],
  ['upper', ['dưới', 'chưa đến', 'chưa tới', 'không quá', 'tối đa']],
];

const DATE_AFTER = ['tháng', 'năm', 'ngày', 'giờ', 'phút', 'tuần', 'quý', 'h'];
const DATE_BEFORE = [
  'ngày',
  'tháng',
  'năm',
  'quý',
  'lần thứ',
  'khóa',
  'khoá',
  'điều',
  'khoản',
  'mục',
  'chương',
  'phần',
  'điểm',
  'giai đoạn',
  'thứ',
  'kỳ',
  'đợt',
  'niên khóa',
];
/** Kinds of document: a number after one is the document's number (`Chỉ thị số 46`). */
const DOCUMENTS = [
  'chỉ thị',
  'quyết định',
  'kế hoạch',
  'công văn',
  'nghị định',
  'nghị quyết',
  'thông tư',
  'luật',
  'báo cáo',
  'kết luận',
  'quy chế',
  'đề án',
  'hướng dẫn',
  'thông báo',
  'tờ trình',
  'văn bản',
  'hiệp định',
];
/** Words after which a number is part of a name: the documents, then bodies, lines, places and numbering. */
const NAME_BEFORE = [
  ...DOCUMENTS,
  'ban chỉ đạo',
  'bcđ',
  'bcđ 138/cp',
  'tổng đài',
  'đường dây nóng',
  'điện thoại',
  'đt',
  'fax',
  'số điện thoại',
  'tổ',
  'khu phố',
  'ấp',
  'thôn',
  'xóm',
  'tổ dân phố',
  'quốc lộ',
  'tỉnh lộ',
  'đường',
  'phường',
  'quận',
  'phòng',
  'số nhà',
  'kênh',
  'chương trình số',
  'mốc',
  'km',
  'lô',
  'khu',
  'cột mốc',
  'số',
];
const YEAR_BEFORE = [
  'năm',
  'giai đoạn',
  'từ',
  'đến',
  'tới',
  'niên độ',
  'khóa',
  'khoá',
  'từ năm',
  'đến năm',
  'cuối năm',
  'đầu năm',
];

/** A regex alternation of words: folded for a text without diacritics, else with them (`năm` is not `nam`). */
function alternation(words: readonly string[], plain: boolean): string {
  const forms = new Set(words.map((w) => (plain ? fold(w) : w.toLowerCase())));
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+'))
    .join('|');
}

const lexicons = new Map<string, Lexicon>();

/**
 * The lexicon for a document: a text with diacritics is matched on its lower-case form with diacritics, so that
 * `nam` (male) is not `năm` (year); a text written without them on its folded form.
 */
export function lexicon(plain: boolean, classes: WordClasses): Lexicon {
  const key = `${plain}|${(classes.get('zero_verbs') ?? []).join('|')}|${(classes.get('zero_verbs_bare') ?? []).join('|')}`;
  let l = lexicons.get(key);
  if (l) return l;
  const w = (words: readonly string[]) => alternation(words, plain);
  const verbs = (name: string) =>
    (classes.get(name) ?? [])
      .map((p) =>
        p
          .split(/[\s,/]+/)
          .map((x) => alternation([x], plain))
          .join(SEP),
      )
      .join('|');
  const zeroVerbs = verbs('zero_verbs') || 'có';
  const zeroBare = verbs('zero_verbs_bare') || 'có';
  l = {
    dateAfter: new RegExp(`^\\s*(?:${w(DATE_AFTER)})(?![\\p{L}\\p{N}])`, 'u'),
    dateBefore: new RegExp(`(?<![\\p{L}])(?:${w(DATE_BEFORE)})\\s*$`, 'u'),
    nameBefore: new RegExp(`(?<![\\p{L}])(?:${w(NAME_BEFORE)})\\s*(?:${w(['số'])})?\\s*:?\\s*$`, 'u'),
    documentBefore: new RegExp(
      `(?:(?<![\\p{L}])(?:${w(DOCUMENTS)})\\s*(?:${w(['số'])})?|^\\s*(?:${w(['số'])})|[^\\p{L}](?:${w(['số'])}))\\s*:?\\s*$`,
      'u',
    ),
    yearBefore: new RegExp(`(?<![\\p{L}])(?:${w(YEAR_BEFORE)})\\s*$`, 'u'),
    qualifier: new RegExp(`(?<![\\p{L}])(${BOUNDS.map(([, words]) => w(words)).join('|')})\\s+$`, 'u'),
    zero: new RegExp(
      `(?<![\\p{L}])(?:${w(['chưa', 'không', 'chưa hề', 'không hề'])})\\s+(?:${w(['được'])}\\s+)?(?:${zeroVerbs})(?![\\p{L}])`,
      'gu',
    ),
    zeroBare: new RegExp(`^(?:${zeroBare})$`, 'u'),
    nao: new RegExp(`(?<![\\p{L}])(?:${w(['nào'])})(?![\\p{L}])`, 'u'),
  };
  lexicons.set(key, l);
  return l;
}

function boundOf(q: string, plain: boolean): Bound {
  const f = fold(q).replace(/\s+/g, ' ');
  const exact = q.toLowerCase().replace(/\s+/g, ' ');
  for (const [bound, words] of BOUNDS) {
    if (plain ? words.some((x) => fold(x) === f) : words.some((x) => x === exact)) return bound;
  }
  for (const [bound, words] of BOUNDS) if (words.some((x) => fold(x) === f)) return bound;
  return 'exact';
}

/** Number words: value, and whether the word may start a number (`mươi`, `trăm` alone do not). */
const WORDS: Record<
  string,
  {
    v: number;
    role: 'digit' | 'ten' | 'tens' | 'hundred' | 'thousand' | 'million' | 'filler' | 'dozen';
    compoundOnly?: boolean;
  }
> = {
  một: { v: 1, role: 'digit' },
  mốt: { v: 1, role: 'digit', compoundOnly: true },
  hai: { v: 2, role: 'digit' },
  ba: { v: 3, role: 'digit' },
  bốn: { v: 4, role: 'digit' },
  tư: { v: 4, role: 'digit', compoundOnly: true },
  năm: { v: 5, role: 'digit' },
  lăm: { v: 5, role: 'digit', compoundOnly: true },
  nhăm: { v: 5, role: 'digit', compoundOnly: true },
  sáu: { v: 6, role: 'digit' },
  bảy: { v: 7, role: 'digit' },
  bẩy: { v: 7, role: 'digit' },
  tám: { v: 8, role: 'digit' },
  chín: { v: 9, role: 'digit' },
  mười: { v: 10, role: 'ten' },
  mươi: { v: 10, role: 'tens', compoundOnly: true },
  trăm: { v: 100, role: 'hundred', compoundOnly: true },
  nghìn: { v: 1000, role: 'thousand', compoundOnly: true },
  ngàn: { v: 1000, role: 'thousand', compoundOnly: true },
  triệu: { v: 1e6, role: 'million', compoundOnly: true },
  linh: { v: 0, role: 'filler', compoundOnly: true },
  lẻ: { v: 0, role: 'filler', compoundOnly: true },
  chục: { v: 10, role: 'dozen', compoundOnly: true },
};
/** Folded spellings, for text without diacritics. `sau` (after) and `tu` (from) are left out: too common. */
const PLAIN_WORDS = new Map<string, (typeof WORDS)[string]>();
for (const [word, def] of Object.entries(WORDS)) {
  const f = fold(word);
  if (f === 'sau' || f === 'tu') continue;
  if (f === 'muoi') PLAIN_WORDS.set(f, { v: 10, role: 'ten' });
  else if (!PLAIN_WORDS.has(f)) PLAIN_WORDS.set(f, def);
}

/** Reads a run of number words; returns the value and how many words it used (0: not a number). */
export function parseNumberWords(words: string[], plain: boolean): { value: number; used: number } {
  const table = (w: string) => (plain ? PLAIN_WORDS.get(fold(w)) : WORDS[w.toLowerCase()]);
  let total = 0;
  let group = 0;
  let pending: number | null = null;
  let used = 0;
  let afterTens = false;
  for (const word of words) {
    const d = table(word);
    if (!d || (used === 0 && d.compoundOnly)) break;
    if (d.role === 'digit') {
      // mốt, tư, lăm come only after mươi or mười ("hai mươi mốt", "mười lăm")
      if (pending !== null || (d.compoundOnly && !afterTens)) break;
      pending = d.v;
      afterTens = false;
    } else if (d.role === 'ten') {
      // `muoi` without diacritics: tens after a digit ("hai muoi" = 20), ten otherwise
      if (pending !== null && !plain) break;
      group += pending !== null ? pending * 10 : 10;
      pending = null;
      afterTens = true;
    } else if (d.role === 'tens' || d.role === 'dozen') {
      group += (pending ?? 1) * 10;
      pending = null;
      afterTens = d.role === 'tens';
    } else if (d.role === 'hundred') {
      group += (pending ?? 1) * 100;
      pending = null;
      afterTens = false;
    } else if (d.role === 'thousand' || d.role === 'million') {
      total += (group + (pending ?? 0) || 1) * d.v;
      group = 0;
      pending = null;
      afterTens = false;
    }
    used++;
  }
  return used ? { value: total + group + (pending ?? 0), used } : { value: 0, used: 0 };
}

/** Straight and curly quotes that enclose a short name (no `;`, under 100 characters): numbers inside are names. */
function quotedNames(text: string, clause: Span): Span[] {
  const out: Span[] = [];
  const s = text.slice(clause.start, clause.end);
  const re = /"([^"]{1,100})"|“([^”]{1,100})”|'([^']{1,60})'/g;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (!m[0].includes(';')) out.push({ start: clause.start + m.index, end: clause.start + m.index + m[0].length });
  }
  return out;
}

export interface Scan {
  figures: Figure[];
  ignored: Ignored[];
}

/** An age follows: "15 tuổi" is not a count. */
const AGE_AFTER = /^\s*(?:tuổi|tuoi)(?![\p{L}])/u;

const COMPOUND = /[\p{L}\p{N}]+(?:[./\-–:,][\p{L}\p{N}]+)*/gu;

/** Every figure of a clause, in order, and what was set aside. */
export function scanClause(doc: Doc, clause: Span, classes: WordClasses): Scan {
  const lx = lexicon(doc.plain, classes);
  const look = doc.plain ? doc.folded : doc.lower;
  const figures: Figure[] = [];
  const ignored: Ignored[] = [];
  const quoted = quotedNames(doc.text, clause);
  const inQuote = (i: number) => quoted.some((q) => i > q.start && i < q.end);
  const ignore = (start: number, end: number, reason: IgnoreReason) =>
    ignored.push({ start, end, text: doc.text.slice(start, end), reason });
  const before = (i: number) => look.slice(Math.max(clause.start, i - 48), i);
  const after = (i: number) => look.slice(i, Math.min(clause.end, i + 32));
  const qualifierOf = (i: number): { from: number; q: string | null; bound: Bound } => {
    const m = lx.qualifier.exec(before(i));
    if (!m) return { from: i, q: null, bound: 'exact' };
    const from = i - m[0].length;
    return {
      from,
      q: doc.text.slice(from, from + m[1].length),
      bound: boundOf(doc.text.slice(from, from + m[1].length), doc.plain),
    };
  };
  /** A figure read at start–end, digits or words alike, with the qualifier written before it. */
  const figureAt = (
    kind: 'digits' | 'words',
    value: number,
    start: number,
    end: number,
    notes: string[],
    unlessMapped: IgnoreReason | null,
  ): Figure => {
    const q = qualifierOf(start);
    return { kind, value, start, end, from: q.from, bound: q.bound, qualifier: q.q, notes, unlessMapped };
  };

  // Digits.
  const body = doc.text.slice(clause.start, clause.end);
  COMPOUND.lastIndex = 0;
  for (let m = COMPOUND.exec(body); m; m = COMPOUND.exec(body)) {
    let t = m[0];
    if (!/\d/.test(t)) continue;
    let start = clause.start + m.index;
    // "09 vụ/21 bị can": the number after a word and a slash is a figure of its own.
    const slashed = /^(\p{Ll}+)\/(\d+)$/u.exec(t);
    if (slashed) {
      start += slashed[1].length + 1;
      t = slashed[2];
    }
    const end = start + t.length;
    let value: number | null = null;
    let of: number | undefined;
    const notes: string[] = [];
    if (/^\d+$/.test(t)) value = Number(t);
    else if (/^\d{1,3}(?:\.\d{3})+$/.test(t)) value = Number(t.replaceAll('.', ''));
    else if (/^\d{1,3}(?:,\d{3})+$/.test(t)) {
      value = Number(t.replaceAll(',', ''));
      notes.push('ambiguous separator: "," is a decimal point in Vietnamese');
    } else if (/^\d+,\d+$/.test(t)) {
      ignore(start, end, doc.text[end] === '%' ? 'percentage' : 'decimal');
      continue;
    } else if (
      /^\d{1,3}\/\d{1,3}$/.test(t) &&
      Number(t.split('/')[0]) <= Number(t.split('/')[1]) &&
      Number(t.split('/')[0]) > 0
    ) {
      // "12/12 phường, xã", "08/09 vụ": a part of a whole, if a counted thing follows; else a date ("01/7").
      const [n, whole] = t.split('/').map(Number);
      value = n;
      of = whole;
      notes.push(`${n} of ${whole}`);
    } else if (/^\d{1,2}\/\d{1,2}(?:\/\d{2,4})?$/.test(t)) {
      ignore(start, end, 'date');
      continue;
    } else if (/^\d{4}[-–]\d{4}$/.test(t)) {
      ignore(start, end, 'year');
      continue;
    } else if (/^\d{1,3}[-–]\d{1,3}$/.test(t)) {
      ignore(start, end, 'range');
      continue;
    } else if (/\p{L}/u.test(t) || t.includes('/')) {
      ignore(start, end, 'document number or code');
      continue;
    } else {
      ignore(start, end, 'phone number, time or numbering');
      continue;
    }
    if (/^\s?%/.test(doc.text.slice(end, end + 2))) {
      ignore(start, end, 'percentage');
      continue;
    }
    if (inQuote(start)) {
      ignore(start, end, 'inside a quoted name');
      continue;
    }
    const b = before(start);
    const a = after(end);
    // "Chỉ thị số 46 ngày 22/6/2015", "Ban Chỉ đạo 138", "Tổng đài 111": names before what follows.
    if (lx.nameBefore.test(b) && !/(?:tổng|tong)\s+(?:số|so)\s*:?\s*$/u.test(b)) {
      ignore(start, end, lx.documentBefore.test(b) ? 'document number or code' : 'name with a number');
      continue;
    }
    if (lx.dateAfter.test(a)) {
      ignore(
        start,
        end,
        /^\s*(?:năm|nam|tháng|thang|tuần|tuan|quý|quy)\b/u.test(a) && !lx.dateBefore.test(b) ? 'duration' : 'date',
      );
      continue;
    }
    if (AGE_AFTER.test(a)) {
      ignore(start, end, 'age');
      continue;
    }
    const fourDigits = /^\d{4}$/.test(t) && value! >= 1900 && value! <= 2100;
    if (fourDigits && (lx.yearBefore.test(b) || /^\s*[-–]\s*\d{4}(?!\d)/.test(a) || /\d{4}\s*[-–]\s*$/.test(b))) {
      ignore(start, end, 'year');
      continue;
    }
    if (lx.dateBefore.test(b)) {
      ignore(start, end, 'date');
      continue;
    }
    if (
      /^[:/]\s?\d/.test(doc.text.slice(end, end + 3)) ||
      /\d\s?[:/]$/.test(doc.text.slice(Math.max(0, start - 2), start))
    ) {
      ignore(start, end, 'phone number, time or numbering');
      continue;
    }
    figures.push({
      ...figureAt('digits', value, start, end, notes, fourDigits ? 'year' : of !== undefined ? 'date' : null),
      of,
    });
  }

  // Number words, in clauses of a document that spells numbers out.
  const wordRe = /\p{L}+/gu;
  const words: { w: string; s: number; e: number }[] = [];
  for (let m = wordRe.exec(body); m; m = wordRe.exec(body))
    words.push({ w: m[0], s: clause.start + m.index, e: clause.start + m.index + m[0].length });
  for (let k = 0; k < words.length; k++) {
    // Only words separated by single spaces make one number.
    const run: string[] = [];
    for (let j = k; j < words.length && j < k + 8; j++) {
      if (j > k && doc.text.slice(words[j - 1].e, words[j].s) !== ' ') break;
      run.push(words[j].w);
    }
    const { value, used } = parseNumberWords(run, doc.plain);
    if (!used) continue;
    const start = words[k].s;
    let last = k + used - 1;
    // A filler at the end is not part of the number.
    while (last > k && ['linh', 'lẻ', 'le'].includes(words[last].w.toLowerCase())) last--;
    const end = words[last].e;
    const a = after(end);
    const b = before(start);
    k = last;
    if (/^\s*\d/.test(a)) continue; // "năm 2019"
    if (lx.dateAfter.test(a) || lx.dateBefore.test(b) || inQuote(start)) continue;
    if (AGE_AFTER.test(a)) continue;
    figures.push(figureAt('words', value, start, end, ['number written in words'], null));
  }

  // Zero statements.
  const zero = new RegExp(lx.zero.source, 'gu');
  const lookBody = look.slice(clause.start, clause.end);
  for (let m = zero.exec(lookBody); m; m = zero.exec(lookBody)) {
    const start = clause.start + m.index;
    const verbEnd = start + m[0].length;
    const rest = look.slice(verbEnd, clause.end);
    const nao = lx.nao.exec(rest);
    let about: Span;
    let end: number;
    const notes: string[] = [];
    if (nao && rest.slice(0, nao.index).split(/\s+/).filter(Boolean).length <= 14) {
      about = { start: verbEnd, end: verbEnd + nao.index };
      end = verbEnd + nao.index + nao[0].length;
    } else {
      // Without "nào", only "không có …", "chưa xảy ra …": what follows, up to a comma or nine words.
      const verb = m[0]
        .replace(/^\S+\s+/, '')
        .replace(/^(?:được|duoc)\s+/, '')
        .trim()
        .replace(/\s+/g, ' ');
      if (!lx.zeroBare.test(verb)) continue;
      const stop = rest.search(/[,.:();]/);
      const region = stop < 0 ? rest : rest.slice(0, stop);
      let last = 0;
      let n = 0;
      for (const w of region.matchAll(/\S+/g)) {
        last = w.index! + w[0].length;
        if (++n >= 9) break;
      }
      // "Tin báo về mua bán người: không có." says nothing after the verb: what there is none of is the label.
      if (!n && !/:\s*$/.test(look.slice(clause.start, start))) continue;
      about = { start: verbEnd, end: verbEnd + last };
      end = about.end;
      notes.push('zero without "nào"');
    }
    figures.push({
      kind: 'zero',
      value: 0,
      start,
      end,
      from: start,
      bound: 'exact',
      qualifier: null,
      notes,
      unlessMapped: null,
      about,
    });
  }

  figures.sort((x, y) => x.start - y.start);
  // A number inside a zero statement's span (rare) belongs to the digits, not to the statement.
  return {
    figures: figures.filter(
      (f, i) =>
        !(
          f.kind === 'words' &&
          figures.some((g, j) => j !== i && g.kind !== 'words' && f.start >= g.start && f.start < g.end)
        ),
    ),
    ignored,
  };
}

/**
 * A count written as the reports write it, and as `scanClause` reads it back: two digits at least (`02 lớp`), `.`
 * between thousands (`12.500`).
 */
export function writeCount(n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${n} is not a count`);
  return n < 10 ? `0${n}` : String(n).replace(/\B(?=(\d{3})+$)/g, '.');
}

/** A percentage as the reports write it: one decimal after a comma, a space before the sign (`91,6 %`). */
export function writePercent(x: number): string {
  const [whole, decimals] = (Math.round(x * 10) / 10).toFixed(1).split('.');
  return `${whole.replace(/\B(?=(\d{3})+$)/g, '.')}${decimals === '0' ? '' : `,${decimals}`} %`;
}
