/**
 * Reading a CSV file whose size is not known to be small: in chunks, holding only what a message needs. A report
 * can be a gigabyte; holding it whole (and a line table of all its records) would cost more memory than loading it.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { firstInvalidUtf8, type Sniffed } from './text.ts';

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

export interface RecordIndex {
  /** The line (1-based) on which record `ordinal` starts; the header is record 0. */
  lineOf(ordinal: number): number;
  records: number;
  /** Where a quoted value that is never closed opens (its line, and its field's number), if one is. */
  unclosed: { line: number; col: number } | null;
}

/**
 * Where each record starts, by the rules DuckDB's reader and csv-parse share: a quoted value may hold line breaks,
 * "" inside quotes is a quote, a line with nothing on it (or only a CR) is no record. Record n starts on line n + 1
 * shifted by the blank lines and quoted line breaks before it, so only the records where that shift changes are
 * kept: a few numbers for a well-formed file of any size.
 */
export function indexRecords(path: string, delimiter: string): RecordIndex {
  const delim = delimiter.charCodeAt(0);
  const shiftAt: number[] = [];
  const shiftBy: number[] = [];
  let shift = 0;
  let records = 0;
  let line = 1;
  let started = false;
  let quoted = false;
  let field = 1;
  let opened = { line: 0, col: 0 };
  eachChunk(path, (chunk) => {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (quoted) {
        if (b === 34) quoted = false; // a doubled "" re-opens at once below
        else if (b === 10) line++;
        continue;
      }
      if (b === 10) {
        if (started) [records, started, field] = [records + 1, false, 1];
        line++;
      } else if (b !== 13) {
        if (!started) {
          started = true;
          if (line - (records + 1) !== shift) {
            shift = line - (records + 1);
            shiftAt.push(records);
            shiftBy.push(shift);
          }
        }
        if (b === 34) [quoted, opened] = [true, { line, col: field }];
        else if (b === delim) field++;
      }
    }
  });
  if (started) records++;
  return {
    records,
    unclosed: quoted ? opened : null,
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
    eachChunk(path, (chunk) => {
      let bytes = odd ? Buffer.concat([odd, chunk]) : Buffer.from(chunk);
      odd = bytes.length % 2 ? Buffer.from(bytes.subarray(bytes.length - 1)) : null;
      if (odd) bytes = bytes.subarray(0, bytes.length - 1);
      if (sniffed.encoding === 'utf-16be') bytes.swap16();
      const text = decoder.decode(bytes, { stream: true });
      if (head.length < 64 * 1024) head += text.slice(0, 64 * 1024 - head.length);
      writeSync(fd, text);
    }, sniffed.bomBytes);
    const rest = decoder.decode();
    if (head.length < 64 * 1024) head += rest;
    writeSync(fd, rest);
  } finally {
    closeSync(fd);
  }
  return head;
}
