/**
 * What a text file's bytes are: the encodings reports arrive in (UTF-8 with or without BOM; UTF-16 with a BOM, as
 * Excel's "Unicode Text" saves it) and the ones we refuse with a located error (UTF-16 without BOM, legacy
 * Vietnamese code pages such as Windows-1258 or TCVN3, which look like UTF-8 until the first accented letter).
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { errorAt, type LoadIssue } from '../issues.ts';

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface Sniffed {
  encoding: TextEncoding;
  bomBytes: number;
}

export function readHead(path: string, bytes = 64 * 1024): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function sniffEncoding(head: Buffer, file: string): Sniffed | LoadIssue {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomBytes: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomBytes: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomBytes: 2 };
  // ASCII text in UTF-16 has a NUL in every other byte; UTF-8 text never contains NUL.
  const nul = head.indexOf(0);
  if (nul >= 0) {
    const utf16 = head.length >= 4 && (head[1] === 0 || head[0] === 0);
    // A stray NUL (a damaged copy) is pointed at; UTF-16 is wrong from the first byte.
    const at = utf16 ? { line: 1, col: 1 } : positionAt(lineStarts(head), nul);
    return errorAt(
      file,
      at.line,
      at.col,
      null,
      utf16
        ? 'the file looks like UTF-16 without a byte-order mark; save it as UTF-8 (Excel: "CSV UTF-8") or as ' +
            'Excel\'s "Unicode Text", which writes the mark'
        : `the file holds a NUL byte at offset ${nul}: it is binary, not a text report; expected UTF-8 text`,
    );
  }
  return { encoding: 'utf-8', bomBytes: 0 };
}

/**
 * Locates the first byte that is not valid UTF-8, as line and column (in characters), or null when the text is
 * valid. Only run on files already known to be bad, so a simple scan is fine.
 */
export function firstInvalidUtf8(buf: Buffer): { line: number; col: number; byte: number } | null {
  let line = 1;
  let col = 1;
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let len = 0;
    if (b < 0x80) len = 1;
    else if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) len = 3;
    else if (b >= 0xf0 && b <= 0xf4) len = 4;
    else return { line, col, byte: b };
    for (let k = 1; k < len; k++) {
      if (i + k >= buf.length || (buf[i + k] & 0xc0) !== 0x80) return { line, col, byte: b };
    }
    if (b === 0x0a) {
      line++;
      col = 1;
    } else {
      col++;
    }
    i += len;
  }
  return null;
}

export function invalidUtf8Issue(file: string, at: { line: number; col: number; byte: number }): LoadIssue {
  return errorAt(
    file,
    at.line,
    at.col,
    null,
    `byte 0x${at.byte.toString(16).toUpperCase()} is not valid UTF-8: the file seems to be in a legacy ` +
      `code page (Windows-1258, TCVN3 or VNI); expected UTF-8 (Excel: "CSV UTF-8") or UTF-16 with a byte-order ` +
      `mark`,
  );
}

export function decodeText(buf: Buffer, s: Sniffed): string {
  const body = buf.subarray(s.bomBytes);
  if (s.encoding === 'utf-16be') {
    const swapped = Buffer.from(body.subarray(0, body.length - (body.length % 2)));
    swapped.swap16();
    return new TextDecoder('utf-16le').decode(swapped);
  }
  return new TextDecoder(s.encoding).decode(body);
}

/** Where each line starts (offsets in a string, or bytes in a Buffer): line numbers whatever the line ends. */
export function lineStarts(text: string | Buffer): number[] {
  const starts = [0];
  const find = (from: number) => (typeof text === 'string' ? text.indexOf('\n', from) : text.indexOf(10, from));
  for (let i = find(0); i >= 0; i = find(i + 1)) starts.push(i + 1);
  return starts;
}

/** The line (1-based) and column (1-based, in the same units as the offsets) of an offset. */
export function positionAt(starts: number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo] + 1 };
}
