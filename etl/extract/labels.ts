/**
 * Labels and tables: informal reports and tables pasted from Word name what a figure counts before it, not after
 * it ("Xuất cảnh trái phép: không phát hiện trường hợp nào"; a header cell over its column of values). README,
 * "Reports written in prose", "Labels and tables".
 */
import type { Figure } from './numbers.ts';
import { type PartRule, phraseAtStart, phraseIn, phraseIndex, type Rule, type RuleSet } from './rules.ts';
import type { Doc, Span } from './text.ts';

/**
 * The label before a figure, in informal lists and tables pasted from Word: "Nạn nhân trở về: tiếp nhận, hỗ trợ 01
 * người", "Phân loại: 06" (a cell of "Tiếp nhận tố giác, tin báo: 06 | Phân loại: 06"). Up to twelve words without
 * a digit, before a colon, from the start of the statement or of the cell.
 */
export function labelOf(doc: Doc, clause: Span, f: Figure): Span | null {
  const head = doc.text.slice(clause.start, f.from);
  const cell = head.lastIndexOf('|') + 1;
  const colon = head.indexOf(':', cell);
  if (colon < 0) return null;
  const label = head.slice(cell, colon);
  const words = label.trim().split(/\s+/).filter(Boolean).length;
  if (!words || words > 12 || /\d/.test(label)) return null;
  return { start: clause.start + cell, end: clause.start + colon };
}

/**
 * A figure whose counted thing is named by its label rather than by the words after it: "Xuất cảnh trái phép:
 * không phát hiện trường hợp nào", a table's header cell above its value. The rule's noun is looked for in the
 * label, its `before` in the label and the words up to the figure. A label naming only what was done ("Phân loại",
 * "Đã giải quyết") takes its noun from a label before it in the row (`contexts`, nearest first), and then only a
 * rule whose `before` is in its own words decides: so "Đang xác minh: 01" after "Tiếp nhận tố giác, tin báo: 06"
 * is not another tip-off received.
 */
export function matchByLabel(
  c: { doc: Doc; rules: Rule[] },
  f: Figure,
  prev: { indicators: string[] } | null,
  label: Span,
  tailEnd: number,
  contexts: Span[],
): { rule: Rule; nounEnd: number; label: Span } | null {
  const accent = !c.doc.plain;
  const text = accent ? c.doc.lower : c.doc.folded;
  // A label in the statement reaches up to the figure ("Nạn nhân trở về: tiếp nhận, hỗ trợ 01 người"); a table's
  // header cell is all there is.
  const before = label.end <= f.from ? text.slice(label.end, f.kind === 'zero' ? f.end : f.from) : '';
  const inline = label.end <= f.from && !before.includes('\n');
  const own = text.slice(label.start, label.end) + (inline ? before : '');
  const around = `${own} ${text.slice(f.from, Math.max(tailEnd, f.end))}`;
  // The figure's own words: the number and what follows it up to a mark ("06 người", "34 trường hợp").
  const after = /^(?:\s*[^\s,;.:()|]+){0,3}/u.exec(text.slice(f.end, tailEnd))![0];
  const nounEnd = f.kind === 'zero' ? f.end : f.end + after.length;
  for (const named of [label, ...contexts]) {
    // A space first, as after a number: a noun written "… xuất cảnh trái phép" asks for one.
    const nounText = ` ${text.slice(named.start, named.end)}`;
    for (const rule of c.rules) {
      if (rule.follows.length && !prev?.indicators.some((i) => rule.follows.includes(i))) continue;
      if (rule.form === 'fraction' && f.of === undefined) continue;
      if (named !== label && !rule.before) continue;
      if (phraseIndex(rule.noun, nounText, accent) < 0) continue;
      if (rule.before && !phraseIn(rule.before, own, accent)) continue;
      if (rule.not && phraseIn(rule.not, `${nounText} ${around}`, accent)) continue;
      return { rule, nounEnd, label: named };
    }
  }
  return null;
}

const VALUE = /^(?:[-+–]?\d[\d.,]*|[-–—]?)$/;

/** A table row's cells: values, the `---` rule under a Markdown header, or labels. */
export function rowKind(doc: Doc, cells: Span[]): 'values' | 'rule' | 'labels' {
  const t = cells.map((c) => doc.text.slice(c.start, c.end));
  if (t.every((x) => /^:?-{3,}:?$/.test(x))) return 'rule';
  const rest = t.slice(1);
  return rest.some((x) => /\d/.test(x)) && rest.every((x) => VALUE.test(x)) ? 'values' : 'labels';
}

/** A column whose label is a part of the victims column before it: "Trong đó nữ", "Trẻ em". */
export function partByLabel(doc: Doc, rules: RuleSet, label: Span): PartRule | null {
  const text = (doc.plain ? doc.folded : doc.lower)
    .slice(label.start, label.end)
    .replace(/^(?:trong đó|trong do)\s*:?/u, '');
  for (const p of rules.parts) {
    const len = phraseAtStart(p.noun, text, !doc.plain);
    if (len >= 0 && text.slice(len).trim() === '') return p;
  }
  return null;
}

/** "01 người (nữ)": a victims figure all of one sex or age, said in brackets after it. */
export function soleGroup(doc: Doc, rules: RuleSet, at: number, end: number): PartRule | null {
  const text = doc.plain ? doc.folded : doc.lower;
  const open = /^\s*\(\s*/.exec(text.slice(at, end));
  if (!open) return null;
  const inside = text.slice(at + open[0].length, end);
  for (const p of rules.parts) {
    const len = phraseAtStart(p.noun, inside, !doc.plain);
    if (len >= 0 && /^\s*\)/.test(inside.slice(len))) return p;
  }
  return null;
}

/** The first cell of a row of values, when it is a label, not a value: the agency ("| Công an huyện | 14 |"). */
export function rowLabelOf(doc: Doc, cells: Span[]): Span | null {
  return VALUE.test(doc.text.slice(cells[0].start, cells[0].end)) ? null : cells[0];
}
