/**
 * Which period a figure speaks of. Beside the figures of its period, a report gives others, often in the same
 * sentence: cumulative ("lũy kế từ năm 2011 đến nay … 186 vụ"), an earlier period ("(năm 2020: 11 vụ, 19 bị can)",
 * "cùng kỳ năm trước: 05 buổi"), a plan ("dự kiến mở 04 lớp tập huấn") or a difference between two ("tăng 46
 * buổi"). Added to the period's figures they make the worst error extraction can make, a wrong figure the reviewer
 * trusts; so they are never proposed, and the review lists them as set aside with the words that placed them.
 *
 * The words are data (words.csv, the `period_*` classes). A phrase opens a scope to the end of its sentence (a
 * plan's, to the end of its statement), or to the closing bracket when it stands in brackets; inside "so với …" it
 * opens none, since there it names what the period is compared with: "phát hiện 12 công dân …, giảm 06 trường hợp
 * so với cùng kỳ năm 2023 (18 trường hợp)" speaks of this period's 12, and sets aside the difference and the 18.
 * A heading "PHƯƠNG HƯỚNG, NHIỆM VỤ …" opens a section of plans.
 */
import { parsePeriod } from '../../schema/periods.ts';
import { compilePhrase, type Phrase, phraseMatches, type WordClasses } from './rules.ts';
import { type Doc, ExtractError, type Paragraph, type Span } from './text.ts';

export type OtherPeriodReason = 'cumulative' | 'earlier period' | 'planned' | 'difference between periods';

export interface PeriodScope extends Span {
  reason: OtherPeriodReason;
  /** The words that open the scope ("lũy kế", "năm 2020:"), in the normalised text. */
  marker: Span;
}

interface Markers {
  opening: { phrase: Phrase; reason: OtherPeriodReason; sinceJanuary: boolean }[];
  compare: Phrase | null;
  difference: Phrase | null;
  planHeading: Phrase | null;
  none: Phrase | null;
}

const CLASSES: [string, OtherPeriodReason, boolean][] = [
  ['period_cumulative', 'cumulative', false],
  ['period_year_to_date', 'cumulative', true],
  ['period_earlier', 'earlier period', false],
  ['period_planned', 'planned', false],
];

const compiled = new WeakMap<WordClasses, Markers>();

/** The phrases of words.csv; a class the table leaves out (an analyst's own words file) is not looked for. */
function markers(classes: WordClasses): Markers {
  let m = compiled.get(classes);
  if (m) return m;
  const phrase = (name: string) =>
    classes.has(name)
      ? compilePhrase(`{${name}}`, classes, (e) => {
          throw new ExtractError(`words.csv, class ${name}: ${e}`);
        })
      : null;
  m = {
    opening: CLASSES.flatMap(([name, reason, sinceJanuary]) => {
      const p = phrase(name);
      return p ? [{ phrase: p, reason, sinceJanuary }] : [];
    }),
    compare: phrase('period_compare'),
    difference: phrase('period_difference'),
    planHeading: phrase('period_plan_heading'),
    none: phrase('period_not'),
  };
  compiled.set(classes, m);
  return m;
}

/** "năm 2020: 11 vụ" (a colon after the year) or a sentence opening with another year ("Năm 2022, …"). */
const YEAR_LABEL = /(?<![\p{L}\p{N}])(?:năm|nam)\s+(\d{4})\s*:/gu;
const YEAR_OPENING = /^(?:(?:trong|cả|ca)\s+)?(?:năm|nam)\s+(\d{4})\s*,/u;

/** The scopes of other periods in a sentence of the document, for a report of `period`. */
export function otherPeriodScopes(doc: Doc, sentence: Span, period: string, classes: WordClasses): PeriodScope[] {
  const m = markers(classes);
  const accent = !doc.plain;
  const text = (accent ? doc.lower : doc.folded).slice(sentence.start, sentence.end);
  const p = parsePeriod(period);
  // "Từ đầu năm" is the report's own period when that period starts on 1 January (a year, a first half, …).
  const startsInJanuary = p.start.slice(5) === '01-01';
  const brackets: Span[] = [];
  for (let i = text.indexOf('('); i >= 0; i = text.indexOf('(', i + 1)) {
    const close = text.indexOf(')', i);
    brackets.push({ start: i, end: close < 0 ? text.length : close + 1 });
  }
  // "so với cùng kỳ năm 2023 (05 vụ)": what is compared with, brackets included, up to a comma or a colon.
  const compared: (Span & { words: Span })[] = m.compare
    ? phraseMatches(m.compare, text, accent).map((c) => {
        const stop = text.slice(c.end).search(/[,;:]/);
        return { start: c.start, end: stop < 0 ? text.length : c.end + stop, words: c };
      })
    : [];
  const inside = (at: number, spans: Span[]) => spans.find((s) => at >= s.start && at < s.end);
  const none = m.none ? phraseMatches(m.none, text, accent) : [];
  const scopes: PeriodScope[] = [];
  const open = (start: number, end: number, reason: OtherPeriodReason) => {
    if (inside(start, compared) || inside(start, none)) return;
    // A plan reaches to the end of its statement: "dự kiến mở 04 lớp …; đã phát 300 tờ rơi" (the `;` ends it).
    const statement = reason === 'planned' ? text.indexOf(';', end) : -1;
    scopes.push({
      start: sentence.start + start,
      end: sentence.start + (inside(start, brackets)?.end ?? (statement >= 0 ? statement : text.length)),
      reason,
      marker: { start: sentence.start + start, end: sentence.start + end },
    });
  };
  for (const o of m.opening) {
    if (o.sinceJanuary && startsInJanuary) continue;
    for (const x of phraseMatches(o.phrase, text, accent)) open(x.start, x.end, o.reason);
  }
  const otherYear = (year: string) =>
    Number(year) === p.year ? null : Number(year) < p.year ? 'earlier period' : 'planned';
  for (const y of text.matchAll(YEAR_LABEL)) {
    const reason = otherYear(y[1]);
    if (reason) open(y.index, y.index + y[0].length, reason);
  }
  const first = YEAR_OPENING.exec(text);
  const reason = first && otherYear(first[1]);
  if (first && reason) open(0, first[0].length, reason);
  // The figures of what is compared with are that period's.
  for (const c of compared)
    scopes.push({
      start: sentence.start + c.start,
      end: sentence.start + c.end,
      reason: 'earlier period',
      marker: { start: sentence.start + c.words.start, end: sentence.start + c.words.end },
    });
  return scopes;
}

/** A difference between periods: the figure right after "tăng", "giảm" ("số buổi tăng 46 buổi"). */
export function differenceBefore(doc: Doc, sentence: Span, from: number, classes: WordClasses): Span | null {
  const d = markers(classes).difference;
  if (!d) return null;
  const start = Math.max(sentence.start, from - 24);
  const head = (doc.plain ? doc.folded : doc.lower).slice(start, from);
  const hit = phraseMatches(d, head, !doc.plain).find((x) => head.slice(x.end).trim() === '');
  return hit ? { start: start + hit.start, end: start + hit.end } : null;
}

/**
 * The period of a table's column, from its header cell: "Cùng kỳ 2023" (earlier), "Tăng, giảm" (a difference),
 * "Năm 2023" in a report of 2024 (another year); null for the report's own ("Kỳ này", "6 tháng 2024").
 */
export function columnPeriod(doc: Doc, column: Span, period: string, classes: WordClasses): PeriodScope | null {
  const scope = otherPeriodScopes(doc, column, period, classes)[0];
  if (scope) return scope;
  const text = (doc.plain ? doc.folded : doc.lower).slice(column.start, column.end);
  const d = markers(classes).difference;
  const difference = d ? phraseMatches(d, text, !doc.plain)[0] : undefined;
  const year = /(?<!\d)(\d{4})(?!\d)/.exec(text);
  const p = parsePeriod(period);
  const reason: OtherPeriodReason | null = difference
    ? 'difference between periods'
    : year && Number(year[1]) !== p.year
      ? Number(year[1]) < p.year
        ? 'earlier period'
        : 'planned'
      : null;
  if (!reason) return null;
  const at = difference ?? { start: year!.index, end: year!.index + 4 };
  return { ...column, reason, marker: { start: column.start + at.start, end: column.start + at.end } };
}

/**
 * A heading, and the section of plans it opens: "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM" holds no figure of
 * the period up to the next heading of its level or above. A heading is a short line without a closing stop, numbered
 * (`III.` is level 1, `2.` level 2, `2.1.` level 3, `a)` level 4) or in capitals (level 1). Returns null for prose.
 */
export function heading(doc: Doc, p: Paragraph, classes: WordClasses): { level: number; plans: Span | null } | null {
  if (p.cells || !p.sentences.length) return null;
  const start = p.sentences[0].start;
  const body = doc.text.slice(start, p.end);
  if (/[.;:!?]$/.test(body) || body.split(/\s+/).length > 16) return null;
  const m = p.marker ?? '';
  const level = /^[IVXLC]+\.?$/.test(m)
    ? 1
    : /^\d+\.?$/.test(m)
      ? 2
      : /^\d+(?:\.\d+)+\.?$/.test(m)
        ? 3
        : /^[a-zđ]\)$/.test(m)
          ? 4
          : !m && body === body.toUpperCase() && /\p{Lu}/u.test(body)
            ? 1
            : null;
  if (level === null) return null;
  const h = markers(classes).planHeading;
  const text = (doc.plain ? doc.folded : doc.lower).slice(start, p.end);
  const at = h ? phraseMatches(h, text, !doc.plain)[0] : undefined;
  return { level, plans: at && at.start === 0 ? { start: start + at.start, end: start + at.end } : null };
}
