/**
 * JSON reports: an array of objects with the contract's keys.
 *
 * A report can hold millions of rows, and a server reads it while it answers requests. So the file is read as a
 * stream, in a worker thread (./parse.ts), by @streamparser/json's tokenizer: no tree of the document is built (a
 * tree of 600 k rows took gigabytes), the text is never held whole (a file of more than 512 MiB cannot even be one
 * string), and rows go back to the stage in batches as they are read. The tokenizer gives byte offsets; lines and
 * columns are counted here from the bytes, so that an error names where the offending value is, as it does for CSV.
 * What stays per row is where it starts (16 bytes); where a value of a row with a problem stands is found by reading
 * that row again from the file, only for the rows a message names.
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import Tokenizer from '@streamparser/json/tokenizer.js';
import TokenType from '@streamparser/json/utils/types/tokenType.js';
import { COLUMNS, type Column, REQUIRED_COLUMNS } from '../contract.ts';
import { FileRejected, type LoadIssue, MAX_ISSUES_PER_FILE } from '../issues.ts';
import type { Locator, SourceRow } from '../stage.ts';
import { BATCH_ROWS, parseOffThread } from './parse.ts';
import { invalidUtf8Issue, readHead, type Sniffed, sniffEncoding } from './encoding.ts';

/** Bytes read from the file at a time. */
const CHUNK_BYTES = 256 * 1024;
/**
 * Bytes kept to count lines in: from the last token's start to what has been read. Only one value (or one run of
 * white space) longer than this could make it grow; a report has no such value, and memory must stay bounded.
 */
const MAX_TOKEN_BYTES = 64 * 2 ** 20;

const EOF = -1;
const KNOWN_KEYS: ReadonlySet<string> = new Set(COLUMNS);
type Kind = TokenType | typeof EOF;

/** Where each row starts: its line and column, and its byte in the file (to read it again for a message). */
export interface JsonPlaces {
  rows: number;
  lines: Int32Array;
  cols: Int32Array;
  offsets: Float64Array;
  encoding: Sniffed;
}

/**
 * Reads a JSON report in a worker thread, handing its rows to `stage` in batches; rejects the file (after reading
 * it all, to report every problem up to the cap) when anything is wrong. `signal` stops the worker.
 */
export async function readJson(
  path: string,
  name: string,
  stage: (rows: SourceRow[]) => Promise<void>,
  signal?: AbortSignal,
): Promise<{ rows: number; locator: Locator }> {
  const places = await parseOffThread<JsonPlaces>('json', path, name, stage, signal);
  return { rows: places.rows, locator: jsonLocator(path, places) };
}

/** A syntax error: the file cannot be read further. */
class Invalid extends Error {}

/** A JSON syntax error, named as jsonc-parser named them (the names earlier messages and tests use). */
const TOKENIZER_STATES: [RegExp, string][] = [
  [/STRING_AFTER_BACKSLASH/, 'InvalidEscapeCharacter'],
  [/STRING_UNICODE/, 'InvalidUnicode'],
  [/STRING/, 'InvalidCharacter'],
  [/NUMBER/, 'UnexpectedEndOfNumber'],
];

/**
 * Line and column of byte offsets, counted from the bytes as they stream past (offsets asked in increasing order).
 * Columns count UTF-16 code units, as an editor's do; `units` counts them from the start, to find a row's byte in a
 * UTF-16 file.
 */
class Lines {
  private chunks: Buffer[] = [];
  private chunkStart = 0;
  private at = 0;
  retained = 0;
  line = 1;
  col = 1;
  units = 0;

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.retained += chunk.length;
  }

  seek(offset: number): void {
    while (this.at < offset && this.chunks.length) {
      const c = this.chunks[0];
      const end = Math.min(c.length, offset - this.chunkStart);
      let { line, col, units } = this;
      for (let k = this.at - this.chunkStart; k < end; k++) {
        const b = c[k];
        if (b === 0x0a) {
          line++;
          col = 1;
          units++;
        } else if ((b & 0xc0) !== 0x80) {
          const w = b >= 0xf0 ? 2 : 1;
          col += w;
          units += w;
        }
      }
      this.line = line;
      this.col = col;
      this.units = units;
      this.at = this.chunkStart + end;
      if (end === c.length) {
        this.chunks.shift();
        this.chunkStart += c.length;
        this.retained -= c.length;
      }
    }
  }

  /** The first byte from the current position on that is not valid UTF-8, located, or null. */
  firstInvalidUtf8(): { line: number; col: number; byte: number } | null {
    const bytes = Buffer.concat(this.chunks).subarray(this.at - this.chunkStart);
    const dec = new TextDecoder('utf-8', { fatal: true });
    for (let i = 0; i < bytes.length;) {
      const b = bytes[i];
      const len =
        b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
      let ok = len > 0 && i + len <= bytes.length;
      if (ok && len > 1) {
        try {
          dec.decode(bytes.subarray(i, i + len));
        } catch {
          ok = false;
        }
      }
      if (!ok) {
        this.seek(this.at + i);
        return { line: this.line, col: this.col, byte: b };
      }
      i += len;
    }
    return null;
  }
}

/** Grows by doubling: where each row starts. */
class Places {
  rows = 0;
  lines = new Int32Array(1024);
  cols = new Int32Array(1024);
  offsets = new Float64Array(1024);

  add(line: number, col: number, offset: number): void {
    if (this.rows === this.lines.length) {
      const grow = <T extends Int32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      [this.lines, this.cols, this.offsets] = [grow(this.lines), grow(this.cols), grow(this.offsets)];
    }
    this.lines[this.rows] = line;
    this.cols[this.rows] = col;
    this.offsets[this.rows++] = offset;
  }
}

/** The file's bytes from `start`, as UTF-8 chunks: UTF-16 (with its byte-order mark) is transcoded as it streams. */
async function* utf8Chunks(path: string, s: Sniffed, start: number): AsyncGenerator<Buffer> {
  const stream = createReadStream(path, { start, highWaterMark: CHUNK_BYTES });
  if (s.encoding === 'utf-8') {
    for await (const chunk of stream) yield chunk as Buffer;
    return;
  }
  const decoder = new TextDecoder('utf-16le');
  let odd: Buffer | null = null;
  for await (const read of stream) {
    const whole: Buffer = odd ? Buffer.concat([odd, read as Buffer]) : (read as Buffer);
    odd = whole.length % 2 ? Buffer.from(whole.subarray(whole.length - 1)) : null;
    const chunk = whole.subarray(0, whole.length - (whole.length % 2));
    if (s.encoding === 'utf-16be') chunk.swap16();
    yield Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
  }
  yield Buffer.from(decoder.decode(), 'utf8');
}

/**
 * Reads the JSON report at `path` (in the worker), handing its rows to `emit` in batches of about BATCH_ROWS;
 * throws FileRejected with every problem (up to the cap) once the whole file is read.
 */
export async function parseJson(
  path: string,
  name: string,
  emit: (rows: SourceRow[]) => Promise<void>,
): Promise<JsonPlaces> {
  const sniffed = sniffEncoding(readHead(path, 4096), name);
  if ('severity' in sniffed) throw new FileRejected([sniffed]);
  const issues: LoadIssue[] = [];
  const lines = new Lines();
  const here = () => ({ line: lines.line, col: lines.col });
  const problem = (at: { line: number; col: number }, column: string | null, message: string) => {
    if (issues.length < MAX_ISSUES_PER_FILE) issues.push({ severity: 'error', file: name, ...at, column, message });
  };
  const invalid = (code: string): never => {
    problem(here(), null, `invalid JSON: ${code}`);
    throw new Invalid();
  };

  const places = new Places();
  let batch: SourceRow[] = [];
  let tokenOffset = 0;
  const rowStart = () => {
    // The row's byte in the file, to read it again: UTF-16 has two bytes for each code unit counted.
    const byte = sniffed.encoding === 'utf-8' ? tokenOffset : 2 * lines.units;
    places.add(lines.line, lines.col, sniffed.bomBytes + byte);
    return here();
  };
  const document = readDocument(
    (at, values) => batch.push({ line: at.line, values }),
    rowStart,
    here,
    problem,
    invalid,
  );
  const token: Token = { kind: EOF, value: null };
  let done = false;
  const feed = (kind: Kind, value: unknown) => {
    token.kind = kind;
    token.value = value;
    try {
      done = document.next(token).done === true;
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      done = true;
    }
  };
  feed(EOF, null); // runs the reader to its first wait for a token

  // Strings are decoded as they come (not gathered in a byte buffer): so a byte that is not UTF-8 is caught where
  // it stands, before it can swallow the closing quote as part of a character.
  const tokenizer = new Tokenizer();
  tokenizer.onToken = ({ token: kind, value, offset }) => {
    if (done) return;
    lines.seek(offset);
    tokenOffset = offset;
    feed(kind, value);
  };
  let total = 0;
  /** Runs the tokenizer; what it refuses is a located problem, and ends the reading. */
  const tokenize = (step: () => void) => {
    try {
      step();
    } catch (e) {
      if (done) throw e;
      done = true;
      lexicalError(e as Error, lines, total, problem, name);
    }
  };
  for await (const chunk of utf8Chunks(path, sniffed, sniffed.bomBytes)) {
    lines.add(chunk);
    total += chunk.length;
    tokenize(() => tokenizer.write(chunk));
    if (done) break;
    if (lines.retained > MAX_TOKEN_BYTES) {
      problem(
        here(),
        null,
        `a single value or run of white space after this point is longer than ${MAX_TOKEN_BYTES / 2 ** 20} MiB; ` +
          'expected report rows of ordinary values',
      );
      done = true;
      break;
    }
    if (batch.length >= BATCH_ROWS) {
      await emit(issues.length ? [] : batch); // a file already rejected stages nothing more
      batch = [];
    }
  }
  if (!done) {
    tokenize(() => tokenizer.end());
    if (!done) {
      lines.seek(total);
      feed(EOF, null);
    }
  }
  if (issues.length) throw new FileRejected(issues);
  if (batch.length) await emit(batch);
  return {
    rows: places.rows,
    lines: places.lines.subarray(0, places.rows),
    cols: places.cols.subarray(0, places.rows),
    offsets: places.offsets.subarray(0, places.rows),
    encoding: sniffed,
  };
}

/** What the tokenizer refused, located: a byte no JSON can hold there, a string not valid UTF-8, an early end. */
function lexicalError(
  e: Error,
  lines: Lines,
  total: number,
  problem: (at: { line: number; col: number }, column: string | null, message: string) => void,
  name: string,
): void {
  const at = /absolute position "(\d+)"/.exec(e.message);
  if (at) {
    lines.seek(Number(at[1]));
    const code = TOKENIZER_STATES.find(([state]) => state.test(e.message.replace(/^.*in state /s, '')))?.[1];
    problem({ line: lines.line, col: lines.col }, null, `invalid JSON: ${code ?? 'InvalidSymbol'}`);
    return;
  }
  if (/ended in the middle of a token/.test(e.message)) {
    lines.seek(total);
    const code = /STRING/.test(e.message)
      ? 'UnexpectedEndOfString'
      : /NUMBER/.test(e.message)
        ? 'UnexpectedEndOfNumber'
        : 'InvalidSymbol';
    problem({ line: lines.line, col: lines.col }, null, `invalid JSON: ${code}`);
    return;
  }
  if (e instanceof TypeError) {
    // The tokenizer decodes strings strictly: bytes that are not UTF-8 are a legacy code page, as in CSV.
    const bad = lines.firstInvalidUtf8();
    if (bad) {
      const issue = invalidUtf8Issue(name, bad);
      problem({ line: issue.line!, col: issue.col! }, null, issue.message);
      return;
    }
  }
  throw e;
}

interface Token {
  kind: Kind;
  value: unknown;
}

type Where = { line: number; col: number };
type Problem = (at: Where, column: string | null, message: string) => void;

/**
 * The document's grammar, fed one token at a time (each `yield` waits for the next): `[`, rows separated by commas,
 * `]`, the end. A generator keeps it the plain recursive reading it would be over a whole text.
 */
function* readDocument(
  row: (at: Where, values: Partial<Record<Column, string | null>>) => void,
  rowStart: () => Where,
  here: () => Where,
  problem: Problem,
  invalid: (code: string) => never,
): Generator<void, void, Token> {
  let t: Token = yield;
  if (t.kind !== TokenType.LEFT_BRACKET) {
    if (t.kind === EOF) invalid('ValueExpected');
    problem(
      here(),
      null,
      'expected a JSON array of report rows, such as [{"unit_code": "2025-07:00004", "period": "202509", ' +
        '"indicator": "victims_returned", "value": 1}]',
    );
    throw new Invalid();
  }
  t = yield;
  if (t.kind !== TokenType.RIGHT_BRACKET) {
    for (;;) {
      if (t.kind === TokenType.LEFT_BRACE) {
        const at = rowStart();
        row(at, yield* readRow(at, here, problem, invalid));
      } else {
        problem(here(), null, `expected an object for each row, found ${kindOf(t.kind, invalid)}`);
        yield* skipValue(t.kind, invalid);
      }
      t = yield;
      if (t.kind === TokenType.RIGHT_BRACKET) break;
      if (t.kind !== TokenType.COMMA) invalid('CommaExpected');
      t = yield;
    }
  }
  t = yield;
  if (t.kind !== EOF) invalid('EndOfFileExpected');
}

function kindOf(kind: Kind, invalid: (code: string) => never): string {
  switch (kind) {
    case TokenType.LEFT_BRACE:
      return 'object';
    case TokenType.LEFT_BRACKET:
      return 'array';
    case TokenType.STRING:
      return 'string';
    case TokenType.NUMBER:
      return 'number';
    case TokenType.TRUE:
    case TokenType.FALSE:
      return 'boolean';
    case TokenType.NULL:
      return 'null';
    default:
      return invalid('ValueExpected');
  }
}

/** Passes over a value that is not read (a nested object or array), checking only its syntax. */
function* skipValue(kind: Kind, invalid: (code: string) => never): Generator<void, void, Token> {
  if (kind !== TokenType.LEFT_BRACE && kind !== TokenType.LEFT_BRACKET) {
    kindOf(kind, invalid);
    return;
  }
  const close = kind === TokenType.LEFT_BRACE ? TokenType.RIGHT_BRACE : TokenType.RIGHT_BRACKET;
  let t: Token = yield;
  if (t.kind === close) return;
  for (;;) {
    if (close === TokenType.RIGHT_BRACE) {
      if (t.kind !== TokenType.STRING) invalid('PropertyNameExpected');
      if ((yield).kind !== TokenType.COLON) invalid('ColonExpected');
      t = yield;
    }
    yield* skipValue(t.kind, invalid);
    t = yield;
    if (t.kind === close) return;
    if (t.kind !== TokenType.COMMA) invalid('CommaExpected');
    t = yield;
  }
}

/** One row, from its `{` to its `}`: the values of the contract's keys. */
function* readRow(
  row: Where,
  here: () => Where,
  problem: Problem,
  invalid: (code: string) => never,
): Generator<void, Partial<Record<Column, string | null>>, Token> {
  const values: Partial<Record<Column, string | null>> = {};
  let t: Token = yield;
  if (t.kind !== TokenType.RIGHT_BRACE) {
    for (;;) {
      if (t.kind !== TokenType.STRING) invalid('PropertyNameExpected');
      const key = t.value as string;
      const keyAt = here();
      if ((yield).kind !== TokenType.COLON) invalid('ColonExpected');
      t = yield;
      const known = KNOWN_KEYS.has(key);
      if (!known) problem(keyAt, key, `unknown key "${key}"; expected the keys ${COLUMNS.join(', ')}`);
      if (known) {
        const column = key as Column;
        if (t.kind === TokenType.STRING) values[column] = (t.value as string).trim();
        else if (t.kind === TokenType.NUMBER) values[column] = String(t.value).trim();
        else if (t.kind === TokenType.NULL) values[column] = null;
        else problem(here(), key, `expected a string or a number, found ${kindOf(t.kind, invalid)}`);
      }
      if (!known || (t.kind !== TokenType.STRING && t.kind !== TokenType.NUMBER)) yield* skipValue(t.kind, invalid);
      t = yield;
      if (t.kind === TokenType.RIGHT_BRACE) break;
      if (t.kind !== TokenType.COMMA) invalid('CommaExpected');
      t = yield;
    }
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!(required in values))
      problem(row, required, `the row has no "${required}"; required: ${REQUIRED_COLUMNS.join(', ')}`);
  }
  return values;
}

/**
 * Where a staged row, or one of its values, stands in the file: the row from what was kept; a value by reading
 * its row again (only rows a message names are asked for).
 */
export function jsonLocator(path: string, places: JsonPlaces): Locator {
  return (ordinal, column) => {
    if (ordinal < 1 || ordinal > places.rows) return { line: 1, col: null };
    const row = { line: places.lines[ordinal - 1], col: places.cols[ordinal - 1] };
    if (!column) return row;
    try {
      return valueIn(path, places.encoding, places.offsets[ordinal - 1], row, column) ?? row;
    } catch {
      return row; // the file changed or went away since it was read: the row is still right
    }
  };
}

/** The line and column of `column`'s value in the row whose `{` is at `offset`, or null when it has none. */
function valueIn(path: string, s: Sniffed, offset: number, row: Where, column: Column): Where | null {
  const fd = openSync(path, 'r');
  try {
    const lines = new Lines();
    Object.assign(lines, row);
    const tokenizer = new Tokenizer();
    let depth = 0;
    let expectKey = false;
    let key: string | null = null;
    let valueNext = false;
    let found: Where | null = null;
    let end = false;
    tokenizer.onToken = ({ token, value, offset: at }) => {
      if (end) return;
      lines.seek(at);
      if (valueNext) {
        valueNext = false;
        if (key === column) {
          found = { line: lines.line, col: lines.col };
          end = true;
          return;
        }
      }
      if (token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET) expectKey = ++depth === 1;
      else if (token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET) end = --depth === 0;
      else if (depth !== 1) return;
      else if (token === TokenType.COMMA) expectKey = true;
      else if (token === TokenType.COLON) valueNext = true;
      else if (token === TokenType.STRING && expectKey) [key, expectKey] = [value as string, false];
    };
    const decoder = s.encoding === 'utf-8' ? null : new TextDecoder('utf-16le');
    // A row is a line or a few: small reads, so that locating a value costs its row, not a chunk of the file.
    const buf = Buffer.alloc(2048);
    for (let pos = offset; !end;) {
      const n = readSync(fd, buf, 0, buf.length - (buf.length % 2), pos);
      if (n === 0) break;
      pos += n;
      let chunk = Buffer.from(buf.subarray(0, n));
      if (decoder) {
        if (s.encoding === 'utf-16be') chunk.swap16();
        chunk = Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
      }
      lines.add(chunk);
      tokenizer.write(chunk);
    }
    return found as Where | null;
  } finally {
    closeSync(fd);
  }
}
