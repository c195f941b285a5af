/**
 * Reports in prose, as text the extractor can read: the source decoded (.txt and .md as UTF-8 or UTF-16 with a
 * BOM; .docx through mammoth's plain-text extraction), then normalised for matching, with every character of the
 * normalised text mapped back to where it came from, so that citations point into the source as it is.
 *
 * Normalisation: Unicode NFC (NFD input, as some PDF and macOS tools write it, reads the same); no-break, thin and
 * other spaces become a plain space, runs of spaces one; zero-width characters, soft hyphens and Markdown's `*` and
 * heading `#` are dropped; lines broken by a PDF copy are joined back into their paragraph (see `joinsLines`).
 *
 * Offsets in citations are Unicode code points from the start of the decoded source (a BOM excluded), so
 * `[...source].slice(start, end).join('')` (JavaScript) or `source[start:end]` (Python) gives the cited text.
 * For .docx, the source is the document's text as mammoth extracts it: paragraphs separated by a blank line.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { decodeText, firstInvalidUtf8, sniffEncoding } from '../sources/encoding.ts';

export class ExtractError extends Error {}

export interface SourceText {
  /** The file's name as given, for citations. */
  name: string;
  /** The decoded text citations point into. */
  raw: string;
}

export const TEXT_EXTENSIONS = ['.txt', '.md', '.docx'] as const;

/** Reads a report: .txt, .md (UTF-8, or UTF-16 with a BOM) or .docx. */
export async function readSource(path: string, name = path): Promise<SourceText> {
  const ext = extname(path).toLowerCase();
  if (ext === '.docx') {
    const mammoth = (await import('mammoth')).default;
    try {
      const { value } = await mammoth.extractRawText({ path });
      return { name, raw: value };
    } catch (e) {
      throw new ExtractError(
        `${name}: cannot read the Word document: ${(e as Error).message}; expected a .docx file (Word 2007 or ` +
          `later; save a .doc as .docx)`,
      );
    }
  }
  if (ext !== '.txt' && ext !== '.md') {
    throw new ExtractError(
      `${name}: unsupported file type "${ext || '(none)'}"; expected .txt, .md or .docx (for a PDF, copy its text ` +
        `into a .txt file)`,
    );
  }
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new ExtractError(`${name}: cannot read the file: ${(e as Error).message}`);
  }
  const sniffed = sniffEncoding(buf.subarray(0, 64 * 1024), name);
  if ('severity' in sniffed) throw new ExtractError(`${name}:${sniffed.line}:${sniffed.col}: ${sniffed.message}`);
  if (sniffed.encoding === 'utf-8') {
    const bad = firstInvalidUtf8(buf.subarray(sniffed.bomBytes));
    if (bad) {
      throw new ExtractError(
        `${name}:${bad.line}:${bad.col}: byte 0x${bad.byte.toString(16).toUpperCase()} is not valid UTF-8: the file ` +
          `seems to be in a legacy code page (Windows-1258, TCVN3 or VNI); expected UTF-8, or UTF-16 with a ` +
          `byte-order mark`,
      );
    }
  }
  return { name, raw: decodeText(buf, sniffed) };
}

export interface Span {
  start: number;
  end: number;
}

export interface Sentence extends Span {
  /** Parts between semicolons: administrative prose chains its statements with `;`. */
  clauses: Span[];
}

export interface Paragraph extends Span {
  /** The leading bullet or numbering (`-`, `1.1.`, `a)`), kept out of the sentences. */
  marker: string | null;
  /** Who speaks in a bullet that starts with an agency ("Sở Tư pháp", "Hội Liên hiệp Phụ nữ tỉnh"), or null. */
  agency: string | null;
  sentences: Sentence[];
  /** A row of a table pasted as text: its cells, trimmed, in order; null for prose. */
  cells: Span[] | null;
}

export interface Doc {
  name: string;
  raw: string;
  /** The normalised text (UTF-16 indices): paragraphs separated by "\n\n". */
  text: string;
  /** Same length as `text`: lower case, without diacritics, đ → d. Rules match here, so `to roi` finds `tờ rơi`. */
  folded: string;
  /** Same length as `text`: lower case, diacritics kept (where `nam` and `năm` differ). */
  lower: string;
  /** True when the text is written without Vietnamese diacritics (telex-less typing): number words read looser. */
  plain: boolean;
  paragraphs: Paragraph[];
  /** For each index of `text`: the code point in `raw` it starts at, and the one after it. */
  origin: Int32Array;
  originEnd: Int32Array;
}

const foldCache = new Map<string, string>();

/** One character folded: lower case, diacritics removed, đ → d. Always one UTF-16 unit for one. */
export function foldChar(c: string): string {
  let f = foldCache.get(c);
  if (f === undefined) {
    if (c === 'đ' || c === 'Đ') f = 'd';
    else {
      const base = c.normalize('NFD').charAt(0).toLowerCase();
      f = base.length === 1 ? base : c;
    }
    foldCache.set(c, f);
  }
  return f;
}

/** A string folded character by character (NFC first): what patterns and text are compared as. */
export function fold(s: string): string {
  let out = '';
  for (const c of s.normalize('NFC')) for (let i = 0; i < c.length; i++) out += foldChar(c[i]);
  return out;
}

// A tab stays: it separates the cells of a table pasted from Word (see `isTableRow`); elsewhere it is a space.
const SPACE = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]/;
const DROP = /[\u200b-\u200d\u2060\ufeff\u00ad*]/;
const MARK = /\p{M}/u;

interface Chars {
  c: string[];
  o: number[];
  e: number[];
}

/** Pass 1: code points → NFC characters with their origins; spaces unified, invisible characters dropped. */
function decodeChars(raw: string): Chars {
  const cps = Array.from(raw);
  const out: Chars = { c: [], o: [], e: [] };
  for (let i = 0; i < cps.length;) {
    let j = i + 1;
    while (j < cps.length && MARK.test(cps[j])) j++;
    let s = cps.slice(i, j).join('');
    if (s === '\r') s = cps[j] === '\n' ? '' : '\n';
    s = s.normalize('NFC');
    for (const ch of s) {
      if (DROP.test(ch)) continue;
      const c = SPACE.test(ch) ? ' ' : ch;
      for (let k = 0; k < c.length; k++) {
        out.c.push(c[k]);
        out.o.push(i);
        out.e.push(j);
      }
    }
    i = j;
  }
  return out;
}

const PAGE_NUMBER = /^(?:[-–]\s*)?\d{1,3}(?:\s*[-–])?$|^(?:trang|page)\s+\d{1,3}(?:\s*\/\s*\d{1,3})?$/iu;
const BULLET = /^(?:[-+•–—]\s*|(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVXLC]{1,6}\.?|[a-zđ]\))\s+(?=[\p{Lu}"“(]))/u;
const LINE_MARKER = /^(?:[-+•–—]|\d{1,2}(?:\.\d{1,2})*\.\s|[IVXLC]{1,6}\.\s|[a-zđ]\)\s)/u;

/**
 * Whether a line break between `prev` and `next` (with `blank` empty lines between) is inside a paragraph, as
 * text copied from a PDF breaks it: the next line continues in lower case or with a digit ("tạo thuận\n\nlợi cho"),
 * or a single break falls where no sentence ended. A bullet, a numbered heading, or a line after `.`, `:`, `!`,
 * `?` starts a new paragraph.
 */
export function joinsLines(prev: string, next: string, blank: number): boolean {
  if (LINE_MARKER.test(next)) return false;
  if (/[.:!?…]["”’)\]]*$/.test(prev)) return false;
  if (/^[\p{Ll}\d(,]/u.test(next)) return true;
  // An upper-case start after a line with no closing punctuation: a wrapped line if the break was single.
  if (blank === 0 && !/;$/.test(prev) && prev.length > 40) return true;
  return false;
}

/**
 * A line of a table pasted as text: two cells or more, separated by tabs (Word) or `|` (Markdown, or a writer's
 * own "Tiếp nhận tố giác, tin báo: 15 | Phân loại: 15"). Such a line is a paragraph of its own, never joined.
 */
export function isTableRow(line: string): boolean {
  return (
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split(/[\t|]/)
      .filter((c) => c.trim()).length >= 2
  );
}

/** Pass 2: lines joined into paragraphs (`\n\n` between them), spaces collapsed, Markdown headings unmarked. */
function joinParagraphs(ch: Chars): { text: string; o: number[]; e: number[] } {
  const lines: { s: number; t: number }[] = [];
  let s = 0;
  for (let i = 0; i <= ch.c.length; i++) {
    if (i === ch.c.length || ch.c[i] === '\n') {
      lines.push({ s, t: i });
      s = i + 1;
    }
  }
  const lineText = (l: { s: number; t: number }) => ch.c.slice(l.s, l.t).join('');
  const out: string[] = [];
  const o: number[] = [];
  const e: number[] = [];
  const push = (c: string, at: number) => {
    out.push(c);
    o.push(ch.o[at] ?? (ch.o.length ? ch.e[ch.o.length - 1] : 0));
    e.push(ch.e[at] ?? (ch.o.length ? ch.e[ch.o.length - 1] : 0));
  };
  let prev: string | null = null;
  let prevRow = false;
  let prevEnd = 0;
  let blank = 0;
  const isBlank = (k: number) =>
    k < 0 || k >= lines.length || ch.c.slice(lines[k].s, lines[k].t).every((c) => c === ' ');
  for (const [li, l] of lines.entries()) {
    // Tabs separate cells in a table row, and are spaces elsewhere. Trim the line, and unmark a Markdown heading.
    const row = isTableRow(lineText(l));
    if (!row) for (let k = l.s; k < l.t; k++) if (ch.c[k] === '\t') ch.c[k] = ' ';
    let a = l.s;
    let b = l.t;
    while (a < b && (ch.c[a] === ' ' || ch.c[a] === '\t')) a++;
    while (b > a && (ch.c[b - 1] === ' ' || ch.c[b - 1] === '\t')) b--;
    if (ch.c[a] === '#') {
      let k = a;
      while (k < b && ch.c[k] === '#') k++;
      if (k < b && ch.c[k] === ' ') a = k + 1;
    }
    if (a === b) {
      blank++;
      continue;
    }
    const text = lineText({ s: a, t: b });
    // A page number of a PDF copy ("2", "- 2 -", "Trang 2/5") alone between blank lines: not text.
    if (PAGE_NUMBER.test(text) && (isBlank(li - 1) || isBlank(li + 1))) continue;
    if (prev !== null) {
      if (!row && !prevRow && joinsLines(prev, text, blank)) push(' ', prevEnd);
      else {
        push('\n', prevEnd);
        push('\n', prevEnd);
      }
    }
    let space = false;
    for (let k = a; k < b; k++) {
      if (ch.c[k] === '\t') {
        // A cell boundary, written as " | " so that a row reads the same whichever way it was separated.
        if (!space) push(' ', k);
        push('|', k);
        push(' ', k);
        space = true;
      } else if (ch.c[k] === ' ') {
        if (!space) push(' ', k);
        space = true;
      } else {
        push(ch.c[k], k);
        space = false;
      }
    }
    prev = text;
    prevRow = row;
    prevEnd = b < ch.c.length ? b : b - 1;
    blank = 0;
  }
  return { text: out.join(''), o, e };
}

const ABBREVIATION = /(?:^|[\s(])(?:TP|Tp|TX|TS|ThS|GS|PGS|BS|St|Đ\/c|đ\/c|v\.v|ô|bà)$/u;

/** Splits a paragraph's text (after its marker) into sentences at `.`, `!`, `?`, `…` before a capital or the end. */
function splitSentences(text: string, from: number, to: number): Sentence[] {
  const out: Sentence[] = [];
  let start = from;
  const re = /[.!?…]+["”’)\]]*(?=\s+[\p{Lu}\d"“(-]|\s*$)/gu;
  re.lastIndex = from;
  const body = text.slice(0, to);
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const end = m.index + m[0].length;
    if (
      m[0].startsWith('.') &&
      m[0].length === 1 &&
      ABBREVIATION.test(body.slice(Math.max(start, m.index - 6), m.index))
    )
      continue;
    pushSentence(out, text, start, end);
    start = end;
    while (start < to && text[start] === ' ') start++;
  }
  if (start < to) pushSentence(out, text, start, to);
  return out;
}

function pushSentence(out: Sentence[], text: string, start: number, end: number): void {
  while (end > start && text[end - 1] === ' ') end--;
  if (end <= start) return;
  const clauses: Span[] = [];
  let s = start;
  for (let i = start; i <= end; i++) {
    if (i === end || text[i] === ';') {
      let a = s;
      while (a < i && text[a] === ' ') a++;
      if (i > a) clauses.push({ start: a, end: i });
      s = i + 1;
    }
  }
  out.push({ start, end, clauses });
}

const AGENCY_START =
  /^(?:các |ủy ban |uỷ ban |ubnd |ban |bộ |sở |hội |công an |lực lượng |phòng |đoàn |tòa án |toà án |viện kiểm sát |trung tâm |đài |báo |mặt trận |liên đoàn |bộ chỉ huy |ban chỉ huy |bch |văn phòng |cơ quan |tỉnh đoàn |thành đoàn |huyện đoàn |đồn |trạm |ngành |trường )/u;
const AGENCY_END =
  /\s(?:đã|đang|tiếp tục|chỉ đạo|xây dựng|tăng cường|phối hợp|tổ chức|triển khai|chủ động|biên soạn|thực hiện|ban hành|duy trì|mở|phát|tuyên truyền|căn cứ|chủ trì|thường xuyên|luôn|cũng|đẩy mạnh|rà soát|phát hiện|tích cực|khởi tố|tiếp nhận|hướng dẫn|kiểm tra|đưa|in|sản xuất)(?=\s|,|$)/u;

/** The agency a bullet speaks for: its first words up to the first verb, when it starts like an agency's name. */
export function agencyOf(sentence: string): string | null {
  const lower = sentence.toLowerCase();
  if (!AGENCY_START.test(lower) && !AGENCY_START.test(fold(sentence))) return null;
  const m = AGENCY_END.exec(lower);
  if (!m || m.index === 0) return null;
  const name = sentence
    .slice(0, m.index)
    .replace(/[\s,(]+$/, '')
    .trim();
  return name.length > 0 && name.length <= 120 ? name : null;
}

/** The cells of a table row: between `|`, trimmed; a Markdown row's outer bars open and close no cell. */
function cellsOf(text: string, start: number, end: number): Span[] {
  const cells: Span[] = [];
  let a = start;
  for (let i = start; i <= end; i++) {
    if (i === end || text[i] === '|') {
      let s = a;
      let e = i;
      while (s < e && text[s] === ' ') s++;
      while (e > s && text[e - 1] === ' ') e--;
      cells.push({ start: s, end: e });
      a = i + 1;
    }
  }
  if (text[start] === '|') cells.shift();
  if (text[end - 1] === '|') cells.pop();
  return cells;
}

/** Whether a text is written without diacritics: under 1% of its letters carry one. */
function writtenPlain(text: string): boolean {
  let letters = 0;
  let marked = 0;
  for (const c of text) {
    if (!/\p{L}/u.test(c)) continue;
    letters++;
    if (foldChar(c) !== c.toLowerCase()) marked++;
  }
  return letters > 0 && marked / letters < 0.01;
}

/** The normalised, segmented document for a source. */
export function toDoc(source: SourceText): Doc {
  const joined = joinParagraphs(decodeChars(source.raw));
  const text = joined.text;
  let folded = '';
  let lower = '';
  for (let i = 0; i < text.length; i++) {
    folded += foldChar(text[i]);
    const l = text[i].toLowerCase();
    lower += l.length === 1 ? l : text[i];
  }
  const paragraphs: Paragraph[] = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i === text.length || (text[i] === '\n' && text[i + 1] === '\n')) {
      if (i > start) {
        const body = text.slice(start, i);
        const m = BULLET.exec(body);
        const from = start + (m ? m[0].length : 0);
        const sentences = splitSentences(text, from, i);
        paragraphs.push({
          start,
          end: i,
          marker: m ? m[0].trim() : null,
          agency: m && sentences.length ? agencyOf(text.slice(sentences[0].start, sentences[0].end)) : null,
          sentences,
          cells: body.includes('|') && isTableRow(body) ? cellsOf(text, start, i) : null,
        });
      }
      start = i + 2;
      i++;
    }
  }
  return {
    name: source.name,
    raw: source.raw,
    text,
    folded,
    lower,
    plain: writtenPlain(text),
    paragraphs,
    origin: Int32Array.from(joined.o),
    originEnd: Int32Array.from(joined.e),
  };
}

/** The source offsets (code points, end exclusive) of a span of the normalised text. */
export function sourceSpan(doc: Doc, span: Span): Span {
  if (span.end <= span.start) return { start: doc.origin[span.start] ?? 0, end: doc.origin[span.start] ?? 0 };
  return { start: doc.origin[span.start], end: doc.originEnd[span.end - 1] };
}

/** The source text between code point offsets. */
export function sourceSlice(doc: Doc, span: Span): string {
  return Array.from(doc.raw).slice(span.start, span.end).join('');
}

/** A citation: the file, the source offsets, and the text as normalised (one line, NFC). */
export interface Citation {
  file: string;
  start: number;
  end: number;
  text: string;
}

export function cite(doc: Doc, span: Span): Citation {
  const s = sourceSpan(doc, span);
  return { file: doc.name, start: s.start, end: s.end, text: doc.text.slice(span.start, span.end) };
}
