/**
 * Figures from a report written in prose: each number of each statement, mapped by the rules (rules.csv) to an
 * indicator of the catalogue, with its citation and a confidence; the figures an indicator gets are combined into
 * one row of the report contract (see README, "Reports written in prose"), whose `source_note` keeps the citations.
 * Nothing is loaded here: the proposal is a file a person reviews, then loads with `pcmbn etl load`.
 *
 * Matching a figure: rules are tried in the order of the table; a rule matches when its `noun` is what follows the
 * number ("12.500 tờ rơi"), its `before` occurs earlier in the statement, the figure just before it went to one of
 * its `follows` indicators ("02 lớp tập huấn cho 226 lượt cán bộ"), and its `not` is absent. `before` is looked for
 * first in the words since the previous figure, then in the whole statement, so that "tiếp nhận 12 tin, phân loại
 * 12 tin, giải quyết 10 tin" gives each figure its own verb. A zero statement ("chưa tiếp nhận, hỗ trợ nạn nhân
 * nào") is matched on the thing it names.
 */
import { findIndicator, INDICATORS } from '../../schema/catalogue.ts';
import { isPeriodId, parsePeriod, periodId, vietnamToday } from '../../schema/periods.ts';
import { type Bound, type Figure, type IgnoreReason, scanClause } from './numbers.ts';
import {
  columnPeriod,
  differenceBefore,
  heading,
  type OtherPeriodReason,
  otherPeriodScopes,
  type PeriodScope,
} from './periods.ts';
import { labelOf, matchByLabel, partByLabel, rowKind, rowLabelOf, soleGroup } from './labels.ts';
import { loadRules, phraseAtStart, phraseIn, phraseIndex, phraseMatches, type Rule, type RuleSet } from './rules.ts';
import { type Citation, cite, type Doc, ExtractError, type SourceText, type Span, toDoc } from './text.ts';

/** A figure that went to an indicator. */
export interface Mention {
  indicator: string;
  /** `female`/`male` and `child`/`adult` for a part of a victims figure ("03 nạn nhân (02 nữ, 01 trẻ em)"); null: the
   * total. */
  sex: string | null;
  age_group: string | null;
  value: number;
  bound: Bound;
  /** The qualifier as written ("hơn", "gần"), or null. */
  qualifier: string | null;
  kind: Figure['kind'];
  confidence: number;
  /** The rule that decided, as `rules.csv:LINE`. */
  rule: string;
  /** The figure's own words: "hơn 750 lượt người". */
  figure: Citation;
  /** The statement it stands in (between `.` or `;` and the next). */
  sentence: Citation;
  /** The agency whose bullet it is in, when the bullet names one. */
  agency: string | null;
  /** A total the report states ("tổng số 25 buổi"): it replaces the figures of the parts. */
  total: boolean;
  notes: string[];
}

/** A figure no rule maps: listed so that the rules or the catalogue can grow. */
export interface Unmapped {
  value: number;
  bound: Bound;
  figure: Citation;
  sentence: Citation;
  agency: string | null;
}

/**
 * A figure of another period than the report's (cumulative, earlier, planned, or a difference between two): never
 * proposed, listed with the reason and the words that say so.
 */
export interface OtherPeriodFigure {
  value: number;
  bound: Bound;
  /** What the rules would have made of it, had it been of the report's period; empty when nothing. */
  indicators: string[];
  reason: OtherPeriodReason;
  /** The words that place it in another period: "lũy kế", "năm 2020:", "dự kiến", "tăng". */
  because: string;
  figure: Citation;
  sentence: Citation;
  agency: string | null;
}

export interface IgnoredNumber {
  text: string;
  reason: IgnoreReason;
  at: Citation;
}

/** One proposed row of the report contract, with what it rests on. */
export interface Proposal {
  unit_code: string;
  period: string;
  indicator: string;
  sex: string | null;
  age_group: string | null;
  value: number;
  submitted_on: string | null;
  source_note: string;
  confidence: number;
  bound: Bound;
  /** The figures combined, and those set aside (not added: a total covers them, or a stock's other readings). */
  parts: Mention[];
  setAside: Mention[];
  notes: string[];
}

export interface ReportExtraction {
  file: string;
  unit: string;
  period: string;
  submittedOn: string | null;
  /** The period the report says it covers ("6 tháng đầu năm 2019" → 2019S1), when it says. */
  periodInText: string | null;
  proposals: Proposal[];
  mentions: Mention[];
  unmapped: Unmapped[];
  /** Figures of other periods, set aside: never in a proposal. */
  otherPeriods: OtherPeriodFigure[];
  ignored: IgnoredNumber[];
  warnings: string[];
}

export interface ReportOptions {
  unit: string;
  /** The period; default the one the report's title states. */
  period?: string | null;
  /** The submission date; default the document's date when it has one (never a future day). */
  submittedOn?: string | null;
  rules?: RuleSet;
  /** Today (YYYY-MM-DD), for the check that a document date is not in the future. */
  today?: string;
}

const UNIT_CODE = /^(?:(?:2025-03|2025-07):)?(?:VN|\d{2}|\d{3}|\d{5})$/;

interface Context {
  doc: Doc;
  rules: Rule[];
}

/** Which rule maps a figure, and the span of the words it matched. */
function matchFigure(
  c: Context,
  f: Figure,
  prev: { figure: Figure; indicators: string[] } | null,
  clause: Span,
  tailEnd: number,
): { rule: Rule; nounEnd: number; nounStart: number } | null {
  // Matching runs on the folded text of a document written without diacritics, else on its lower case.
  const accent = !c.doc.plain;
  const text = accent ? c.doc.lower : c.doc.folded;
  const windowStart = prev ? prev.figure.end : clause.start;
  for (const wide of [false, true]) {
    for (const rule of c.rules) {
      if (rule.follows.length && !(prev && prev.indicators.some((i) => rule.follows.includes(i)))) continue;
      if (rule.form === 'fraction' && f.of === undefined) continue;
      let nounStart: number;
      let nounEnd: number;
      if (f.kind === 'zero') {
        // What the statement is about: between the verb and "nào", and what follows "nào" up to a comma or eight
        // words ("chưa phát hiện trường hợp nào xuất cảnh trái phép").
        const rest = text.slice(f.end, clause.end);
        const stop = rest.search(/[,;.:()]/);
        const words = (stop < 0 ? rest : rest.slice(0, stop))
          .split(/(?<=\S)(?=\s)/)
          .slice(0, 8)
          .join('');
        const about =
          text.slice(f.about!.start, f.about!.end) + text.slice(f.about!.end, f.end).replace(/./g, ' ') + words;
        const at = phraseIndex(rule.noun, about, accent);
        if (at < 0) continue;
        nounStart = f.about!.start + at;
        nounEnd = f.end;
      } else {
        const tail = text.slice(f.end, tailEnd);
        const len = phraseAtStart(rule.noun, tail, accent);
        if (len < 0) continue;
        nounStart = f.end;
        nounEnd = f.end + len;
      }
      // `not` is looked for around the figure, from its verb when that verb stands before the previous figure:
      // in "khởi tố 03 vụ, truy tố 04 vụ/09 bị can" the defendants follow truy tố, not khởi tố.
      let notStart = windowStart;
      if (rule.before) {
        const headStart = wide ? clause.start : windowStart;
        const head = text.slice(headStart, f.kind === 'zero' ? nounStart : f.from);
        const verbs = phraseMatches(rule.before, head, accent);
        if (!verbs.length) continue;
        notStart = Math.min(windowStart, headStart + verbs[verbs.length - 1].start);
      } else if (wide) {
        continue; // already tried with the narrow head
      }
      if (rule.not && phraseIn(rule.not, text.slice(notStart, Math.max(tailEnd, nounEnd)), accent)) continue;
      return { rule, nounStart, nounEnd };
    }
  }
  return null;
}

const TOTAL_BEFORE =
  /(?:tổng số|tổng cộng|tổng|tong so|tong cong|tong|toàn tỉnh|toàn huyện|toàn thành phố|toan tinh|toan huyen)\s*(?:là|la|đạt|dat|được|duoc|có|co)?\s*:?\s*$/u;

function isStock(indicator: string): boolean {
  const d = findIndicator(indicator);
  return d?.kind === 'count' && d.aggregation === 'last';
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

const BOUND_FACTOR: Record<Bound, number> = { exact: 1, lower: 0.9, upper: 0.8, approx: 0.8, nearly: 0.8 };

/**
 * Whether a figure is a part of the victims figure before it: in brackets after it or after "trong đó", and named
 * by a word class of sex or age ("02 nữ", "01 trẻ em"). Returns the part and where its words end.
 */
function partOf(
  doc: Doc,
  rules: RuleSet,
  parentFigure: Figure,
  f: Figure,
  tailEnd: number,
): { sex: string | null; age_group: string | null; end: number } | null {
  const between = doc.folded.slice(parentFigure.end, f.from);
  const open = between.lastIndexOf('(');
  const inBrackets = open >= 0 && !between.slice(open).includes(')');
  if (!inBrackets && !/trong do/.test(between)) return null;
  const tail = (doc.plain ? doc.folded : doc.lower).slice(f.end, tailEnd);
  for (const p of rules.parts) {
    const len = phraseAtStart(p.noun, tail, !doc.plain);
    if (len >= 0) return { sex: p.sex, age_group: p.age_group, end: f.end + len };
  }
  return null;
}

/** Reads every figure of a document, for a report of `period`. */
export function readFigures(
  doc: Doc,
  rules: RuleSet,
  period: string,
): { mentions: Mention[]; unmapped: Unmapped[]; otherPeriods: OtherPeriodFigure[]; ignored: IgnoredNumber[] } {
  const c: Context = { doc, rules: rules.rules };
  const mentions: Mention[] = [];
  const unmapped: Unmapped[] = [];
  const otherPeriods: OtherPeriodFigure[] = [];
  const ignored: IgnoredNumber[] = [];
  // The header of a table pasted as text, whose labels name what the values in the rows under it count.
  let header: Span[] | null = null;
  // A section of plans, from its heading to the next heading of its level.
  let plans: { level: number; scope: PeriodScope } | null = null;
  for (const p of doc.paragraphs) {
    const h = heading(doc, p, rules.classes);
    if (h && plans && h.level <= plans.level) plans = null;
    if (h?.plans) plans = { level: h.level, scope: { ...h.plans, reason: 'planned', marker: h.plans } };
    const kind = p.cells ? rowKind(doc, p.cells) : null;
    if (kind === 'labels') header = p.cells;
    else if (kind === null) header = null;
    const columns = kind === 'values' && header?.length === p.cells!.length ? header : null;
    // A row of values may open with its own label: the agency it is for ("| Công an huyện | 14 | 2.150 |").
    const rowLabel = columns ? rowLabelOf(doc, p.cells!) : null;
    const agency = rowLabel ? doc.text.slice(rowLabel.start, rowLabel.end) : p.agency;
    for (const s of p.sentences) {
      const scopes = otherPeriodScopes(doc, s, period, rules.classes);
      for (const clause of s.clauses) {
        const scan = scanClause(doc, clause, rules.classes);
        for (const i of scan.ignored) ignored.push({ text: i.text, reason: i.reason, at: cite(doc, i) });
        let prev: { figure: Figure; indicators: string[]; total: boolean } | null = null;
        // The last victims figure of the clause, whose parts may follow: "03 nạn nhân (02 nữ, 01 trẻ em)".
        let parent: { figure: Figure; mentions: Mention[] } | null = null;
        // Labels that named what their figure counts, nearest first: the noun of a later cell that names none.
        const labelled: Span[] = [];
        scan.figures.forEach((f, k) => {
          const next = scan.figures.slice(k + 1).find((g) => g.from >= f.end);
          const bar = doc.text.indexOf('|', f.end);
          const tailEnd = Math.min(next ? next.from : clause.end, bar >= 0 ? bar : clause.end);
          const sentence = cite(doc, clause);
          const column = columns?.[p.cells!.findIndex((x) => f.from >= x.start && f.from < x.end)] ?? null;
          const label = column ?? labelOf(doc, clause, f);
          const direct = matchFigure(c, f, prev, clause, tailEnd);
          // In a table by period, the row's label names the indicator and the column the period.
          const byLabel = direct
            ? null
            : ((label && matchByLabel(c, f, prev, label, tailEnd, labelled)) ??
              (rowLabel && matchByLabel(c, f, prev, rowLabel, tailEnd, [])));
          const who = byLabel && byLabel.label === rowLabel ? p.agency : agency;
          const m = direct ?? (byLabel && { ...byLabel, nounStart: f.end });
          // A stock counted "since 2010" is its value today, the period's: only flows add up across periods.
          const stock = !!m && m.rule.indicators.every((i) => isStock(i));
          // A column headed "Cùng kỳ 2023" holds another period's values.
          const scope =
            (column ? columnPeriod(doc, column, period, rules.classes) : null) ??
            scopes.find((x) => f.from >= x.start && f.from < x.end && !(stock && x.reason === 'cumulative')) ??
            (h ? null : plans?.scope);
          const difference = scope ? null : differenceBefore(doc, s, f.from, rules.classes);
          // Number words and would-be years or dates no rule takes are no figures, in any period.
          if ((scope || difference) && (m || (f.kind !== 'words' && !f.unlessMapped))) {
            const words = scope ? scope.marker : difference!;
            otherPeriods.push({
              value: f.value,
              bound: f.bound,
              indicators: m?.rule.indicators ?? [],
              reason: scope ? scope.reason : 'difference between periods',
              because: doc.text.slice(words.start, words.end),
              figure: cite(doc, { start: f.from, end: m && f.kind !== 'zero' ? m.nounEnd : f.end }),
              sentence,
              agency: who,
            });
            prev = { figure: f, indicators: m?.rule.indicators ?? [], total: false };
            parent = null;
            return;
          }
          const columnPart = column && parent ? partByLabel(doc, rules, column) : null;
          const part =
            f.kind !== 'zero' && parent
              ? (partOf(doc, rules, parent.figure, f, tailEnd) ??
                (columnPart && { sex: columnPart.sex, age_group: columnPart.age_group, end: f.end }))
              : null;
          if (part && parent) {
            const figure = cite(doc, { start: f.from, end: part.end });
            for (const pm of parent.mentions) {
              mentions.push({
                ...pm,
                sex: part.sex,
                age_group: part.age_group,
                value: f.value,
                bound: f.bound,
                qualifier: f.qualifier,
                kind: f.kind,
                confidence: round2(pm.confidence * 0.9 * BOUND_FACTOR[f.bound]),
                figure,
                total: false,
                notes: [...f.notes, `a part of "${pm.figure.text}"`],
              });
            }
            return;
          }
          if (!m) {
            prev = { figure: f, indicators: [], total: false };
            if (f.kind !== 'digits') return;
            const tail = doc.text.slice(f.end, tailEnd).trimStart();
            if (f.unlessMapped) {
              ignored.push({ text: doc.text.slice(f.start, f.end), reason: f.unlessMapped, at: cite(doc, f) });
              return;
            }
            if (/^\p{Lu}/u.test(tail)) {
              ignored.push({ text: doc.text.slice(f.start, f.end), reason: 'name with a number', at: cite(doc, f) });
              return;
            }
            const words = tail.split(/\s+/).slice(0, 6).join(' ');
            unmapped.push({
              value: f.value,
              bound: f.bound,
              figure: cite(doc, {
                start: f.from,
                end: f.end + (words ? doc.text.indexOf(words, f.end) - f.end + words.length : 0),
              }),
              sentence,
              agency: who,
            });
            return;
          }
          const head = (doc.plain ? doc.folded : doc.lower).slice(clause.start, f.from);
          const notes = [...f.notes];
          let confidence = m.rule.confidence * BOUND_FACTOR[f.bound];
          if (byLabel && label) {
            const named = [byLabel.label, label].filter((x, i, a) => a.indexOf(x) === i);
            notes.push(
              `what is counted is named by the label${named.length > 1 ? 's' : ''} ` +
                `${named.map((x) => `"${doc.text.slice(x.start, x.end).trim()}"`).join(' and ')}`,
            );
            confidence *= 0.9;
            if (byLabel.label === label) labelled.unshift(label);
          }
          if (f.kind === 'words') confidence *= 0.9;
          if (f.kind === 'zero') confidence *= f.notes.length ? 0.8 : 0.95;
          if (notes.some((n) => n.startsWith('ambiguous'))) confidence *= 0.6;
          const figure = cite(
            doc,
            f.kind === 'zero' ? { start: f.start, end: f.end } : { start: f.from, end: m.nounEnd },
          );
          // A total ("tổng cộng 36 buổi … cho 4.250 lượt người") carries over to the figure that follows it.
          const total = f.kind !== 'zero' && (TOTAL_BEFORE.test(head) || (m.rule.follows.length > 0 && !!prev?.total));
          const made: Mention[] = m.rule.indicators.map((indicator) => ({
            indicator,
            sex: null,
            age_group: null,
            value: f.value,
            bound: f.bound,
            qualifier: f.qualifier,
            kind: f.kind,
            confidence: round2(confidence),
            rule: m.rule.at,
            figure,
            sentence,
            agency: who,
            total,
            notes,
          }));
          mentions.push(...made);
          prev = { figure: f, indicators: m.rule.indicators, total };
          const byVictims = m.rule.indicators.every((i) => {
            const d = findIndicator(i);
            return d?.kind === 'count' && d.disaggregations.length > 0;
          });
          if (f.kind !== 'zero' && byVictims) {
            parent = { figure: f, mentions: made };
            const group = soleGroup(doc, rules, m.nounEnd, tailEnd);
            if (group)
              mentions.push(
                ...made.map((pm) => ({
                  ...pm,
                  sex: group.sex,
                  age_group: group.age_group,
                  confidence: round2(pm.confidence * 0.9),
                  notes: [...pm.notes, `all of "${pm.figure.text}", as the brackets after it say`],
                })),
              );
          }
        });
      }
    }
  }
  return { mentions, unmapped, otherPeriods, ignored };
}

function combineBounds(bounds: Bound[]): Bound {
  const set = new Set(bounds.filter((b) => b !== 'exact'));
  if (set.size === 0) return 'exact';
  if (set.size === 1) return [...set][0];
  if (set.has('lower') && set.has('upper')) return 'approx';
  return set.has('approx') ? 'approx' : set.has('nearly') ? 'nearly' : 'lower';
}

const BOUND_WORDS: Record<Bound, string> = {
  exact: '',
  lower: 'lower bound',
  upper: 'upper bound',
  approx: 'approximate',
  nearly: 'approximate (nearly)',
};

/**
 * Combines the figures of each indicator into one value for the unit:
 * - a total the report states ("tổng số …") stands for the unit, and the figures of its parts are set aside;
 * - otherwise flows (aggregation `sum`) add up: each agency reports its own activities, and the report gives no
 *   total, so the unit's figure is their sum;
 * - stocks (aggregation `last`) do not add up: two agencies counting the suspects they monitor count much the same
 *   people, so the largest figure is proposed and the others are set aside;
 * - a zero statement and figures for the same indicator contradict each other: the figures are kept, the
 *   confidence drops to 0.5 and a note says so.
 */
export function combine(mentions: Mention[]): {
  indicator: string;
  sex: string | null;
  age_group: string | null;
  value: number;
  bound: Bound;
  confidence: number;
  parts: Mention[];
  setAside: Mention[];
  notes: string[];
}[] {
  const by = new Map<string, Mention[]>();
  const order = INDICATORS.map((i) => i.code);
  // The total first, then by sex, then by age group.
  const part = (m: Mention) =>
    m.sex ? 1 + ['female', 'male'].indexOf(m.sex) : m.age_group ? 3 + ['child', 'adult'].indexOf(m.age_group) : 0;
  const rank = (m: Mention) => order.indexOf(m.indicator) * 10 + part(m);
  for (const m of [...mentions].sort((a, b) => rank(a) - rank(b))) {
    const k = `${m.indicator}|${m.sex ?? ''}|${m.age_group ?? ''}`;
    by.set(k, [...(by.get(k) ?? []), m]);
  }
  return [...by.values()].map((all) => {
    const { indicator, sex, age_group } = all[0];
    const notes: string[] = [];
    let parts = all;
    let setAside: Mention[] = [];
    const totals = all.filter((m) => m.total);
    if (totals.length) {
      const top = totals.reduce((a, b) => (b.value > a.value ? b : a));
      parts = [top];
      setAside = all.filter((m) => m !== top);
      if (setAside.length)
        notes.push(`the report's total is proposed; ${setAside.length} other figure(s) set aside, not added`);
    } else if (isStock(indicator) && all.length > 1) {
      const top = all.reduce((a, b) => (b.value > a.value ? b : a));
      parts = [top];
      setAside = all.filter((m) => m !== top);
      notes.push(`a stock: ${all.length} figures do not add up; the largest is proposed`);
    } else if (all.length > 1) {
      notes.push(`the sum of ${all.length} figures (different agencies or activities)`);
    }
    let confidence = Math.min(...parts.map((m) => m.confidence));
    if (setAside.length && !totals.length) confidence *= 0.8;
    if (all.some((m) => m.kind === 'zero') && all.some((m) => m.value > 0)) {
      confidence = Math.min(confidence, 0.5);
      notes.push('contradiction: a zero statement and figures for the same indicator');
      parts = parts.filter((m) => m.kind !== 'zero');
      setAside = [...setAside, ...all.filter((m) => m.kind === 'zero' && !setAside.includes(m))];
    }
    const value = parts.reduce((s, m) => s + m.value, 0);
    return {
      indicator,
      sex,
      age_group,
      value,
      bound: combineBounds(parts.map((m) => m.bound)),
      confidence: round2(confidence),
      parts,
      setAside,
      notes,
    };
  });
}

/** The provenance kept with the loaded value: the file, the confidence, and each figure's words, offsets and
 * sentence. */
export function sourceNote(
  file: string,
  c: { value: number; bound: Bound; confidence: number; parts: Mention[]; notes: string[] },
): string {
  const head = [`extracted from ${file}`, `confidence ${c.confidence.toFixed(2)}`];
  if (c.bound !== 'exact') head.push(BOUND_WORDS[c.bound]);
  if (c.parts.length > 1) head.push(`sum of ${c.parts.length}`);
  const parts = c.parts.map(
    (m, i) =>
      `${c.parts.length > 1 ? `[${i + 1}] ` : ''}"${m.figure.text}" in chars ${m.sentence.start}–${m.sentence.end}: ` +
      `«${m.sentence.text}»${m.agency ? ` (${m.agency})` : ''}`,
  );
  return `${head.join(', ')}: ${parts.join(' ')}`;
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

/** The period a report's title states: "6 tháng đầu năm 2019" → 2019S1, "quý I năm 2024" → 2024Q1, … */
export function periodInText(doc: Doc): string | null {
  const heading = doc.paragraphs.findIndex(
    (p) => /^(?:bao cao|so ket|tong ket)\b/.test(doc.folded.slice(p.start, p.end)) && p.end - p.start < 40,
  );
  const from = heading >= 0 ? heading + 1 : 0;
  const title = doc.paragraphs
    .slice(from, from + (heading >= 0 ? 2 : 6))
    .map((p) => doc.folded.slice(p.start, p.end))
    .join(' ')
    .replace(/ngay(?: \d{1,2})? thang \d{1,2} nam \d{4}/g, '');
  const try_ = (id: string) => (isPeriodId(id) ? id : null);
  let m = /(?:6|06|sau) thang dau nam (\d{4})/.exec(title);
  if (m) return try_(`${m[1]}S1`);
  m = /(?:6|06|sau) thang cuoi nam (\d{4})/.exec(title);
  if (m) return try_(`${m[1]}S2`);
  m = /quy (iv|iii|ii|i|[1-4])(?: nam)? (\d{4})/.exec(title);
  if (m) return try_(periodId('quarter', Number(m[2]), ROMAN[m[1]] ?? Number(m[1])));
  m = /thang (\d{1,2})(?: nam |\/)(\d{4})/.exec(title);
  if (m && Number(m[1]) >= 1 && Number(m[1]) <= 12) return try_(periodId('month', Number(m[2]), Number(m[1])));
  m = /(?:ca |trong )?nam (\d{4})/.exec(title);
  if (m && /(?:tong ket|ket qua|bao cao|so ket|cong tac)/.test(title)) return try_(m[1]);
  return null;
}

/**
 * The document's date ("Thái Bình, ngày 17 tháng 6 năm 2019"): a short line of its header, not a date in its text.
 */
export function documentDate(doc: Doc): string | null {
  const line = doc.paragraphs
    .slice(0, 10)
    .map((p) => doc.folded.slice(p.start, p.end))
    .find((t) => t.length < 100 && /ngay\s*(?:\d{1,2})?\s*(?:thang|\/)/.test(t));
  const m = line
    ? (/ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})/.exec(line) ?? /ngay (\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(line))
    : null;
  if (!m) return null;
  const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const iso = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === iso ? iso : null;
}

/** Extracts a report: figures, the rows they make, what stays unmapped and what was set aside. */
export function extractReport(source: SourceText, o: ReportOptions): ReportExtraction {
  const unit = o.unit.trim();
  if (!UNIT_CODE.test(unit))
    throw new ExtractError(
      `--unit "${o.unit}" is not a unit code; expected VN, 2, 3 or 5 digits (province, district, ward), optionally ` +
        `as 2025-03:<code> or 2025-07:<code>`,
    );
  const doc = toDoc(source);
  const rules = o.rules ?? loadRules();
  const inText = periodInText(doc);
  const warnings: string[] = [];
  const period = o.period?.trim() || inText;
  if (!period)
    throw new ExtractError(
      `${source.name}: the report does not say which period it covers; give --period (2019, 2019S1, 2019Q1 or 201903)`,
    );
  try {
    parsePeriod(period);
  } catch (e) {
    throw new ExtractError(`--period: ${(e as Error).message}`);
  }
  if (o.period && inText && inText !== period)
    warnings.push(`the report's title says ${inText}, but --period is ${period}: check the period`);
  let submittedOn = o.submittedOn ?? null;
  if (o.submittedOn === undefined) {
    const date = documentDate(doc);
    const today = o.today ?? vietnamToday();
    if (date && date <= today) submittedOn = date;
  }
  const { mentions, unmapped, otherPeriods, ignored } = readFigures(doc, rules, period);
  const proposals: Proposal[] = combine(mentions).map((c) => ({
    unit_code: unit,
    period,
    indicator: c.indicator,
    sex: c.sex,
    age_group: c.age_group,
    value: c.value,
    submitted_on: submittedOn,
    source_note: sourceNote(source.name, c),
    confidence: c.confidence,
    bound: c.bound,
    parts: c.parts,
    setAside: c.setAside,
    notes: c.notes,
  }));
  return {
    file: source.name,
    unit,
    period,
    submittedOn,
    periodInText: inText,
    proposals,
    mentions,
    unmapped,
    otherPeriods,
    ignored,
    warnings,
  };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) || v !== v.trim() ? `"${v.replaceAll('"', '""')}"` : v;
}

/** The proposal as a report file of the contract (UTF-8, LF, header first). */
export function proposalCsv(x: ReportExtraction): string {
  const header = ['unit_code', 'period', 'indicator', 'value', 'sex', 'age_group', 'submitted_on', 'source_note'];
  const rows = x.proposals.map((p) =>
    [
      p.unit_code,
      p.period,
      p.indicator,
      String(p.value),
      p.sex ?? '',
      p.age_group ?? '',
      p.submitted_on ?? '',
      p.source_note,
    ]
      .map(csvField)
      .join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

/** A plain-text review of an extraction: what is proposed, on what grounds, and what is left out. */
export function reviewText(x: ReportExtraction): string {
  const lines: string[] = [];
  lines.push(
    `${x.file}: unit ${x.unit}, period ` +
      `${x.period}${x.periodInText && x.periodInText === x.period ? ' (as the title says)' : ''}, submitted_on ` +
      `${x.submittedOn ?? '(the load date)'}`,
  );
  for (const w of x.warnings) lines.push(`warning: ${w}`);
  lines.push(
    `proposed (${x.proposals.length} rows from ${x.mentions.length} figures; review, then load with pcmbn etl load):`,
  );
  for (const p of x.proposals) {
    lines.push(
      `  ${p.indicator}${p.sex ? ` (${p.sex})` : ''}${p.age_group ? ` (${p.age_group})` : ''} = ` +
        `${p.value}${p.bound !== 'exact' ? ` (${BOUND_WORDS[p.bound]})` : ''}  confidence ` +
        `${p.confidence.toFixed(2)}${p.notes.length ? `  — ${p.notes.join('; ')}` : ''}`,
    );
    for (const m of p.parts)
      lines.push(
        `      ${m.value}  "${m.figure.text}"  [${m.figure.start}–${m.figure.end}] ` +
          `${m.rule}${m.agency ? `  (${m.agency})` : ''}`,
      );
    for (const m of p.setAside)
      lines.push(`      set aside: ${m.value}  "${m.figure.text}"  [${m.figure.start}–${m.figure.end}]`);
  }
  lines.push(
    `unmapped (${x.unmapped.length}: figures no rule maps to an indicator; add a rule or grow the catalogue):`,
  );
  for (const u of x.unmapped)
    lines.push(
      `  ${u.value}  "${u.figure.text}"  [${u.sentence.start}–${u.sentence.end}] ` +
        `«${u.sentence.text.length > 160 ? `${u.sentence.text.slice(0, 157)}…` : u.sentence.text}»`,
    );
  lines.push(`set aside, another period (${x.otherPeriods.length}: never proposed):`);
  for (const o of x.otherPeriods)
    lines.push(
      `  ${o.value}  "${o.figure.text}"  [${o.figure.start}–${o.figure.end}] ${o.reason} ` +
        `("${o.because}")${o.indicators.length ? `, would be ${o.indicators.join('+')}` : ''}`,
    );
  const reasons = new Map<string, number>();
  for (const i of x.ignored) reasons.set(i.reason, (reasons.get(i.reason) ?? 0) + 1);
  lines.push(`not figures: ${[...reasons.entries()].map(([r, n]) => `${n} ${r}`).join(', ') || 'none'}`);
  return lines.join('\n') + '\n';
}
