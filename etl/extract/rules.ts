/**
 * The rules that map phrases to indicators live in data, not code: `rules.csv` (report figures → count
 * indicators), `targets.csv` (plan percentages → ratio indicators) and `words.csv` (word classes both use, such as
 * `{people}`), all beside this file. An analyst adds a phrase by adding a row; `pcmbn etl extract --rules` tries
 * another table first. Each table is checked when read, and errors name the file, line and column.
 *
 * Phrases are written as people write them, with or without diacritics; matching ignores case and diacritics.
 * - `|` separates alternatives: `tờ rơi|tờ gấp`.
 * - `…` (or `...`) stands for up to eight words: `công dân … xuất cảnh trái phép`.
 * - `{name}` is a word class of words.csv: `{people}` = lượt người, cán bộ, hội viên, …
 * - `&` joins phrases that must all be present, in any order: `tố giác|tin báo & phân loại`.
 * - Between words, a space also matches a comma or a slash: `tin bài` finds "tin, bài" and "tin/bài".
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { findIndicator, INDICATORS } from '../../schema/catalogue.ts';
import { ExtractError, fold } from './text.ts';
import { nearestWord } from '../suggest.ts';

const here = fileURLToPath(new URL('./', import.meta.url));
export const DEFAULT_RULES = `${here}rules.csv`;
export const DEFAULT_TARGET_RULES = `${here}targets.csv`;
export const DEFAULT_WORDS = `${here}words.csv`;

/**
 * A compiled phrase: every part must match (`&`); a part is alternatives (`|`). `parts` match folded text (a text
 * written without diacritics); `accentParts` match the lower-case text of a document with diacritics, where a word
 * written with diacritics must match exactly (`tờ` is not `tổ`, `năm` is not `nam`) and a word written without
 * them matches any accented form.
 */
export interface Phrase {
  source: string;
  parts: string[];
  accentParts: string[];
}

const WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const WORD_AFTER = '(?![\\p{L}\\p{N}])';
/** Between two words: spaces, or a comma, slash or dash with optional spaces. */
export const SEP = '(?:\\s*[,/–-]\\s*|\\s+)';
const GAP_WORD = '[^\\s,;.:()]+';

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every lower-case Vietnamese letter, by the letter it folds to. */
const VARIANTS: Record<string, string> = {
  a: 'aàáảãạăằắẳẵặâầấẩẫậ',
  d: 'dđ',
  e: 'eèéẻẽẹêềếểễệ',
  i: 'iìíỉĩị',
  o: 'oòóỏõọôồốổỗộơờớởỡợ',
  u: 'uùúủũụưừứửữự',
  y: 'yỳýỷỹỵ',
};

/** A word as a regex: folded, or (accent) exact where written with diacritics and any accented form where not. */
function wordSource(t: string, accent: boolean): string {
  const low = t.normalize('NFC').toLowerCase();
  if (!accent) return escape(fold(low));
  if (fold(low) !== low) return escape(low);
  return [...low].map((c) => (VARIANTS[c] ? `[${VARIANTS[c]}]` : escape(c))).join('');
}

export type WordClasses = ReadonlyMap<string, readonly string[]>;

/** Compiles one alternative (a sequence of words, gaps and classes) to a regex source. */
function compileSequence(
  alt: string,
  classes: WordClasses,
  fail: (m: string) => never,
  accent: boolean,
  depth = 0,
): string {
  const tokens = alt
    .replace(/\.\.\./g, ' … ')
    .replace(/…/g, ' … ')
    .split(/[\s,/]+/)
    .filter(Boolean);
  if (!tokens.length) fail(`an empty phrase (check for a doubled or trailing "|")`);
  if (tokens[0] === '…' && tokens.length === 1) fail('"…" alone matches anything; put words beside it');
  if (tokens.at(-1) === '…') fail(`"…" at the end of "${alt.trim()}" adds nothing; remove it`);
  let out = '';
  let pendingGap = false;
  tokens.forEach((t, i) => {
    if (t === '…') {
      pendingGap = true;
      return;
    }
    let unit: string;
    const cls = /^\{([\w-]+)\}$/.exec(t);
    if (cls) {
      const words = classes.get(cls[1]);
      if (!words)
        fail(
          `unknown word class {${cls[1]}}; expected one of words.csv: ` +
            `${[...classes.keys()].map((k) => `{${k}}`).join(', ')}`,
        );
      if (depth > 0) fail(`word class {${cls[1]}} inside a word class; classes hold plain phrases`);
      unit = `(?:${words!
        .map((w) => compileSequence(w, classes, fail, accent, depth + 1))
        .sort((a, b) => b.length - a.length)
        .join('|')})`;
    } else {
      if (/[{}&|]/.test(t))
        fail(`"${t}" is not a word; write a word class as {name}, alternatives with |, required parts with &`);
      unit = wordSource(t, accent);
    }
    if (i === 0) out += pendingGap ? `(?:${GAP_WORD}${SEP}){0,8}?${unit}` : unit;
    else if (pendingGap) out += `${SEP}(?:${GAP_WORD}${SEP}){0,8}?${unit}`;
    else out += `${SEP}${unit}`;
    pendingGap = false;
  });
  return out;
}

export function compilePhrase(source: string, classes: WordClasses, fail: (m: string) => never): Phrase {
  const build = (accent: boolean) =>
    source.split('&').map((part) => {
      const alts = part.split('|').map((a) => compileSequence(a, classes, fail, accent));
      return `${WORD_BEFORE}(?:${alts.join('|')})${WORD_AFTER}`;
    });
  return { source, parts: build(false), accentParts: build(true) };
}

const cache = new Map<string, RegExp>();
function regex(source: string, flags: string): RegExp {
  const key = `${flags}/${source}`;
  let r = cache.get(key);
  if (!r) cache.set(key, (r = new RegExp(source, flags)));
  return r;
}

const partsOf = (p: Phrase, accent: boolean) => (accent ? p.accentParts : p.parts);

/** Whether every part of a phrase occurs somewhere in `text` (folded, or lower case with diacritics: `accent`). */
export function phraseIn(p: Phrase, text: string, accent = false): boolean {
  return partsOf(p, accent).every((s) => regex(s, 'u').test(text));
}

/**
 * Whether a phrase starts `text` (after spaces): its first part there, the others anywhere in `text`.
 * Returns the length of the first part's match, or -1.
 */
export function phraseAtStart(p: Phrase, text: string, accent = false): number {
  const [first, ...rest] = partsOf(p, accent);
  const m = regex(`^\\s*(?:${first})`, 'u').exec(text);
  if (!m) return -1;
  return rest.every((s) => regex(s, 'u').test(text)) ? m[0].length : -1;
}

/** Every place a phrase's first part occurs in `text` (the others anywhere): its start and end. */
export function phraseMatches(p: Phrase, text: string, accent = false): { start: number; end: number }[] {
  const [first, ...rest] = partsOf(p, accent);
  if (!rest.every((s) => regex(s, 'u').test(text))) return [];
  return [...text.matchAll(regex(first, 'gu'))].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

/** The first place a phrase's first part occurs in `text` (the others anywhere), or -1. */
export function phraseIndex(p: Phrase, text: string, accent = false): number {
  const [first, ...rest] = partsOf(p, accent);
  const m = regex(first, 'u').exec(text);
  if (!m) return -1;
  return rest.every((s) => regex(s, 'u').test(text)) ? m.index : -1;
}

interface Table {
  file: string;
  rows: { line: number; values: Record<string, string> }[];
}

/** Reads a CSV table (`#` starts a comment line) with exactly the expected columns. */
export function readTable(path: string, columns: readonly string[], required: readonly string[]): Table {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ExtractError(`${path}: cannot read the table: ${(e as Error).message}`);
  }
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      comment: '#',
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
      trim: true,
    }) as never;
  } catch (e) {
    throw new ExtractError(`${path}: malformed CSV: ${(e as Error).message}`);
  }
  if (!records.length) throw new ExtractError(`${path}: the table is empty; expected a header: ${columns.join(',')}`);
  const header = records[0].record;
  header.forEach((h, i) => {
    if (!columns.includes(h))
      throw new ExtractError(
        `${path}:${records[0].info.lines}:${i + 1}: unknown column "${h}"; expected ${columns.join(', ')}`,
      );
  });
  for (const r of required) {
    if (!header.includes(r))
      throw new ExtractError(
        `${path}:${records[0].info.lines}: the header has no "${r}" column; expected ${columns.join(', ')}`,
      );
  }
  const rows = records.slice(1).map((r) => {
    if (r.record.length > header.length)
      throw new ExtractError(
        `${path}:${r.info.lines}:${header.length + 1}: ${r.record.length} fields, the header has ${header.length}; ` +
          `quote a phrase that holds a comma`,
      );
    const values: Record<string, string> = {};
    header.forEach((h, i) => (values[h] = r.record[i] ?? ''));
    return { line: r.info.lines, values };
  });
  return { file: path, rows };
}

/** Word classes: `class,phrases` rows, phrases separated by `|`; several rows of one class add up. */
export function loadWords(path = DEFAULT_WORDS): Map<string, string[]> {
  const t = readTable(path, ['class', 'phrases', 'note'], ['class', 'phrases']);
  const out = new Map<string, string[]>();
  for (const r of t.rows) {
    const name = r.values.class;
    if (!/^[\w-]+$/.test(name))
      throw new ExtractError(`${path}:${r.line}:1: class "${name}" is not a name; expected letters, digits, _ or -`);
    const phrases = r.values.phrases
      .split('|')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!phrases.length) throw new ExtractError(`${path}:${r.line}:2: class ${name} has no phrases`);
    out.set(name, [...(out.get(name) ?? []), ...phrases]);
  }
  return out;
}

export interface Rule {
  /** Where the rule is written, for people reading a proposal: `rules.csv:12`. */
  at: string;
  indicators: string[];
  /** What follows the number ("tờ rơi"); for a zero statement, what "chưa … nào" is about. */
  noun: Phrase;
  /** Must occur in the clause before the number. */
  before: Phrase | null;
  /** The figure just before, in the same clause, went to one of these indicators ("02 lớp tập huấn cho 226 …"). */
  follows: string[];
  /** Vetoes the rule when present around the figure. */
  not: Phrase | null;
  confidence: number;
  /** `fraction`: only a part of a whole ("01/01 mô hình"); null: any figure. */
  form: 'fraction' | null;
  note: string;
}

/** A part of a victims figure: "(02 nữ, 01 trẻ em)" — the word classes female, male, child, adult of words.csv. */
export interface PartRule {
  sex: 'female' | 'male' | null;
  age_group: 'child' | 'adult' | null;
  noun: Phrase;
}

export interface RuleSet {
  rules: Rule[];
  classes: WordClasses;
  parts: PartRule[];
}

function shortName(path: string): string {
  return path.startsWith(here) ? path.slice(here.length) : path;
}

function nearestCode(code: string, kind: 'count' | 'ratio'): string {
  const codes = kind === 'count' ? countCodes() : ratioCodes();
  const best = nearestWord(code, codes, 3);
  return best ? ` (did you mean ${best}?)` : '';
}

function countCodes(): string[] {
  return INDICATORS.filter((i) => i.kind === 'count').map((i) => i.code);
}
function ratioCodes(): string[] {
  return INDICATORS.filter((i) => i.kind === 'ratio').map((i) => i.code);
}

/** Indicator codes of a rule (`a+b`), each checked against the catalogue. */
function indicatorsOf(text: string, kind: 'count' | 'ratio', fail: (col: string, m: string) => never): string[] {
  const codes = text
    .split('+')
    .map((c) => c.trim())
    .filter(Boolean);
  if (!codes.length) fail('indicator', 'no indicator; expected a catalogue code, or several joined with +');
  for (const c of codes) {
    const i = findIndicator(c);
    if (!i)
      fail('indicator', `unknown indicator "${c}"${nearestCode(c, kind)}; expected a ${kind} code of the catalogue`);
    if (i!.kind !== kind)
      fail(
        'indicator',
        `"${c}" is a ${i!.kind}; expected a ${kind} ` +
          `(${kind === 'count' ? 'ratios are computed from counts' : 'plans set targets for ratios'})`,
      );
  }
  return codes;
}

function confidenceOf(text: string, fail: (col: string, m: string) => never): number {
  if (text === '') return 0.9;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > 1)
    fail('confidence', `"${text}" is not a confidence; expected a number above 0 and at most 1, e.g. 0.9`);
  return n;
}

function formOf(text: string, fail: (col: string, m: string) => never): 'fraction' | null {
  if (text === '') return null;
  if (text !== 'fraction')
    fail('form', `"${text}" is not a form; expected fraction (a part of a whole: 01/01) or empty`);
  return 'fraction';
}

/** Throws an error located at a cell of a rule table: `path:line:column (name): what is wrong`. */
function cellError(path: string, header: string[], line: number): (col: string, m: string) => never {
  return (col, m) => {
    throw new ExtractError(`${path}:${line}:${Math.max(1, header.indexOf(col) + 1)} (${col}): ${m}`);
  };
}

const RULE_COLUMNS = ['indicator', 'noun', 'before', 'follows', 'not', 'confidence', 'form', 'note'] as const;

/** Reads report rules: first the extra tables (tried first), then the default one. */
export function loadRules(paths: string[] = [DEFAULT_RULES], wordsPath = DEFAULT_WORDS): RuleSet {
  const classes = loadWords(wordsPath);
  const rules: Rule[] = [];
  for (const path of paths) {
    const t = readTable(path, RULE_COLUMNS, ['indicator', 'noun']);
    const header = Object.keys(t.rows[0]?.values ?? {});
    for (const r of t.rows) {
      const v = r.values;
      const fail = cellError(path, header, r.line);
      const phrase = (col: string, optional: boolean): Phrase | null => {
        const text = (v[col] ?? '').trim();
        if (!text) return optional ? null : fail(col, 'empty; expected a phrase');
        return compilePhrase(text, classes, (m) => fail(col, m));
      };
      const follows = (v.follows ?? '')
        .split('+')
        .map((c) => c.trim())
        .filter(Boolean);
      for (const c of follows)
        if (findIndicator(c)?.kind !== 'count')
          fail('follows', `unknown count indicator "${c}"${nearestCode(c, 'count')}`);
      rules.push({
        at: `${shortName(path)}:${r.line}`,
        indicators: indicatorsOf(v.indicator, 'count', fail),
        noun: phrase('noun', false)!,
        before: phrase('before', true),
        follows,
        not: phrase('not', true),
        confidence: confidenceOf((v.confidence ?? '').trim(), fail),
        form: formOf((v.form ?? '').trim(), fail),
        note: (v.note ?? '').trim(),
      });
    }
  }
  const parts: PartRule[] = (['female', 'male', 'child', 'adult'] as const)
    .filter((c) => classes.has(c))
    .map((c) => ({
      sex: c === 'female' || c === 'male' ? c : null,
      age_group: c === 'child' || c === 'adult' ? c : null,
      noun: compilePhrase(`{${c}}`, classes, (m) => {
        throw new ExtractError(`${wordsPath}: class ${c}: ${m}`);
      }),
    }));
  return { rules, classes, parts };
}

export interface TargetRule {
  at: string;
  indicators: string[];
  /** Must occur around the percentage, in its clause. */
  text: Phrase;
  not: Phrase | null;
  confidence: number;
}

const TARGET_COLUMNS = ['indicator', 'text', 'not', 'confidence', 'note'] as const;

export function loadTargetRules(paths: string[] = [DEFAULT_TARGET_RULES], wordsPath = DEFAULT_WORDS): TargetRule[] {
  const classes = loadWords(wordsPath);
  const out: TargetRule[] = [];
  for (const path of paths) {
    const t = readTable(path, TARGET_COLUMNS, ['indicator', 'text']);
    const header = Object.keys(t.rows[0]?.values ?? {});
    for (const r of t.rows) {
      const fail = cellError(path, header, r.line);
      const not = r.values.not?.trim();
      out.push({
        at: `${shortName(path)}:${r.line}`,
        indicators: indicatorsOf(r.values.indicator, 'ratio', fail),
        text: compilePhrase(r.values.text, classes, (m) => fail('text', m)),
        not: not ? compilePhrase(not, classes, (m) => fail('not', m)) : null,
        confidence: confidenceOf((r.values.confidence ?? '').trim(), fail),
      });
    }
  }
  return out;
}
