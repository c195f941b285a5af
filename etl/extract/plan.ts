/**
 * Targets, reporting deadlines and campaign windows from a plan written in prose (kế hoạch), with citations:
 * - targets: a percentage (or `07/07 xã, phường`) in a statement the target rules (targets.csv) map to a ratio of
 *   the catalogue: "đảm bảo 100% tố giác, tin báo … được tiếp nhận, phân loại"
 *   → tipoff_classification_rate ≥ 100;
 *   "trên 90%" is `>`, any other wording `>=`; the years are those of the plan's title (2024, or 2021–2025);
 * - the reporting schedule: "Định kỳ quý I, III (trước ngày 12/3 và 12/9), 6 tháng (trước ngày 12/6) và năm
 *   (trước ngày 12/12) báo cáo …" → one entry per report, in the format of the API's schedule file
 *   (api/compliance/schedule.ts, `loadSchedule`): "trước ngày 12/3" is due 12 March, the first late day;
 *   "chậm nhất ngày 12/3" (at the latest) is due 13 March. Reports named without a deadline ("định kỳ hàng tháng,
 *   quý, 6 tháng, năm") are listed as undated, since a schedule entry needs a due day;
 * - one-off deadlines ("gửi … trước ngày 28/03/2024") and campaign windows ("cao điểm … từ 01/7/2024 đến hết
 *   ngày 30/9/2024", "Ngày toàn dân phòng, chống mua bán người - 30/7").
 *
 * The files written are data for the API: `schedule.json` as `loadSchedule` reads it (the citation in each entry's
 * `note`), and `targets.json` (`parseTargets` below checks it), so that a reviewed plan replaces the defaults.
 */
import { findIndicator, type TargetOperator } from '../../schema/catalogue.ts';
import { daysInMonth, MAX_YEAR, MIN_YEAR, type PeriodType } from '../../schema/periods.ts';
import type { DueRule, ReporterLevel, ScheduleEntry } from '../../schema/schedule.ts';
import { loadTargetRules, phraseIn, type TargetRule } from './rules.ts';
import { type Citation, cite, type Doc, ExtractError, type SourceText, type Span, toDoc } from './text.ts';

/** An entry of the schedule file the API loads, with its citation as the note. */
export type ScheduleFileEntry = ScheduleEntry & { note: string };

export interface PlanTarget {
  indicator: string;
  operator: TargetOperator;
  value: number;
  years: number[];
  /** The plan, as people name it: "KH 04/KH-BCĐ, Biên Hòa, 21/3/2024". */
  source: string;
  confidence: number;
  rule: string;
  /** The percentage as written ("trên 90%"), and the statement. */
  figure: Citation;
  citation: Citation;
}

/** A schedule entry as the plan states it, with where it says so. */
export interface PlanDeadline extends Omit<ScheduleEntry, 'note'> {
  /** Where the report is named ("quý I, III"), where its deadline is ("trước ngày 12/3 và 12/9"), the statement. */
  report: Citation;
  deadline: Citation;
  citation: Citation;
  confidence: number;
}

/** A report the plan names without a due day: no schedule entry can be made of it. */
export interface Undated extends Pick<ScheduleEntry, 'periodType' | 'index'> {
  report: Citation;
  citation: Citation;
}

export interface OneOffDeadline {
  /** The due day as written: before it (`trước ngày`), YYYY-MM-DD. */
  date: string;
  deadline: Citation;
  citation: Citation;
}

export interface CampaignWindow {
  kind: 'peak' | 'national_day';
  /** YYYY-MM-DD, inclusive; a national day without a year is `--07-30` (every year). */
  start: string;
  end: string;
  citation: Citation;
}

export interface PlanExtraction {
  file: string;
  source: string;
  years: number[];
  targets: PlanTarget[];
  deadlines: PlanDeadline[];
  undated: Undated[];
  oneOff: OneOffDeadline[];
  campaigns: CampaignWindow[];
  /** Percentages no target rule maps: listed for review. */
  unmapped: { value: number; figure: Citation; citation: Citation }[];
  warnings: string[];
}

/** The plan's number, place and date, from its header: "KH 04/KH-BCĐ, Biên Hòa, 21/3/2024". */
export function planSource(doc: Doc): string {
  const head = doc.text.slice(0, 1500);
  const no = /Số\s*:?\s*([0-9]*\s*\/\s*[\p{L}\d/\-–]+)/u.exec(head);
  const place = /(?:^|\n)\s*([\p{Lu}][\p{L} .]+?),\s*ngày\s+(\d{1,2})?\s*tháng\s+(\d{1,2})\s+năm\s+(\d{4})/u.exec(head);
  const parts: string[] = [];
  if (no) {
    const n = no[1].replace(/\s+/g, '').replace(/^\//, '');
    const kind = /KH/.test(n) ? 'KH' : /BC/.test(n) ? 'BC' : 'VB';
    parts.push(`${kind} ${n}`);
  }
  if (place) {
    parts.push(place[1].trim());
    parts.push(place[2] ? `${Number(place[2])}/${Number(place[3])}/${place[4]}` : `${Number(place[3])}/${place[4]}`);
  }
  return parts.length ? parts.join(', ') : doc.name;
}

/** The years a plan covers, from its title: "năm 2024" → [2024]; "giai đoạn 2021-2025" → 2021…2025. */
export function planYears(doc: Doc): number[] {
  const heading = doc.paragraphs.findIndex((p) =>
    /^(?:ke hoach|chuong trinh)$/.test(doc.folded.slice(p.start, p.end).trim()),
  );
  const from = heading >= 0 ? heading + 1 : 0;
  const title = doc.paragraphs[from] ? doc.folded.slice(doc.paragraphs[from].start, doc.paragraphs[from].end) : '';
  const range =
    /(?:giai doan|tu nam|nam)\s*(\d{4})\s*[-–]\s*(\d{4})/.exec(title) ?? /(\d{4})\s*[-–]\s*(\d{4})/.exec(title);
  const ok = (y: number) => y >= MIN_YEAR && y <= MAX_YEAR;
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (ok(a) && ok(b) && b >= a && b - a < 20) return Array.from({ length: b - a + 1 }, (_, i) => a + i);
  }
  const year = /nam (\d{4})/.exec(title);
  if (year && ok(Number(year[1]))) return [Number(year[1])];
  const dated = /nam (\d{4})/.exec(doc.folded.slice(0, 600));
  return dated && ok(Number(dated[1])) ? [Number(dated[1])] : [];
}

interface Percent {
  value: number;
  start: number;
  end: number;
  from: number;
  operator: TargetOperator | null;
}

/** Percentages and whole fractions ("07/07 xã, phường") of a clause, with the operator their wording gives. */
function percents(doc: Doc, clause: Span): Percent[] {
  const out: Percent[] = [];
  const body = doc.text.slice(clause.start, clause.end);
  const look = doc.plain ? doc.folded : doc.lower;
  const qualifier = (at: number): { from: number; operator: TargetOperator | null } => {
    const before = look.slice(Math.max(clause.start, at - 24), at);
    const gt = /(?:^|[^\p{L}])(trên|hơn|vượt|tren|hon|vuot)\s*$/u.exec(before);
    if (gt) return { from: at - gt[0].length + (gt[0].length - gt[0].trimStart().length), operator: '>' };
    const lt = /(?:^|[^\p{L}])(dưới|không quá|tối đa|duoi|khong qua|toi da)\s*$/u.exec(before);
    if (lt) return { from: at - lt[0].length + (lt[0].length - lt[0].trimStart().length), operator: null };
    return { from: at, operator: '>=' };
  };
  for (const m of body.matchAll(/(?<![\p{L}\p{N}.,/])(\d{1,3}(?:,\d+)?)\s?%/gu)) {
    const start = clause.start + m.index!;
    const q = qualifier(start);
    out.push({ value: Number(m[1].replace(',', '.')), start, end: start + m[0].length, ...q });
  }
  const wards =
    /^\s*(?:các\s+)?(?:xã|phường|thị trấn|huyện|quận|đơn vị|cơ quan|trường|thôn|bản|tổ|xa|phuong|thi tran|huyen|quan|don vi|co quan|truong|thon|ban|to)(?![\p{L}])/u;
  for (const m of body.matchAll(/(?<![\p{L}\p{N}.,/])(\d{1,3})\/(\d{1,3})(?![\p{N}/])/gu)) {
    const start = clause.start + m.index!;
    const end = start + m[0].length;
    const [a, b] = [Number(m[1]), Number(m[2])];
    if (a !== b || a === 0 || !wards.test(look.slice(end, end + 16))) continue;
    out.push({ value: 100, start, end, from: start, operator: '>=' });
  }
  return out.sort((x, y) => x.start - y.start);
}

function matchTarget(rules: TargetRule[], window: string, accent: boolean): TargetRule | null {
  for (const r of rules) {
    if (!phraseIn(r.text, window, accent)) continue;
    if (r.not && phraseIn(r.not, window, accent)) continue;
    return r;
  }
  return null;
}

function targetsOf(
  doc: Doc,
  rules: TargetRule[],
  years: number[],
  source: string,
): { targets: PlanTarget[]; unmapped: PlanExtraction['unmapped'] } {
  const targets: PlanTarget[] = [];
  const unmapped: PlanExtraction['unmapped'] = [];
  for (const p of doc.paragraphs) {
    for (const s of p.sentences) {
      for (const clause of s.clauses) {
        const found = percents(doc, clause);
        found.forEach((pc, k) => {
          const from = k > 0 ? found[k - 1].end : clause.start;
          const to = k + 1 < found.length ? found[k + 1].from : clause.end;
          const rule = matchTarget(rules, (doc.plain ? doc.folded : doc.lower).slice(from, to), !doc.plain);
          const figure = cite(doc, { start: pc.from, end: pc.end });
          const citation = cite(doc, clause);
          if (!rule || pc.operator === null) {
            unmapped.push({ value: pc.value, figure, citation });
            return;
          }
          const yearly = /hang nam|hàng năm|moi nam|mỗi năm/.test(doc.folded.slice(clause.start, clause.end));
          for (const indicator of rule.indicators) {
            targets.push({
              indicator,
              operator: pc.operator,
              value: pc.value,
              years,
              source,
              confidence: rule.confidence * (yearly || years.length ? 1 : 0.8),
              rule: rule.at,
              figure,
              citation,
            });
          }
        });
      }
    }
  }
  // One target per indicator: the first the plan states (a later repetition adds nothing).
  const seen = new Set<string>();
  return { targets: targets.filter((t) => (seen.has(t.indicator) ? false : (seen.add(t.indicator), true))), unmapped };
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

interface Mention {
  type: PeriodType;
  indices: number[] | null;
  span: Span;
  dates: { day: number; month: number; inclusive: boolean }[];
  deadline: Span | null;
}

/** Reports and deadlines named in a statement, in order. */
function scheduleTokens(doc: Doc, s: Span): { mentions: Mention[]; oneOff: { date: string; span: Span }[] } {
  const f = doc.folded.slice(s.start, s.end);
  const idx = '(?:iv|iii|ii|i|[1-4])';
  const re = new RegExp(
    [
      `(?<quarter>(?:hang |moi |cac )?quy(?: (?<qi>${idx}(?:\\s*(?:,|va)\\s*${idx})*))?(?![\\p{L}])(?! ` +
        `(?:dinh|che|trinh|mo|luat|hoach|tac|nap|uoc|doi|chuan|tien|chung))(?!\\s+\\d))`,
      `(?<half>(?:6|06|sau) thang(?: (?<hpart>dau|cuoi) nam)?|nua nam)(?![\\p{L}])`,
      `(?<nine>(?:9|09|chin) thang)`,
      `(?<month>(?:hang|moi) thang)(?![\\p{L}])`,
      `(?<year>(?:hang |ca |01 |mot |moi |tong ket ` +
        `)?nam)(?![\\p{L}])(?!\\s*(?:\\d|nay|qua|toi|truoc|sau|hoc|dau|cuoi|tiep))`,
      `(?<due>(?<kw>truoc|cham nhat|khong muon hon|han cuoi|han chot)(?: (?:hoac trong ` +
        `)?ngay)?\\s*(?<dates>\\d{1,2}\\/\\d{1,2}(?:\\/\\d{4})?(?:\\s*(?:,|va|và)\\s*(?:ngay\\s*)?\\d{1,2}\\/\\d{1,2}(?:\\/\\d{4})?)*))`,
    ].join('|'),
    'gu',
  );
  const mentions: Mention[] = [];
  const oneOff: { date: string; span: Span }[] = [];
  for (const m of f.matchAll(re)) {
    const g = m.groups!;
    const span = { start: s.start + m.index!, end: s.start + m.index! + m[0].length };
    if (g.quarter) {
      const list = g.qi ? g.qi.split(/\s*(?:,|va)\s*/).map((x) => ROMAN[x] ?? Number(x)) : null;
      mentions.push({ type: 'quarter', indices: list, span, dates: [], deadline: null });
    } else if (g.half) {
      mentions.push({ type: 'half', indices: [g.hpart === 'cuoi' ? 2 : 1], span, dates: [], deadline: null });
    } else if (g.month) {
      mentions.push({ type: 'month', indices: null, span, dates: [], deadline: null });
    } else if (g.year) {
      mentions.push({ type: 'year', indices: null, span, dates: [], deadline: null });
    } else if (g.due) {
      const inclusive = g.kw !== 'truoc';
      const dates = [...g.dates.matchAll(/(\d{1,2})\/(\d{1,2})(?:\/(\d{4}))?/g)];
      const periodic = dates.filter((d) => !d[3]);
      for (const d of dates.filter((x) => x[3])) {
        const iso = `${d[3]}-${d[2].padStart(2, '0')}-${d[1].padStart(2, '0')}`;
        oneOff.push({ date: iso, span });
      }
      if (!periodic.length) continue;
      // The deadlines go to the reports named just before them that have none yet.
      const open = mentions.filter((x) => !x.dates.length);
      const last = open.at(-1);
      const parsed = periodic.map((d) => ({ day: Number(d[1]), month: Number(d[2]), inclusive }));
      if (last && (last.indices?.length ?? 1) === parsed.length) {
        last.dates = parsed;
        last.deadline = span;
      } else if (open.length === parsed.length) {
        open.forEach((x, i) => {
          x.dates = [parsed[i]];
          x.deadline = span;
        });
      } else if (last) {
        last.dates = parsed.slice(0, last.indices?.length ?? 1);
        last.deadline = span;
      }
    }
  }
  return { mentions, oneOff };
}

/** "trước ngày 12/3" → due 12 March (the first late day); "chậm nhất ngày 31/3" → due 1 April. */
function dueOf(d: { day: number; month: number; inclusive: boolean }, type: PeriodType): DueRule | null {
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > daysInMonth(2024, d.month)) return null;
  if (!d.inclusive) return { month: d.month, day: d.day };
  if (d.day < daysInMonth(2024, d.month)) return { month: d.month, day: d.day + 1 };
  if (d.month < 12) return { month: d.month + 1, day: 1 };
  return type === 'year' ? { monthOffset: 1, day: 1 } : null;
}

const WARD_WORDS = /(?:phuong, xa|xa, phuong|xa, thi tran|cap xa|cac xa|cac phuong|ubnd (?:cac )?(?:phuong|xa))/;
const DISTRICT_WORDS = /(?:huyen, thanh pho|huyen, thi xa|quan, huyen|cap huyen|cac huyen|ubnd (?:cac )?huyen)/;

/** Who reports: the units the reporting statement (or the paragraphs before it) names; else the level below the
 * issuer. */
function reportersOf(doc: Doc, paragraph: number): ReporterLevel[] {
  for (let k = paragraph; k >= Math.max(0, paragraph - 2); k--) {
    const t = doc.folded.slice(doc.paragraphs[k].start, doc.paragraphs[k].end);
    const levels: ReporterLevel[] = [];
    if (DISTRICT_WORDS.test(t)) levels.push('district');
    if (WARD_WORDS.test(t)) levels.push('ward');
    if (levels.length) return levels;
  }
  const head = doc.folded.slice(0, 800);
  if (/(?:ubnd|uy ban nhan dan|ban chi dao[^\n]*) tinh\b/.test(head)) return ['district'];
  if (/(?:thanh pho|tp|huyen|quan|thi xa)\b/.test(head)) return ['ward'];
  return ['district', 'ward'];
}

function scheduleOf(doc: Doc): { deadlines: PlanDeadline[]; undated: Undated[]; oneOff: OneOffDeadline[] } {
  const deadlines: PlanDeadline[] = [];
  const undated: Undated[] = [];
  const oneOff: OneOffDeadline[] = [];
  doc.paragraphs.forEach((p, pi) => {
    for (const s of p.sentences) {
      const f = doc.folded.slice(s.start, s.end);
      if (!/bao cao/.test(f) && !/(?:truoc|cham nhat) ngay/.test(f)) continue;
      const { mentions, oneOff: once } = scheduleTokens(doc, s);
      for (const o of once) oneOff.push({ date: o.date, deadline: cite(doc, o.span), citation: cite(doc, s) });
      const reporting = /dinh ky|bao cao (?:ket qua|dinh ky|tinh hinh)|che do (?:thong tin, )?bao cao/.test(f);
      if (!reporting) continue;
      const levels = reportersOf(doc, pi);
      for (const m of mentions) {
        const indices = m.indices ?? [undefined];
        if (!m.dates.length) {
          for (const index of indices)
            undated.push({
              periodType: m.type,
              ...(index !== undefined ? { index } : {}),
              report: cite(doc, m.span),
              citation: cite(doc, s),
            });
          continue;
        }
        indices.forEach((index, i) => {
          const d = m.dates[Math.min(i, m.dates.length - 1)];
          const due = dueOf(d, m.type);
          if (!due) return;
          deadlines.push({
            periodType: m.type,
            ...(index !== undefined ? { index } : {}),
            due,
            reporterLevels: levels,
            report: cite(doc, m.span),
            deadline: cite(doc, m.deadline!),
            citation: cite(doc, s),
            confidence: m.dates.length === indices.length ? 0.9 : 0.6,
          });
        });
      }
    }
  });
  // One entry per report: the first the plan states.
  const key = (d: { periodType: string; index?: number }) => `${d.periodType}${d.index ?? ''}`;
  const seen = new Set<string>();
  const unique = deadlines.filter((d) => (seen.has(key(d)) ? false : (seen.add(key(d)), true)));
  return {
    deadlines: unique,
    undated: undated.filter(
      (u) => !seen.has(key(u)) && !unique.some((d) => d.periodType === u.periodType && d.index === undefined),
    ),
    oneOff,
  };
}

function campaignsOf(doc: Doc): CampaignWindow[] {
  const out: CampaignWindow[] = [];
  for (const p of doc.paragraphs) {
    for (const s of p.sentences) {
      const f = doc.folded.slice(s.start, s.end);
      if (/cao diem/.test(f)) {
        const m =
          /tu (?:ngay )?(\d{1,2})\/(\d{1,2})\/(\d{4}) den (?:het )?(?:ngay )?(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(f);
        if (m) {
          const iso = (d: string, mo: string, y: string) => `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
          out.push({ kind: 'peak', start: iso(m[1], m[2], m[3]), end: iso(m[4], m[5], m[6]), citation: cite(doc, s) });
        }
      }
      const day = /ngay toan dan phong, chong mua ban nguoi\s*[-–]?\s*30\/7(?:\/(\d{4}))?/.exec(f);
      if (day && !out.some((c) => c.kind === 'national_day')) {
        const y = day[1];
        out.push({
          kind: 'national_day',
          start: y ? `${y}-07-30` : '--07-30',
          end: y ? `${y}-07-30` : '--07-30',
          citation: cite(doc, s),
        });
      }
    }
  }
  return out;
}

export function extractPlan(source: SourceText, rules: TargetRule[] = loadTargetRules()): PlanExtraction {
  const doc = toDoc(source);
  const years = planYears(doc);
  const src = planSource(doc);
  const warnings: string[] = [];
  if (!years.length) warnings.push("the plan's title names no year: targets have no years; add them before use");
  const { targets, unmapped } = targetsOf(doc, rules, years, src);
  const { deadlines, undated, oneOff } = scheduleOf(doc);
  return {
    file: source.name,
    source: src,
    years,
    targets,
    deadlines,
    undated,
    oneOff,
    campaigns: campaignsOf(doc),
    unmapped,
    warnings,
  };
}

function note(c: Citation, what: Citation, source: string): string {
  return `${source}: "${what.text}" (${c.file}, chars ${c.start}–${c.end}: «${c.text}»)`;
}

/** The schedule file the API loads (`loadSchedule` in api/compliance/schedule.ts). */
export function scheduleFile(x: PlanExtraction): { description: string; entries: ScheduleFileEntry[] } {
  return {
    description: `Proposed by pcmbn etl extract-plan from ${x.file} (${x.source}); review before use`,
    entries: x.deadlines.map((d) => ({
      periodType: d.periodType,
      ...(d.index !== undefined ? { index: d.index } : {}),
      reporterLevels: d.reporterLevels,
      due: d.due,
      note: note(d.citation, { ...d.report, text: `${d.report.text} … ${d.deadline.text}` }, x.source),
    })),
  };
}

export interface TargetsFile {
  description: string;
  /** A target as extracted, without how it was found (the rule, the percentage's own citation). */
  targets: Omit<PlanTarget, 'rule' | 'figure'>[];
}

export function targetsFile(x: PlanExtraction): TargetsFile {
  return {
    description: `Proposed by pcmbn etl extract-plan from ${x.file} (${x.source}); review before use`,
    targets: x.targets.map((t) => ({
      indicator: t.indicator,
      operator: t.operator,
      value: t.value,
      years: t.years,
      source: t.source,
      confidence: Math.round(t.confidence * 100) / 100,
      citation: t.citation,
    })),
  };
}

/**
 * Checks a targets file: `{ "targets": [ { "indicator", "operator", "value", "years", "source", … } ] }`, each
 * indicator a ratio of the catalogue, operator `>=` or `>`, value a percentage, years within the calendar.
 * Errors name the field: `targets[2].operator: …`.
 */
export function parseTargets(json: unknown, from = 'targets'): TargetsFile['targets'] {
  const fail = (at: string, m: string): never => {
    throw new ExtractError(`${from}: ${at}: ${m}`);
  };
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { targets?: unknown }).targets))
    fail('targets', 'expected { "targets": [ … ] }');
  for (const k of Object.keys(json as object))
    if (!['description', 'targets'].includes(k)) fail(k, 'unknown field; expected description, targets');
  return (json as { targets: unknown[] }).targets.map((raw, i) => {
    const at = `targets[${i}]`;
    if (typeof raw !== 'object' || raw === null) return fail(at, 'expected an object');
    const t = raw as Record<string, unknown>;
    for (const k of Object.keys(t))
      if (!['indicator', 'operator', 'value', 'years', 'source', 'confidence', 'citation'].includes(k))
        fail(`${at}.${k}`, 'unknown field');
    const ind = findIndicator(String(t.indicator));
    if (!ind || ind.kind !== 'ratio')
      fail(`${at}.indicator`, `${JSON.stringify(t.indicator)} is not a ratio of the catalogue`);
    if (t.operator !== '>=' && t.operator !== '>')
      fail(`${at}.operator`, `expected ">=" or ">", got ${JSON.stringify(t.operator)}`);
    if (typeof t.value !== 'number' || !(t.value >= 0) || t.value > 1000)
      fail(`${at}.value`, `expected a percentage, got ${JSON.stringify(t.value)}`);
    if (
      !Array.isArray(t.years) ||
      t.years.some((y) => !Number.isInteger(y) || (y as number) < MIN_YEAR || (y as number) > MAX_YEAR)
    )
      fail(`${at}.years`, `expected a list of years ${MIN_YEAR}–${MAX_YEAR}`);
    if (typeof t.source !== 'string' || !t.source) fail(`${at}.source`, 'expected the plan that sets the target');
    return t as TargetsFile['targets'][number];
  });
}

/** A plain-text review of a plan extraction. */
export function planReviewText(x: PlanExtraction): string {
  const l: string[] = [`${x.file}: ${x.source}; years ${x.years.join(', ') || '(none)'}`];
  for (const w of x.warnings) l.push(`warning: ${w}`);
  l.push(`targets (${x.targets.length}):`);
  for (const t of x.targets)
    l.push(
      `  ${t.indicator} ${t.operator} ${t.value}  "${t.figure.text}"  [${t.citation.start}–${t.citation.end}] ` +
        `${t.rule}  confidence ${t.confidence.toFixed(2)}`,
    );
  l.push(`reporting deadlines (${x.deadlines.length}):`);
  for (const d of x.deadlines) {
    const due =
      'month' in d.due
        ? `before ${d.due.day}/${d.due.month}`
        : `before day ${d.due.day}, ${d.due.monthOffset} month(s) after the period`;
    l.push(
      `  ${d.periodType}${d.index !== undefined ? ` ${d.index}` : ''} ${due}, from ${d.reporterLevels.join(' and ')} ` +
        ` "${d.report.text} … ${d.deadline.text}"  [${d.citation.start}–${d.citation.end}]`,
    );
  }
  if (x.undated.length)
    l.push(
      `reports without a deadline: ` +
        `${x.undated.map((u) => `${u.periodType}${u.index ? ` ${u.index}` : ''}`).join(', ')}`,
    );
  for (const o of x.oneOff) l.push(`one-off deadline ${o.date}: «${o.citation.text.slice(0, 140)}»`);
  for (const c of x.campaigns) l.push(`campaign ${c.kind} ${c.start}…${c.end}: «${c.citation.text.slice(0, 140)}»`);
  if (x.unmapped.length)
    l.push(
      `unmapped percentages: ` +
        `${x.unmapped.map((u) => `"${u.figure.text}" [${u.citation.start}–${u.citation.end}]`).join('; ')}`,
    );
  return l.join('\n') + '\n';
}
