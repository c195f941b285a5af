/**
 * Reading a CSV file whose size is not known to be small: in chunks, holding only what a message needs. A report
 * can be a gigabyte; holding it whole (and a line table of all its records) would cost more memory than loading it.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { firstInvalidUtf8, type Sniffed } from './encoding.ts';

const CHUNK = 4 << 20;

/** Calls `fn` with consecutive chunks of the file (a buffer reused between calls). */
function eachChunk(path: string, fn: (chunk: Buffer) => void, from = 0): void {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(CHUNK);
  try {
    for (let position = from, n; (n = readSync(fd, buf, 0, CHUNK, position)) > 0; position += n) fn(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
}

export interface CsvScan {
  /** The line (1-based) on which record `ordinal` starts; the header is record 0. */
  lineOf(ordinal: number): number;
  records: number;
  /** Records (the header aside) whose number of fields is not the header's: where each starts, and its count. */
  misshapen: { line: number; fields: number }[];
  /** Lines longer than the scan's `maxLineBytes`, with their length in bytes (line breaks excluded). */
  longLines: { line: number; bytes: number }[];
  /** Where the bytes stop being CSV, if they do; reading stops there. `col` is the field's number. */
  broken: {
    line: number;
    col: number;
    kind: 'unclosed' | 'quote inside value' | 'after closing quote';
    text: string;
  } | null;
}

const QUOTE = 34;
const LF = 10;
const CR = 13;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * One pass over a CSV file by the rules DuckDB's reader (strict mode) and csv-parse share (RFC 4180): a quoted
 * value may hold line breaks and "" stands for a quote; a quote may open a value only at its start and, closed,
 * must end it; a line with nothing on it (or only a CR) is no record. Finds every record whose field count differs
 * from `width` (up to `limit`) and the first place the bytes stop being CSV.
 *
 * Where each record starts is kept compactly: record n starts on line n + 1, shifted by the blank lines and
 * quoted line breaks before it, so only the records where that shift changes are stored: a few numbers for a
 * well-formed file of any size.
 */
export function scanCsv(
  path: string,
  delimiter: string,
  width?: number,
  limit = Infinity,
  maxLineBytes = Infinity,
): CsvScan {
  const delim = delimiter.charCodeAt(0);
  const shiftAt: number[] = [];
  const shiftBy: number[] = [];
  const misshapen: CsvScan['misshapen'] = [];
  const longLines: CsvScan['longLines'] = [];
  let lineBytes = 0; // bytes of the current line so far
  let lastByte = -1;
  const endLine = () => {
    const bytes = lineBytes - (lastByte === CR ? 1 : 0);
    if (bytes > maxLineBytes && longLines.length < limit) longLines.push({ line, bytes });
    lineBytes = 0;
  };
  let broken: CsvScan['broken'] = null;
  let shift = 0;
  let records = 0;
  let line = 1;
  let recordLine = 1;
  let started = false;
  let field = 1;
  // Where the scan stands in a value (declared wide: it changes inside the chunk callback).
  let state = 'start' as 'start' | 'plain' | 'quoted' | 'closed';
  let opened = { line: 0, col: 0 };
  let value: number[] = []; // the first bytes of the current plain value, for a message
  let from = 0;

  const endRecord = () => {
    if (width !== undefined && records > 0 && field !== width && misshapen.length < limit)
      misshapen.push({ line: recordLine, fields: field });
    [records, started, field, state, value] = [records + 1, false, 1, 'start', []];
  };
  const head = Buffer.alloc(3);
  const fd = openSync(path, 'r');
  try {
    if (readSync(fd, head, 0, 3, 0) === 3 && BOM.every((b, i) => head[i] === b)) from = 3;
  } finally {
    closeSync(fd);
  }
  eachChunk(
    path,
    (chunk) => {
      for (let i = 0; i < chunk.length && !broken; i++) {
        const b = chunk[i];
        if (b === LF) endLine();
        else {
          lineBytes++;
          lastByte = b;
        }
        if (state === 'quoted') {
          if (b === QUOTE) state = 'closed';
          else if (b === LF) line++;
          continue;
        }
        if (state === 'closed') {
          if (b === QUOTE)
            state = 'quoted'; // "" inside quotes
          else if (b === delim) [field, state, value] = [field + 1, 'start', []];
          else if (b === LF) [endRecord(), line++];
          else if (b !== CR) broken = { line, col: field, kind: 'after closing quote', text: String.fromCharCode(b) };
          continue;
        }
        if (b === LF) {
          if (started) endRecord();
          line++;
          continue;
        }
        if (b === CR) continue;
        if (!started) {
          started = true;
          recordLine = line;
          if (line - (records + 1) !== shift) {
            shift = line - (records + 1);
            shiftAt.push(records);
            shiftBy.push(shift);
          }
        }
        if (b === delim) {
          [field, state, value] = [field + 1, 'start', []];
        } else if (b === QUOTE) {
          if (state === 'start') [state, opened] = ['quoted', { line, col: field }];
          else broken = { line, col: field, kind: 'quote inside value', text: Buffer.from(value).toString('utf8') };
        } else {
          state = 'plain';
          if (value.length < 40) value.push(b);
        }
      }
    },
    from,
  );
  if (!broken) {
    if (state === 'quoted') broken = { ...opened, kind: 'unclosed', text: '' };
    else if (started) endRecord();
    if (lineBytes) endLine();
  }
  return {
    records,
    misshapen,
    longLines,
    broken,
    lineOf(ordinal) {
      let lo = 0;
      let hi = shiftAt.length - 1;
      let found = 0;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (shiftAt[mid] <= ordinal) [found, lo] = [shiftBy[mid], mid + 1];
        else hi = mid - 1;
      }
      return ordinal + 1 + found;
    },
  };
}

/** Whether a byte begins a character (is not a UTF-8 continuation byte). */
const starts = (b: number) => (b & 0xc0) !== 0x80;

/** The first byte that is not UTF-8, located by line and column (in characters), reading the file in chunks. */
export function firstInvalidUtf8InFile(path: string): { line: number; col: number; byte: number } | null {
  let line = 1;
  let col = 0; // characters already on the current line before the piece
  let carry = Buffer.alloc(0);
  let found: { line: number; col: number; byte: number } | null = null;
  const piece = (bytes: Buffer) => {
    const at = firstInvalidUtf8(bytes);
    if (at) {
      found = { line: line + at.line - 1, col: (at.line === 1 ? col : 0) + at.col, byte: at.byte };
      return;
    }
    const nl = bytes.lastIndexOf(10);
    if (nl >= 0) {
      for (let i = bytes.indexOf(10); i >= 0 && i <= nl; i = bytes.indexOf(10, i + 1)) line++;
      col = 0;
    }
    for (let i = nl + 1; i < bytes.length; i++) if (starts(bytes[i])) col++;
  };
  eachChunk(path, (chunk) => {
    if (found) return;
    const all = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    // Cut where no character can be split: after the last line break, or else before the last character's start.
    let cut = all.lastIndexOf(10) + 1;
    if (cut === 0) {
      cut = all.length;
      while (cut > 0 && !starts(all[cut - 1])) cut--;
      if (cut > 0 && all[cut - 1] >= 0xc0) cut--;
    }
    piece(all.subarray(0, cut));
    carry = Buffer.from(all.subarray(cut));
  });
  if (!found && carry.length) piece(carry);
  return found;
}

/**
 * Copies a UTF-16 file (BOM skipped) to `out` as UTF-8, chunk by chunk; returns the beginning of the text, enough
 * for the header. A whole gigabyte decoded at once would not even fit in one JavaScript string.
 */
export function transcodeToUtf8(path: string, sniffed: Sniffed, out: string): string {
  const decoder = new TextDecoder('utf-16le');
  const fd = openSync(out, 'w');
  let head = '';
  let odd: Buffer | null = null;
  try {
    eachChunk(
      path,
      (chunk) => {
        let bytes = odd ? Buffer.concat([odd, chunk]) : Buffer.from(chunk);
        odd = bytes.length % 2 ? Buffer.from(bytes.subarray(bytes.length - 1)) : null;
        if (odd) bytes = bytes.subarray(0, bytes.length - 1);
        if (sniffed.encoding === 'utf-16be') bytes.swap16();
        const text = decoder.decode(bytes, { stream: true });
        if (head.length < 64 * 1024) head += text.slice(0, 64 * 1024 - head.length);
        writeSync(fd, text);
      },
      sniffed.bomBytes,
    );
    const rest = decoder.decode();
    if (head.length < 64 * 1024) head += rest;
    writeSync(fd, rest);
  } finally {
    closeSync(fd);
  }
  return head;
}
